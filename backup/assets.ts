// What one run backs up: the config's paths and the databases they expand to, each with the NAME
// used in its key, how to start its producer, and its expected size.
import { InputError } from "../engine/errors.js";
import type { BackupConfig } from "./config.js";
import { resolveDatabases } from "./databases.js";
import { keySafeName } from "./keys.js";
import type { AssetKind } from "./manifest.js";
import { mysqldumpProducer } from "./producers/mysqldump.js";
import { estimatePathBytes, tarProducer } from "./producers/tar.js";
import type { Producer } from "./stage.js";

export interface Asset {
  name: string;
  kind: AssetKind;
  source: string;
  /** The uncompressed format, first part of the extension: "tar" or "sql". */
  format: "tar" | "sql";
  start(): Producer;
  expectedBytes(): Promise<number | undefined>;
}

export interface Plan {
  assets: Asset[];
  /** Config entries that could not become an asset (e.g. a pattern with the server down). */
  unresolved: { source: string; message: string }[];
  warnings: string[];
}

/** Names of file assets are derived from their paths; they must differ. Pure: checked at load. */
export function fileAssets(paths: string[]): Asset[] {
  return paths.map((path) => ({
    name: keySafeName(path), kind: "files" as const, source: path, format: "tar" as const,
    start: () => tarProducer(path), expectedBytes: () => estimatePathBytes(path),
  }));
}

function assertUniqueNames(assets: Asset[]): void {
  const by = new Map<string, string[]>();
  for (const a of assets) by.set(a.name, [...(by.get(a.name) ?? []), a.source]);
  const clashes = [...by].filter(([, s]) => s.length > 1);
  if (clashes.length > 0) {
    throw new InputError(clashes.map(([n, s]) => `assets ${s.map((x) => JSON.stringify(x)).join(" and ")} would share the name "${n}" in object keys`));
  }
}

/** Builds the run's asset list, expanding database patterns against the server. */
export async function planAssets(cfg: BackupConfig): Promise<Plan> {
  const plan: Plan = { assets: fileAssets(cfg.assets), unresolved: [], warnings: [] };
  if (cfg.mysql && cfg.mysql.databases.length > 0) {
    const defaultsFile = cfg.mysql.defaults_file;
    const r = await resolveDatabases(defaultsFile, cfg.mysql.databases);
    for (const d of r.dumps) {
      const source = [d.database, ...d.tables].join(" ");
      plan.assets.push({
        name: keySafeName(source), kind: "mysql", source, format: "sql",
        start: () => mysqldumpProducer(defaultsFile, d.database, d.tables),
        expectedBytes: async () => d.expectedBytes,
      });
    }
    plan.unresolved.push(...r.problems.map((p) => ({ source: p.entry, message: p.message })));
    plan.warnings.push(...r.empty.map((e) => `database pattern "${e}" matches no database`));
  }
  assertUniqueNames(plan.assets);
  return plan;
}
