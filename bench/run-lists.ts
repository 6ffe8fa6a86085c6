// The run-lists the converge benchmark times: N primitives of one kind, and N s3_mysql_backup
// entries (each about eight primitives), all against the bench's private MariaDB and S3 endpoint.
// Secrets are {"env"} references to the variables of spec/support/backup-run-list.ts secretsEnv().
import { join } from "node:path";
import { PROJECT_ROOT } from "../engine/paths.js";
import { s3Properties } from "../spec/support/backup-run-list.js";
import { entry, runList, type Entry } from "../spec/support/run-lists.js";
import type { S3Info } from "../spec/support/s3-server.js";

export const PRIMITIVE_KINDS = [
  "system_user",
  "directory",
  "template_file",
  "cron_entry",
  "mysql_user",
  "access_check",
] as const;
export type PrimitiveKind = (typeof PRIMITIVE_KINDS)[number];

export interface Targets {
  /** The MariaDB socket mysql_user and the backups administer accounts through. */
  socket: string;
  s3: S3Info;
  bucket: string;
}

const cron = (i: number) => ({ minute: String(i % 60), hour: String(Math.floor(i / 60) % 24) });

/** One primitive of a kind, the i-th of a run-list: names and paths differ, the work is alike. */
function primitive(kind: PrimitiveKind, i: number, t: Targets): Entry {
  switch (kind) {
    case "system_user":
      // Regular accounts: Debian's system uid range (100-999) holds fewer than 1,000 of them.
      return entry("system_user", `bench_u${i}`, { home: `/var/lib/bench_u${i}`, system: false });
    case "directory":
      return entry("directory", `/var/lib/bench-dirs/d${i}`, { owner: "root", mode: "0750", recursive: true });
    case "template_file":
      return entry("template_file", `/etc/bench-${i}.conf`, {
        content: `# bench file ${i}\nname = bench-${i}\nport = ${8000 + i}\n`,
        owner: "root",
        mode: "0640",
      });
    case "cron_entry":
      return entry("cron_entry", `bench-${i}`, { user: "root", ...cron(i), command: `/usr/bin/true bench-${i}` });
    case "mysql_user":
      return entry("mysql_user", `bench_m${i}`, {
        password: { env: "DB_PASSWORD" },
        databases: ["bench_shop"],
        admin: { socket: t.socket },
      });
    case "access_check":
      return entry("access_check", `bench-${i}`, {
        user: "nobody",
        execute: [process.execPath],
        read: [join(PROJECT_ROOT, "bin/converge.js"), join(PROJECT_ROOT, "dist/engine/cli.js")],
      });
  }
}

/** A run-list of `n` primitives of one kind. */
export function primitivesRunList(kind: PrimitiveKind, n: number, t: Targets) {
  return runList(...Array.from({ length: n }, (_, i) => primitive(kind, i, t)));
}

/** A run-list of `n` MySQL backups of one database, each with its user, account, files and cron job. */
export function mysqlBackupsRunList(n: number, t: Targets) {
  return runList(
    ...Array.from({ length: n }, (_, i) =>
      entry("s3_mysql_backup", `shop${i}`, {
        mysql: { password: { env: "DB_PASSWORD" }, admin: { socket: t.socket } },
        databases: ["bench_shop"],
        s3: s3Properties(t.s3, t.bucket),
        cron: cron(i),
        mailto: "dba@example.com",
      }),
    ),
  );
}
