// `s3-backup restore`: find the newest trusted run holding one asset, check the object against
// its manifest, and unpack it into a new directory or database. A dump is checked in a first
// streaming pass before mysql reads a byte, since executed SQL cannot be taken back; an archive
// is checked while it unpacks into an empty directory, which is emptied again on a mismatch (a
// second download of a large archive would double the restore time for no gain). Any failure
// removes what was restored and exits 1.
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { Transform, Writable, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { EXIT, InputError } from "../engine/errors.js";
import { operatorS3Client } from "../providers/s3/client.js";
import { describeS3Error } from "../providers/s3/errors.js";
import { describeAvailable, findAsset, listManifests, whatExists, type Selection } from "./catalog.js";
import { decompressor } from "./compression.js";
import type { BackupConfig } from "./config.js";
import type { ManifestEntry } from "./manifest.js";
import { adminConnArgs, ident, mysqlQuery } from "./mysql-client.js";
import { childEnded, describeEnd, type StageEnd } from "./stage.js";

export interface RestoreFlags {
  name: string;
  date?: string;
  host?: string;
  to?: string;
  intoDatabase?: string;
  mysqlDefaultsFile?: string;
}

/** Which stored object a GET must return: one version, or the content an earlier GET saw. */
type Pin = { VersionId: string } | { IfMatch: string } | Record<string, never>;

/** GETs entry.key (as pinned) with a meter that hashes and counts the bytes passing through it. */
async function metered(client: S3Client, bucket: string, entry: ManifestEntry, pin: Pin = {}) {
  const obj = await client.send(new GetObjectCommand({ Bucket: bucket, Key: entry.key!, ...pin }));
  const hash = createHash("sha256");
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _e, cb) {
      bytes += chunk.length;
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  /** After the body was read: why it does not match the manifest, or undefined. */
  const mismatch = (): string | undefined => {
    const sha = hash.digest("hex");
    if (sha === entry.sha256 && bytes === entry.bytes) return undefined;
    return `object ${entry.key} does not match its manifest (sha256 ${sha}, ${bytes} bytes; manifest says ${entry.sha256}, ${entry.bytes} bytes)`;
  };
  // A later GET asks for this exact object: the version, if the bucket keeps versions, else this
  // ETag (the store answers 412 if the key was overwritten in between).
  const seen: Pin = obj.VersionId ? { VersionId: obj.VersionId } : obj.ETag ? { IfMatch: obj.ETag } : {};
  return { body: obj.Body as Readable, meter, mismatch, seen };
}

/** Reads the whole object only to check it; returns how to GET the same object again, or why not. */
async function checkObject(
  client: S3Client,
  bucket: string,
  entry: ManifestEntry,
): Promise<{ pin: Pin } | { error: string }> {
  const m = await metered(client, bucket, entry);
  await pipeline(m.body, m.meter, new Writable({ write: (_c, _e, cb) => cb() }));
  const error = m.mismatch();
  return error ? { error } : { pin: m.seen };
}

/** Streams the object into `sink`'s stdin, checking SHA-256 and size on the way. Never throws. */
async function streamInto(
  client: S3Client,
  bucket: string,
  entry: ManifestEntry,
  sinkArgv: string[],
  sinkName: string,
  pin: Pin = {},
): Promise<string | undefined> {
  let m;
  try {
    m = await metered(client, bucket, entry, pin);
  } catch (err) {
    return describeS3Error(err, bucket).message;
  }
  const dec = decompressor(entry.compression);
  const sink = spawn(sinkArgv[0], sinkArgv.slice(1), { stdio: ["pipe", "ignore", "pipe"] });
  const sinkEnded = childEnded(sink, sinkName);
  let pipeErr = "";
  await pipeline(m.body, m.meter, dec.stream, sink.stdin).catch((e: Error) => {
    pipeErr = e.message;
  });
  const ends: StageEnd[] = await Promise.all([dec.ended, sinkEnded]);
  const bad = ends.find((e) => !e.ok);
  return m.mismatch() ?? (bad ? describeEnd(bad) : undefined) ?? (pipeErr || undefined);
}

/** Restores a file object into `dir` (created, must be empty). Returns an error message or undefined. */
export async function restoreFiles(
  client: S3Client,
  bucket: string,
  entry: ManifestEntry,
  dir: string,
): Promise<string | undefined> {
  mkdirSync(dir, { recursive: true });
  if (readdirSync(dir).length > 0) throw new InputError([`--to ${dir}: directory is not empty`]);
  const tar = ["tar", "--extract", "--file=-", `--directory=${dir}`, "--preserve-permissions", "--same-owner"];
  const err = await streamInto(client, bucket, entry, tar, "tar");
  if (err) for (const f of readdirSync(dir)) rmSync(`${dir}/${f}`, { recursive: true, force: true });
  return err;
}

/** Restores a dump into a new database `db`, checked before mysql sees it. Returns an error message or undefined. */
export async function restoreDatabase(
  client: S3Client,
  bucket: string,
  entry: ManifestEntry,
  db: string,
  conn: string[],
): Promise<string | undefined> {
  const exists = await mysqlQuery(conn, `SHOW DATABASES LIKE '${db.replace(/[\\'_%]/g, "\\$&")}'`);
  if (exists.length > 0) throw new InputError([`--into-database ${db}: database exists; restore into a new one`]);
  const checked = await checkObject(client, bucket, entry);
  if ("error" in checked) return checked.error;
  await mysqlQuery(conn, `CREATE DATABASE ${ident(db)}`);
  // Checked again while streaming: on a store that ignores If-Match and keeps no versions, an
  // overwrite between the passes is at least caught and the database dropped.
  const err = await streamInto(client, bucket, entry, ["mysql", ...conn, db], "mysql", checked.pin);
  if (err) await mysqlQuery(conn, `DROP DATABASE ${ident(db)}`).catch(() => undefined);
  return err;
}

/** The `restore` command (flags already checked by the CLI); returns the exit code. */
export async function restoreCommand(cfg: BackupConfig, f: RestoreFlags): Promise<number> {
  const tag = "s3-backup restore";
  const warn = (m: string) => process.stderr.write(`${tag}: warning: ${m}\n`);
  const sel: Selection = { backup: cfg.name, host: f.host ?? cfg.host, date: f.date };
  const client = operatorS3Client(cfg.s3);
  let refs, search;
  try {
    refs = await listManifests(client, cfg.s3, f.date);
    search = await findAsset(client, cfg.s3, refs, sel, f.name, warn);
  } catch (err) {
    process.stderr.write(`${tag}: ${describeS3Error(err, cfg.s3.bucket).message}\n`);
    return EXIT.failed;
  }
  if (!search.found) {
    const help = search.available.size > 0 ? describeAvailable(search.available) : whatExists(refs, sel);
    process.stderr.write(
      `${tag}: no completed backup of "${f.name}" in backup "${cfg.name}" from host ${sel.host}` +
        `${f.date ? ` on ${f.date}` : ""}\n${help.join("\n")}\n`,
    );
    return EXIT.failed;
  }
  const { entry, ref } = search.found;
  if (entry.kind === "files" && !f.to) throw new InputError([`restore: "${f.name}" is a file backup: use --to DIR`]);
  if (entry.kind === "mysql" && !f.intoDatabase) {
    throw new InputError([`restore: "${f.name}" is a database backup: use --into-database DB`]);
  }
  process.stdout.write(
    `${tag}: using run s3://${cfg.s3.bucket}/${ref.key}, received by S3 at ${ref.lastModified.toISOString()}; ` +
      `if the host may have been compromised before then, restore an earlier day with --date YYYY-MM-DD\n`,
  );
  const err =
    entry.kind === "files"
      ? await restoreFiles(client, cfg.s3.bucket, entry, f.to!)
      : await restoreDatabase(client, cfg.s3.bucket, entry, f.intoDatabase!, adminConnArgs(cfg, f.mysqlDefaultsFile));
  if (err) {
    process.stderr.write(`${tag}: FAILED ${f.name}: ${err}; nothing restored\n`);
    return EXIT.failed;
  }
  process.stdout.write(
    `${tag}: ${entry.name} (${entry.source}) from s3://${cfg.s3.bucket}/${entry.key} -> ` +
      `${f.to ?? `database ${f.intoDatabase}`} (sha256 verified against ${ref.key})\n`,
  );
  return EXIT.ok;
}
