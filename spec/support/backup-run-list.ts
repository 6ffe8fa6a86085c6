// Run-lists of the backup composites pointed at the suite's S3 endpoint and MariaDB, and running
// a generated job the way cron does.
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
