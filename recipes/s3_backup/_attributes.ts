// What recipe[s3_backup::file] and ::mysql share: one backup resource per entry of
// attributes.s3_backup.KIND, keyed by backup name. Attributes end up in logs and node objects,
// which is the seed's reason to keep secrets out of them: here a secret may only be a reference.
import type { RecipeContext } from "../../engine/recipe-api.js";
import { resourceType } from "../../engine/registry.js";
import { literalSecrets } from "../../engine/secrets.js";

type Kind = "file" | "mysql";
const TYPES = { file: "s3_file_backup", mysql: "s3_mysql_backup" } as const;

export async function declareBackups(r: RecipeContext, kind: Kind): Promise<void> {
  const type = TYPES[kind];
  const { schema } = (await resourceType(type))!;
  const backups: Record<string, Record<string, unknown>> = r.attributes.s3_backup?.[kind] ?? {};
  for (const [name, properties] of Object.entries(backups)) {
    const literal = literalSecrets(schema as never, properties);
    if (literal.length) {
      throw new Error(
        `attributes/s3_backup/${kind}/${name}${literal[0]}: a secret in attributes; give {"env": "VAR"} or {"file": "/path"} instead`,
      );
    }
    r.resource(type, name, properties as never);
  }
}
