// `s3-backup verify`: a restore drill over the newest trusted manifest (backup/trust.ts), or that
// day's newest with --date. Each object is restored to a temporary directory under --work-dir or
// a temporary database (SHA-256 checked, dumps read sandboxed), compared with the live source,
// and removed. A restore that fails makes the drill fail; differences from the live source are
// reported, since live data may have changed since. SIGINT/SIGTERM stops the drill after
// removing what the current restore made.
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXIT, InputError } from "../engine/errors.js";
import { operatorS3Client } from "../providers/s3/client.js";
import { describeS3Error, s3ErrorMessage } from "../providers/s3/errors.js";
import { trapSignals } from "./interrupt.js";
import { listManifests, trustedManifests, whatExists } from "./catalog.js";
import type { BackupConfig } from "./config.js";
import type { Manifest } from "./manifest.js";
import type { ManifestRef } from "./trust.js";
import { adminConnArgs, ident, mysqlQuery } from "./mysql-client.js";
import { restoreDatabase, restoreFiles } from "./restore.js";
import { localSystem, type FileOps, type System } from "./system.js";
import { ReadDenied } from "./denied.js";
import { complain, say } from "./say.js";

/** Relative paths under `root` whose type, mode, content or link target differ from `live`. */
export function treeDifferences(fs: FileOps, root: string, live: string): string[] {
  const diffs: string[] = [];
  const walk = (rel: string) => {
    const a = join(root, rel);
    const b = join(live, rel);
    let sa, sb;
    try {
      sa = fs.lstatSync(a);
      sb = fs.lstatSync(b);
    } catch {
      diffs.push(rel || ".");
      return;
    }
    if (sa.mode !== sb.mode || sa.uid !== sb.uid || sa.gid !== sb.gid) {
      diffs.push(rel || ".");
      return;
    }
    if (sa.isSymbolicLink()) {
      if (fs.readlinkSync(a) !== fs.readlinkSync(b)) diffs.push(rel);
      return;
    }
    if (sa.isFile()) {
      if (sa.size !== sb.size || !fs.readFileSync(a).equals(fs.readFileSync(b))) diffs.push(rel);
      return;
    }
    if (sa.isDirectory()) {
      const names = new Set([...fs.readdirSync(a), ...fs.readdirSync(b)]);
      for (const n of names) walk(rel ? join(rel, n) : n);
    }
  };
  walk("");
  return diffs;
}

async function tableChecksums(sys: System, conn: string[], db: string): Promise<Map<string, string>> {
  const tables = await mysqlQuery(sys, conn, `SHOW FULL TABLES FROM ${ident(db)} WHERE Table_type = 'BASE TABLE'`);
  if (tables.length === 0) return new Map();
  const rows = await mysqlQuery(
    sys,
    conn,
    `CHECKSUM TABLE ${tables.map(([t]) => `${ident(db)}.${ident(t)}`).join(", ")}`,
  );
  return new Map(rows.map(([t, sum]) => [t.slice(t.indexOf(".") + 1), sum]));
}

export interface VerifyFlags {
  host?: string;
  /** Only runs keyed by this day (YYYY-MM-DD); default: the newest trusted run. */
  date?: string;
  /** Where archives are unpacked for comparison: as much free space as the largest one needs. */
  workDir?: string;
  mysqlDefaultsFile?: string;
}

