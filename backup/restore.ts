// `s3-backup restore`: find the newest trusted run holding one asset, check the object against
// its manifest, and unpack it into a new directory or database. A dump is checked in a first
// streaming pass before mysql reads a byte, since executed SQL cannot be taken back, and mysql
// reads it sandboxed (backup/mysql-sandbox.ts); an archive is checked while it unpacks into a
// private directory (restoreFiles says why). Any failure, or SIGINT/SIGTERM, removes what was
// restored and says so; when that clean-up fails, the message says what is left.
import { join } from "node:path";
import { EXIT, InputError } from "../engine/errors.js";
import { operatorS3Client } from "../providers/s3/client.js";
import { describeS3Error } from "../providers/s3/errors.js";
import { describeAvailable, findAsset, listManifests, whatExists, type Selection } from "./catalog.js";
import type { BackupConfig } from "./config.js";
import { abortReason, trapSignals } from "./interrupt.js";
import type { ManifestEntry } from "./manifest.js";
import { adminConnArgs, ident, mysqlQuery } from "./mysql-client.js";
import { dumpReaderArgs, explainRefusal } from "./mysql-sandbox.js";
import { checkObject, streamInto, type Source } from "./object-stream.js";
import { localSystem, type System } from "./system.js";
import { ReadDenied } from "./denied.js";
import { complain, say } from "./say.js";

export interface RestoreFlags {
  name: string;
  date?: string;
  host?: string;
  to?: string;
  intoDatabase?: string;
  mysqlDefaultsFile?: string;
}

/**
 * Restores a file object into `dir` (created, must be empty). Returns an error message (saying
 * what is left) or undefined. tar runs with --same-owner --preserve-permissions, so owners,
 * modes (setuid/setgid included), links and mtimes come back as they were; for that it must run
 * as root, and it unpacks before the SHA-256 is known. So it unpacks into a private (0700)
 * directory inside `dir`, where no other user can reach a setuid file or a world-writable
 * directory of an archive that may yet fail its check, and the tree is moved into `dir` (a
 * rename, same filesystem) only once it matched. Hashing in a first pass instead would read
 * every archive twice; the dump path pays that because executed SQL cannot be taken back.
 */
export async function restoreFiles(src: Source, entry: ManifestEntry, dir: string): Promise<string | undefined> {
  const fs = src.sys.fs;
  const created = fs.mkdirSync(dir, { recursive: true });
  if (fs.readdirSync(dir).length > 0) throw new InputError([`--to ${dir}: directory is not empty`]);
  const staging = fs.mkdtempSync(join(dir, ".s3-backup-partial-"));
  // --no-overwrite-dir: an archive of "/" holds "./", whose mode must not open up the staging directory.
  const tar = [
    ...["tar", "--extract", "--file=-", `--directory=${staging}`],
    ...["--same-owner", "--preserve-permissions", "--no-overwrite-dir"],
  ];
  const err = await streamInto(src, entry, tar, "tar");
  if (!err) {
    for (const f of fs.readdirSync(staging)) fs.renameSync(join(staging, f), join(dir, f));
    fs.rmdirSync(staging);
    return undefined;
  }
  // What this restore made goes: the directories it created for --to, or else its staging one.
  fs.rmSync(created ?? staging, { recursive: true, force: true });
  return `${err}; nothing restored`;
}

/**
 * Drops the database a failed restore created. Returns what is left, for the message: a failed
 * DROP must not read as "nothing restored".
 */
async function dropPartial(sys: System, conn: string[], db: string): Promise<string> {
  try {
    await mysqlQuery(sys, conn, `DROP DATABASE IF EXISTS ${ident(db)}`);
    return `nothing restored (database ${db} dropped again)`;
  } catch (err) {
    return `database ${db} is left half-restored, and dropping it failed (${(err as Error).message}): drop it by hand`;
  }
}

/** Restores a dump into a new database `db`, checked before mysql sees it. Returns an error message or undefined. */
export async function restoreDatabase(
  src: Source,
  entry: ManifestEntry,
  db: string,
  conn: string[],
): Promise<string | undefined> {
  const reader = await dumpReaderArgs(src.sys);
  if ("error" in reader) return `${reader.error}; nothing restored`;
  const exists = await mysqlQuery(src.sys, conn, `SHOW DATABASES LIKE '${db.replace(/[\\'_%]/g, "\\$&")}'`);
  if (exists.length > 0) throw new InputError([`--into-database ${db}: database exists; restore into a new one`]);
  const checked = await checkObject(src, entry);
  if ("error" in checked) return `${checked.error}; nothing restored`;
  if (src.signal?.aborted) return `${abortReason(src.signal)}; nothing restored`;
  await mysqlQuery(src.sys, conn, `CREATE DATABASE ${ident(db)}`);
  // Checked again while streaming: on a store that ignores If-Match and keeps no versions, an
  // overwrite between the passes is at least caught and the database dropped.
  const err = await streamInto(src, entry, ["mysql", ...conn, ...reader.args, db], "mysql", checked.pin);
  return err ? `${explainRefusal(err)}; ${await dropPartial(src.sys, conn, db)}` : undefined;
}

/** The `restore` command (flags already checked by the CLI); returns the exit code. */
export async function restoreCommand(cfg: BackupConfig, f: RestoreFlags, sys: System = localSystem): Promise<number> {
  const tag = "s3-backup restore";
  const warn = (m: string) => complain(`${tag}: warning: ${m}\n`);
  const sel: Selection = { backup: cfg.name, host: f.host ?? cfg.host, date: f.date };
  const client = operatorS3Client(cfg.s3, cfg.timeouts);
  let refs, search;
  try {
    refs = await listManifests(client, cfg.s3, f.date);
    search = await findAsset(client, cfg.s3, refs, sel, f.name, warn);
  } catch (err) {
    complain(`${tag}: ${err instanceof ReadDenied ? err.message : describeS3Error(err, cfg.s3.bucket).message}\n`);
    return EXIT.failed;
  }
  if (!search.found) {
    const help = search.available.size > 0 ? describeAvailable(search.available) : whatExists(refs, sel);
    complain(
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
  say(
    `${tag}: using run s3://${cfg.s3.bucket}/${ref.key}, received by S3 at ${ref.lastModified.toISOString()}; ` +
      `if the host may have been compromised before then, restore an earlier day with --date YYYY-MM-DD\n`,
  );
  const target = f.to ?? `database ${f.intoDatabase}`;
  const trap = trapSignals(tag, target);
  let err;
  try {
    const src = { sys, client, bucket: cfg.s3.bucket, signal: trap.signal };
    err =
      entry.kind === "files"
        ? await restoreFiles(src, entry, f.to!)
        : await restoreDatabase(src, entry, f.intoDatabase!, await adminConnArgs(sys, cfg, f.mysqlDefaultsFile));
  } finally {
    trap.release();
  }
  if (err) {
    complain(`${tag}: FAILED ${f.name}: ${err}\n`);
    return trap.exitCode() ?? EXIT.failed;
  }
  say(
    `${tag}: ${entry.name} (${entry.source}) from s3://${cfg.s3.bucket}/${entry.key} -> ` +
      `${target} (sha256 verified against ${ref.key})\n`,
  );
  return EXIT.ok;
}
