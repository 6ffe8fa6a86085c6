// `s3-backup restore`: download one object, check it against its manifest while streaming, and
// unpack it into a directory or a new database. If the SHA-256 or size does not match, or any
// program fails, what was restored is removed again and the command exits 1.
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { EXIT, InputError } from "../engine/errors.js";
import { operatorS3Client } from "../providers/s3/client.js";
import { describeS3Error } from "../providers/s3/errors.js";
import { findBackup } from "./catalog.js";
import { decompressor } from "./compression.js";
import type { BackupConfig } from "./config.js";
import type { ManifestEntry } from "./manifest.js";
import { adminConnArgs, ident, mysqlQuery } from "./mysql-client.js";
import { childEnded, describeEnd, type StageEnd } from "./stage.js";

export interface RestoreFlags {
  name?: string;
  date?: string;
  to?: string;
  intoDatabase?: string;
  mysqlDefaultsFile?: string;
}

/** Streams the object at entry.key into `sink`'s stdin, checking SHA-256 and size on the way. */
async function streamInto(client: S3Client, bucket: string, entry: ManifestEntry, sinkArgv: string[], sinkName: string): Promise<string | undefined> {
  const obj = await client.send(new GetObjectCommand({ Bucket: bucket, Key: entry.key! }));
  const hash = createHash("sha256");
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _e, cb) { bytes += chunk.length; hash.update(chunk); cb(null, chunk); },
  });
  const dec = decompressor(entry.compression);
  const sink = spawn(sinkArgv[0], sinkArgv.slice(1), { stdio: ["pipe", "ignore", "pipe"] });
  const sinkEnded = childEnded(sink, sinkName);
  let pipeErr = "";
  await pipeline(obj.Body as Readable, meter, dec.stream, sink.stdin).catch((e: Error) => { pipeErr = e.message; });
  const ends: StageEnd[] = await Promise.all([dec.ended, sinkEnded]);
  const sha = hash.digest("hex");
  if (sha !== entry.sha256 || bytes !== entry.bytes) {
    return `object ${entry.key} does not match its manifest (sha256 ${sha}, ${bytes} bytes; manifest says ${entry.sha256}, ${entry.bytes} bytes)`;
  }
  const bad = ends.find((e) => !e.ok);
  if (bad) return describeEnd(bad);
  if (pipeErr) return pipeErr;
  return undefined;
}

/** Restores a file object into `dir` (created, must be empty). Returns an error message or undefined. */
export async function restoreFiles(client: S3Client, bucket: string, entry: ManifestEntry, dir: string): Promise<string | undefined> {
  mkdirSync(dir, { recursive: true });
  if (readdirSync(dir).length > 0) throw new InputError([`--to ${dir}: directory is not empty`]);
  const err = await streamInto(client, bucket, entry, ["tar", "--extract", "--file=-", `--directory=${dir}`,
    "--preserve-permissions", "--same-owner"], "tar");
  if (err) for (const f of readdirSync(dir)) rmSync(`${dir}/${f}`, { recursive: true, force: true });
  return err;
}

/** Restores a dump into a new database `db`. Returns an error message or undefined. */
export async function restoreDatabase(client: S3Client, bucket: string, entry: ManifestEntry, db: string, conn: string[]): Promise<string | undefined> {
  const exists = await mysqlQuery(conn, `SHOW DATABASES LIKE '${db.replace(/[\\'_%]/g, "\\$&")}'`);
  if (exists.length > 0) throw new InputError([`--into-database ${db}: database exists; restore into a new one`]);
  await mysqlQuery(conn, `CREATE DATABASE ${ident(db)}`);
  const err = await streamInto(client, bucket, entry, ["mysql", ...conn, db], "mysql");
  if (err) await mysqlQuery(conn, `DROP DATABASE ${ident(db)}`).catch(() => undefined);
  return err;
}

/** The `restore` command; returns the exit code. */
export async function restoreCommand(cfg: BackupConfig, f: RestoreFlags): Promise<number> {
  if (!f.name) throw new InputError(["restore: --name NAME is required"]);
  if (f.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(f.date)) throw new InputError(["restore: --date must be YYYY-MM-DD"]);
  if ((f.to === undefined) === (f.intoDatabase === undefined)) throw new InputError(["restore: give exactly one of --to DIR or --into-database DB"]);
  const client = operatorS3Client(cfg.s3);
  let found;
  try {
    found = await findBackup(client, cfg, f.name, f.date);
  } catch (err) {
    process.stderr.write(`s3-backup restore: ${describeS3Error(err, cfg.s3.bucket).message}\n`);
    return EXIT.failed;
  }
  if (!found) {
    process.stderr.write(`s3-backup restore: no completed backup of "${f.name}" for host ${cfg.host}${f.date ? ` on ${f.date}` : ""}\n`);
    return EXIT.failed;
  }
  const { entry, manifestKey } = found;
  if (entry.kind === "files" && !f.to) throw new InputError([`restore: "${f.name}" is a file backup: use --to DIR`]);
  if (entry.kind === "mysql" && !f.intoDatabase) throw new InputError([`restore: "${f.name}" is a database backup: use --into-database DB`]);
  const err = entry.kind === "files"
    ? await restoreFiles(client, cfg.s3.bucket, entry, f.to!)
    : await restoreDatabase(client, cfg.s3.bucket, entry, f.intoDatabase!, adminConnArgs(cfg, f.mysqlDefaultsFile));
  if (err) {
    process.stderr.write(`s3-backup restore: FAILED ${f.name}: ${err}; nothing restored\n`);
    return EXIT.failed;
  }
  process.stdout.write(`s3-backup restore: ${f.name} from s3://${cfg.s3.bucket}/${entry.key} -> ${f.to ?? `database ${f.intoDatabase}`} ` +
    `(sha256 verified against ${manifestKey})\n`);
  return EXIT.ok;
}