/** The `verify` command; returns the exit code. */
export async function verifyCommand(cfg: BackupConfig, opts: VerifyFlags, sys: System = localSystem): Promise<number> {
  const workDir = opts.workDir ?? tmpdir();
  if (!sys.fs.statSync(workDir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new InputError([`verify: --work-dir ${workDir}: not a directory`]);
  }
  const client = operatorS3Client(cfg.s3, cfg.timeouts);
  const tag = `s3-backup verify ${cfg.name}`;
  const sel = { backup: cfg.name, host: opts.host ?? cfg.host, date: opts.date };
  const warn = (m: string) => complain(`${tag}: warning: ${m}\n`);
  let refs: ManifestRef[] = [];
  let newest: { ref: ManifestRef; manifest: Manifest } | undefined;
  try {
    refs = await listManifests(client, cfg.s3, opts.date);
    for await (const m of trustedManifests(client, cfg.s3, refs, sel, warn)) {
      newest = m;
      break;
    }
  } catch (err) {
    complain(`${tag}: ${err instanceof ReadDenied ? err.message : describeS3Error(err, cfg.s3.bucket).message}\n`);
    return EXIT.failed;
  }
  if (!newest) {
    complain(
      `${tag}: FAILED: no trusted run for host ${sel.host}${opts.date ? ` on ${opts.date}` : ""} ` +
        `in s3://${cfg.s3.bucket}/${cfg.s3.prefix}\n` +
        `${whatExists(refs, sel).join("\n")}\n`,
    );
    return EXIT.failed;
  }
  say(
    `${tag}: run s3://${cfg.s3.bucket}/${newest.ref.key}, received by S3 at ${newest.ref.lastModified.toISOString()}\n`,
  );
  const conn = await adminConnArgs(sys, cfg, opts.mysqlDefaultsFile);
  const trap = trapSignals(tag, "a temporary s3b_verify_* database or s3-backup-verify-* directory");
  const src = { sys, client, bucket: cfg.s3.bucket, signal: trap.signal };
  let failed = 0;
  for (const e of newest.manifest.objects) {
    if (trap.signal.aborted) break;
    if (!e.ok) {
      failed++;
      complain(`${tag}: FAILED ${e.name}: not in this backup (${e.error})\n`);
      continue;
    }
    let err: string | undefined;
    let note = "";
    try {
      if (e.kind === "files") {
        const dir = sys.fs.mkdtempSync(join(workDir, "s3-backup-verify-"));
        try {
          err = await restoreFiles(src, e, dir);
          if (!err) {
            const diffs = treeDifferences(sys.fs, join(dir, e.source), e.source);
            note =
              diffs.length === 0
                ? "identical to live"
                : `${diffs.length} path(s) differ from live (changed since?): ${diffs.slice(0, 5).join(", ")}`;
          }
        } finally {
          sys.fs.rmSync(dir, { recursive: true, force: true });
        }
      } else {
        const db = `s3b_verify_${randomBytes(4).toString("hex")}`;
        try {
          err = await restoreDatabase(src, e, db, conn);
          if (!err) {
            const [restored, live] = await Promise.all([
              tableChecksums(sys, conn, db),
              tableChecksums(sys, conn, e.source.split(" ")[0]),
            ]);
            const differ = [...restored].filter(([t, s]) => live.get(t) !== s).map(([t]) => t);
            note =
              `${restored.size} table(s), ` +
              (differ.length === 0
                ? "checksums identical to live"
                : `checksums differ from live (changed since?): ${differ.join(", ")}`);
          }
        } finally {
          await mysqlQuery(sys, conn, `DROP DATABASE IF EXISTS ${ident(db)}`).catch((x: Error) => {
            complain(`${tag}: warning: temporary database ${db} is left (${x.message}): drop it by hand\n`);
          });
        }
      }
    } catch (x) {
      err = s3ErrorMessage(x, cfg.s3.bucket);
    }
    if (err) {
      failed++;
      complain(`${tag}: FAILED ${e.name}: ${err}\n`);
    } else say(`${tag}: ok ${e.name}: restored, sha256 verified, ${note}\n`);
  }
  trap.release();
  const interrupted = trap.exitCode();
  const total = newest.manifest.objects.length;
  say(`${tag}: ${total - failed}/${total} restored${interrupted ? " (interrupted)" : ""}\n`);
  return interrupted ?? (failed === 0 ? EXIT.ok : EXIT.failed);
}
