// s3_mysql_backup: the seed's MySQL backup. Besides the common pieces it creates a database
// account with only the privileges a dump needs, and the .my.cnf through which the job uses it.
import { join } from "node:path";
import { DATABASE_ENTRY } from "../contract/config-fragments.js";
import { databaseNameClashes } from "../contract/names.js";
import { endpointOf } from "../providers/mysql/connection.js";
import { defineComposite, type Declaration } from "../engine/resource.js";
import { absolutePath, secret } from "../engine/schema/fragments.js";
import type { PropsOf } from "../engine/schema/types.js";
import { schema as mysqlUserSchema } from "./mysql_user.js";
import {
  backupName,
  commonKeywords,
  commonProperties,
  expandBackup,
  generatedFile,
  layoutOf,
} from "./backup/common.js";

/** How a client reaches the server: a unix socket, or host and port. */
const endpoint = {
  socket: absolutePath,
  host: { type: "string", minLength: 1 },
  port: { type: "integer", minimum: 1, maximum: 65535 },
} as const;

export const schema = {
  type: "object",
  properties: {
    ...commonProperties,
    mysql: {
      type: "object",
      properties: {
        admin: mysqlUserSchema.properties.admin,
        user: {
          type: "string",
          minLength: 1,
          maxLength: 80,
          description: "the dump account; default the system user's name",
        },
        password: secret("the dump account's password"),
        host: { type: "string", minLength: 1, default: "localhost", description: "the host part of the dump account" },
        connection: {
          type: "object",
          description: "how the dump connects, when not the way admin does",
          properties: endpoint,
          additionalProperties: false,
        },
      },
      required: ["password"],
      additionalProperties: false,
    },
    databases: {
      type: "array",
      items: DATABASE_ENTRY,
      minItems: 1,
      description: 'names, % patterns ("wp_%"), or "db table1 table2"',
    },
  },
  required: ["s3", "mysql", "databases"],
  additionalProperties: false,
} as const;

type Props = PropsOf<typeof schema>;

export const s3MysqlBackup = defineComposite<Props>({
  type: "s3_mysql_backup",
  description: "A scheduled mysqldump of databases to S3: user, database account, .my.cnf, config, script, cron job.",
  keywords: commonKeywords,
  schema,
  nameSchema: backupName,
  check(props, action, name) {
    if (action === "remove") return [];
    const clashes = databaseNameClashes(props.databases).map((p) => `properties/databases: ${p}`);
    if (clashes.length) return clashes;
    const dump = endpointOf(props.mysql.connection ?? props.mysql.admin ?? {});
    // Over TCP the server sees this machine's address, so an account at "localhost" cannot log in.
    if (dump.host && !isLoopback(dump.host) && props.mysql.host === "localhost") {
      return [
        `properties/mysql/host: the dump connects over TCP to ${dump.host}:${dump.port}, where the account ` +
          `'${props.mysql.user ?? layoutOf(name, props).user}'@'localhost' cannot log in: give the host part the dump connects from (this machine's address, or a % pattern)`,
      ];
    }
    return [];
  },
  expand(name, props, action) {
    const layout = layoutOf(name, props);
    const mycnf = join(layout.home, ".my.cnf");
    const m = props.mysql ?? { host: "localhost" };
    const account = m.user ?? layout.user;
    // The dump connects the way admin does unless told otherwise; the local socket by default.
    const via = endpointOf(m.connection ?? m.admin ?? {});
    const extra: Declaration[] = [
      {
        type: "mysql_user",
        name: account,
        action,
        properties: {
          host: m.host,
          ...(action === "create" ? { password: m.password } : {}),
          // A "db table1 table2" entry needs its whole database readable for a consistent dump.
          databases: [...new Set((props.databases ?? []).map((d) => d.split(" ")[0]))],
          ...(m.admin ? { admin: m.admin } : {}),
        },
      },
      generatedFile(layout, action, {
        path: mycnf,
        template: "my.cnf.hbs",
        variables: { user: account, password: m.password, ...via },
        mode: "0600",
        sensitive: true,
      }),
    ];
    const config = { mysql: { defaults_file: mycnf, databases: props.databases } };
    return expandBackup("s3_mysql_backup", name, props, action, { config, extra });
  },
});

const isLoopback = (host: string) => /^127\.\d+\.\d+\.\d+$/.test(host) || host === "::1";
