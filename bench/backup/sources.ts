// Sets up what the backup benchmark reads and sends with: the generated database and tree, a dump
// account with its .my.cnf, the raw and compressed files for the stages measured alone, the job's
// configs, the aws CLI's config, and Debian's awscli itself when it is missing.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jobConfig, writeConfig } from "../../spec/backup/helpers.js";
import { sqlAsRoot } from "../../spec/support/mariadb.js";
import { s3Info } from "../services.js";
import { makeDatabase, makeTree } from "./data.js";
import { AWS, producers, type Source } from "./variants.js";

export const BUCKET = "bench";
const DUMP_USER = "bench_dump";
const DUMP_PASSWORD = "bench-dump-password";

/** Installs Debian's awscli (the admin's `aws` in the shell pipeline) unless /usr/bin/aws is there. */
export function ensureAwsCli(): void {
  if (existsSync(AWS)) return;
  console.error("installing Debian's awscli for the shell pipeline (apt-get install awscli)");
  const r = spawnSync("apt-get", ["install", "-y", "--no-install-recommends", "awscli"], {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (r.status !== 0 || !existsSync(AWS)) throw new Error("could not install awscli (apt-get install awscli)");
}

/** The environment every variant runs with: test keys for aws and the job, path-style addressing, no syslog. */
export function variantEnv(work: string): Record<string, string> {
  const awsConfig = join(work, "..", "aws-config");
  writeFileSync(awsConfig, "[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n");
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/root",
    TMPDIR: work,
    AWS_ACCESS_KEY_ID: "S3RVER",
    AWS_SECRET_ACCESS_KEY: "S3RVER",
    AWS_CONFIG_FILE: awsConfig,
    AWS_SHARED_CREDENTIALS_FILE: join(work, "..", "no-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    S3_BACKUP_NO_SYSLOG: "1",
  };
}

function sh(script: string, ...args: string[]): void {
  const r = spawnSync("bash", ["-euo", "pipefail", "-c", script, "_", ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${script}: ${r.stderr}`);
}

/** Runs the producer once into a file, and compresses that the way the job does. */
function saveOutputs(producer: string[], raw: string): { rawBytes: number; compressedFile: string } {
  sh('out=$1; shift; "$@" > "$out"', raw, ...producer);
  sh('zstd -q -3 -T0 -c "$1" > "$1.zst"', raw);
  return { rawBytes: statSync(raw).size, compressedFile: `${raw}.zst` };
}

/** A job config per endpoint URL and kind, written on first use. */
function configs(root: string, backup: Record<string, unknown>, compressedFile: string): Source["config"] {
  const made = new Map<string, string>();
  return (url, what) => {
    const id = `${url} ${what}`;
    if (!made.has(id)) {
      const extra =
        what === "backup" ? { compression: "zstd", ...backup } : { compression: "none", assets: [compressedFile] };
      const cfg = jobConfig(s3Info(url), BUCKET, { name: "bench", host: "bench", ...extra });
      made.set(id, writeConfig({ ...cfg, state_dir: join(root, "state") }));
    }
    return made.get(id)!;
  };
}

/** Generates the database and the tree of about `mb` MB each under `root`; returns them as sources. */
export function prepareSources(root: string, socket: string, mb: number): Source[] {
  mkdirSync(join(root, "state"), { recursive: true });
  let t = Date.now();
  const dumpBytes = makeDatabase(socket, "bench_dump", mb);
  console.error(
    `  database: ${(dumpBytes / 1e6).toFixed(0)} MB dump, generated in ${((Date.now() - t) / 1000).toFixed(0)} s`,
  );
  sqlAsRoot(
    socket,
    `CREATE USER ${DUMP_USER}@localhost IDENTIFIED BY '${DUMP_PASSWORD}';
     GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES ON bench_dump.* TO ${DUMP_USER}@localhost`,
  );
  const myCnf = join(root, "my.cnf");
  writeFileSync(myCnf, `[client]\nuser=${DUMP_USER}\npassword=${DUMP_PASSWORD}\nsocket=${socket}\n`, { mode: 0o600 });
  t = Date.now();
  const tree = join(root, "tree");
  makeTree(tree, mb);
  console.error(`  tree: generated in ${((Date.now() - t) / 1000).toFixed(0)} s`);

  const db = producers.database(myCnf, "bench_dump");
  const files = producers.files(tree);
  const dbOut = saveOutputs(db, join(root, "dump.sql"));
  const treeOut = saveOutputs(files, join(root, "tree.tar"));
  return [
    {
      kind: "database",
      producer: db,
      rawFile: join(root, "dump.sql"),
      ...dbOut,
      config: configs(root, { mysql: { defaults_file: myCnf, databases: ["bench_dump"] } }, dbOut.compressedFile),
    },
    {
      kind: "files",
      producer: files,
      rawFile: join(root, "tree.tar"),
      ...treeOut,
      config: configs(root, { assets: [tree] }, treeOut.compressedFile),
    },
  ];
}
