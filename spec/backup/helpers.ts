// Shared by the backup specs: configs in temp dirs, the CLI as a child process, bucket reads.
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { randomToken, utcDay } from "../../backup/keys.js";
import type { Manifest, ManifestEntry } from "../../backup/manifest.js";
import { createBucket, testS3Client, type S3Info } from "../support/s3-server.js";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CLI = join(ROOT, "bin/s3-backup.js");

export function tempDir(label = "s3b-test-"): string {
  return mkdtempSync(join(tmpdir(), label));
}

/** A job config for the shared s3rver; `extra` overrides top-level settings, `s3` the s3 block. */
export function jobConfig(
  info: S3Info,
  bucket: string,
  extra: Record<string, unknown> = {},
  s3: Record<string, unknown> = {},
) {
  return {
    name: "shop",
    host: "web1",
    state_dir: tempDir("s3b-state-"),
    compression: "zstd",
    s3: {
      bucket,
      region: info.region,
      endpoint: info.endpoint,
      force_path_style: true,
      access_key_id: info.accessKeyId,
      secret_access_key: info.secretAccessKey,
      prefix: "backups/",
      ...s3,
    },
    ...extra,
  };
}

/** Writes a config (mode 0600) and returns its path. */
export function writeConfig(config: object): string {
  const path = join(tempDir("s3b-cfg-"), "config.yml");
  writeFileSync(path, stringify(config), { mode: 0o600 });
  return path;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  pid: number;
}

/** Runs `s3-backup ARGS` as a child process (the built bundle, dist/bundle/). */
export function runCli(
  args: string[],
  opts: { env?: Record<string, string>; onSpawn?: (pid: number) => void } = {},
): Promise<CliResult> {
  if (!existsSync(join(ROOT, "dist/bundle/s3-backup.js")))
    throw new Error("dist/bundle/ is missing: run `npm run build` first");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: {
        ...process.env,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        S3_BACKUP_NO_SYSLOG: "1",
        ...opts.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    opts.onSpawn?.(child.pid!);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr, pid: child.pid! }));
  });
}

/** Operator credentials for restore/verify, through the AWS chain's environment variables. */
export function operatorEnv(info: S3Info): Record<string, string> {
  return { AWS_ACCESS_KEY_ID: info.accessKeyId, AWS_SECRET_ACCESS_KEY: info.secretAccessKey, AWS_REGION: info.region };
}

export async function listKeys(info: S3Info, bucket: string, prefix = ""): Promise<string[]> {
  const r = await testS3Client(info).send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (r.Contents ?? []).map((o) => o.Key!).sort();
}

export async function getObject(info: S3Info, bucket: string, key: string): Promise<Buffer> {
  const r = await testS3Client(info).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await r.Body!.transformToByteArray());
}

/** A directory holding fake programs, to put first on PATH for one child process. */
export function fakeBin(programs: Record<string, string>): string {
  const dir = tempDir("s3b-bin-");
  for (const [name, script] of Object.entries(programs))
    writeFileSync(join(dir, name), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  return dir;
}

/** Writes a .my.cnf (mode 0600) with a [client] group and returns its path. */
export function cnf(lines: string[]): string {
  const path = join(tempDir("s3b-cnf-"), ".my.cnf");
  writeFileSync(path, `[client]\n${lines.join("\n")}\n`, { mode: 0o600 });
  return path;
}

export interface PlantedObject {
  name: string;
  kind: ManifestEntry["kind"];
  source: string;
  /** Stored uncompressed. */
  body: Buffer;
  /** What the manifest claims; the body's real SHA-256 unless given. */
  sha256?: string;
}

/**
 * Writes objects and a manifest vouching for them, as a compromised host could with the job's
 * key (PutObject under daily/ is all it needs). S3 sets their LastModified to now, whatever the
 * key's day or the manifest's finished_at claim. Returns the manifest's key.
 */
export async function plantRun(
  info: S3Info,
  bucket: string,
  run: {
    day: string;
    finishedAt: string;
    backup?: string;
    host?: string;
    objects: PlantedObject[];
    /** Rewrites the manifest before it is stored (a string is stored as is). */
    mangle?: (m: Manifest) => unknown;
  },
): Promise<string> {
  const client = testS3Client(info);
  const [backup, host] = [run.backup ?? "shop", run.host ?? "web1"];
  const folder = `backups/daily/${run.day}/${host}/`;
  const objects: ManifestEntry[] = [];
  for (const o of run.objects) {
    const key = `${folder}${o.name}--${randomToken()}.${o.kind === "files" ? "tar" : "sql"}`;
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: o.body }));
    const sha256 = o.sha256 ?? createHash("sha256").update(o.body).digest("hex");
    objects.push({
      name: o.name,
      kind: o.kind,
      source: o.source,
      ok: true,
      key,
      bytes: o.body.length,
      sha256,
      compression: "none",
      exits: [],
      duration_ms: 1,
    });
  }
  const manifest: Manifest = {
    format: "s3-backup-manifest/1",
    backup,
    host,
    class: "daily",
    started_at: run.finishedAt,
    finished_at: run.finishedAt,
    duration_ms: 1,
    complete: true,
    objects,
  };
  const key = `${folder}${backup}--${randomToken()}.manifest.json`;
  const stored = run.mangle ? run.mangle(manifest) : manifest;
  const body = typeof stored === "string" ? stored : JSON.stringify(stored);
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return key;
}

/** A fresh bucket holding one real run of backup "shop" on web1 of a one-file asset (index.html: "real\n"). */
export async function realRun(info: S3Info) {
  const bucket = await createBucket(info);
  const src = join(tempDir("s3b-src-"), "site");
  mkdirSync(src);
  writeFileSync(join(src, "index.html"), "real\n");
  const cfg = writeConfig(jobConfig(info, bucket, { assets: [src] }));
  const r = await runCli(["run", "--config", cfg]);
  if (r.code !== 0) throw new Error(`run exited ${r.code}: ${r.stderr}`);
  const [manifestKey] = (await listKeys(info, bucket)).filter((k) => k.endsWith(".manifest.json"));
  return { bucket, src, cfg, manifestKey };
}

/**
 * A complete run of `backup` on `host` keyed `daysAgo` days back, which the store says it received
 * then: s3rver takes LastModified from the stored file's mtime, which is set back here, since S3
 * cannot be asked to have received something days ago. Returns the manifest's key.
 */
export async function oldRun(info: S3Info, bucket: string, host: string, backup: string, daysAgo: number) {
  const at = new Date(Date.now() - daysAgo * 86_400_000);
  const key = await plantRun(info, bucket, {
    day: utcDay(at),
    finishedAt: at.toISOString(),
    host,
    backup,
    objects: [{ name: "etc_site", kind: "files", source: "/etc/site", body: Buffer.from("old\n") }],
  });
  utimesSync(join(info.directory, bucket, `${key}._S3rver_object`), at, at);
  return key;
}
