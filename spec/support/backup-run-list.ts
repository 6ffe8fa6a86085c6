// Run-lists of the backup composites pointed at the suite's S3 endpoint and MariaDB, and running
// a generated job the way cron does.
import { join } from "node:path";
import { expect } from "vitest";
import { PROJECT_ROOT } from "../../engine/paths.js";
import type { S3Info } from "./s3-server.js";
import type { Result, Sandbox } from "./sandbox.js";

/** Secrets reach converge through its environment, as users are told to pass them. */
export function secretsEnv(s3: S3Info, dbPassword = "Dump pa$$ word #1; 'x'"): Record<string, string> {
  return { S3_KEY_ID: s3.accessKeyId, S3_SECRET: s3.secretAccessKey, DB_PASSWORD: dbPassword };
}

export function s3Properties(s3: S3Info, bucket: string): Record<string, unknown> {
  return {
    bucket,
    region: s3.region,
    endpoint: s3.endpoint,
    force_path_style: true,
    access_key_id: { env: "S3_KEY_ID" },
    secret_access_key: { env: "S3_SECRET" },
  };
}

/** Runs the generated script as its user with cron's bare environment (Debian cron: HOME, LOGNAME, SHELL, PATH). */
export function runLikeCron(sb: Sandbox, user: string, script: string): Promise<Result> {
  const home = `/var/lib/${user}`;
  const env = [`HOME=${home}`, `LOGNAME=${user}`, "SHELL=/bin/sh", "PATH=/usr/bin:/bin"];
  return sb.exec(["runuser", "-u", user, "--", "env", "-i", ...env, script]);
}

/** What remove must give back: accounts, groups, crontabs and /var/lib, as text to compare. */
export async function accountsAndCrontabs(sb: Sandbox): Promise<string> {
  return (await sb.sh("cat /etc/passwd /etc/shadow /etc/group /etc/gshadow; ls -A /var/spool/cron/crontabs /var/lib"))
    .stdout;
}

/**
 * `s3-backup restore` as the operator would run it, inside the sandbox: with the operator's
 * credentials from the environment (here the endpoint's keys), never the job's.
 */
export function restoreAsOperator(
  sb: Sandbox,
  s3: S3Info,
  config: string,
  name: string,
  target: string[],
): Promise<Result> {
  const argv = [process.execPath, join(PROJECT_ROOT, "bin/s3-backup.js")];
  return sb.exec([...argv, "restore", "--config", config, "--name", name, ...target], {
    env: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey },
  });
}

/**
 * A why-run of a backup on a machine that has none of it: exit 3, each piece listed under the
 * backup, all of them counted as would-be updates but the check that its user could run the job
 * (up to date: checked as the account about to be created), and nothing written in the sandbox.
 */
export async function expectBareWhyRun(
  sb: Sandbox,
  doc: unknown,
  env: Record<string, string>,
  backup: string,
  pieces: string[],
): Promise<void> {
  const before = await sb.snapshot();
  const r = await sb.converge(doc, ["--why-run"], env);
  expect(r.exitCode, r.stderr).toBe(3);
  expect(r.stdout).toContain(`* ${backup} action create`);
  for (const piece of pieces) expect(r.stdout).toContain(`  * ${piece} action create`);
  expect(r.stdout).toContain(
    `  * access_check[${backup.replace(/^(\w+)\[(.*)\]$/, "$1 $2")}] action create (up to date)`,
  );
  expect(r.stdout).toContain(`converge: ${pieces.length}/${pieces.length + 1} resources would be updated (why-run)`);
  expect(await sb.snapshot()).toEqual(before);
}
