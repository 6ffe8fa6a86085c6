// What one run backs up: the config's paths and the databases they expand to, each with the NAME
// used in its key, how to start its producer, and its expected size.
import { InputError } from "../engine/errors.js";
import type { BackupConfig } from "./config.js";
import { isPattern, resolveDatabases, splitEntry } from "./databases.js";
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

/** File assets, named after their paths. */
export function fileAssets(paths: string[]): Asset[] {
  return paths.map((path) => ({
    name: keySafeName(path),
    kind: "files" as const,
    source: path,
    format: "tar" as const,
    start: () => tarProducer(path),
    expectedBytes: () => estimatePathBytes(path),
  }));
}

/** A dump's source as the manifest records it: "db" or "db t1 t2", spaces normalized. */
const dumpSource = (database: string, tables: string[]) => [database, ...tables].join(" ");

/** One line per NAME that two sources would share in object keys (and in restore's --name). */
function clashes(what: string, sources: string[]): string[] {
  const by = new Map<string, string[]>();
  for (const s of sources) by.set(keySafeName(s), [...(by.get(keySafeName(s)) ?? []), s]);
  return [...by]
    .filter(([, s]) => s.length > 1)
    .map(
      ([n, s]) => `${what} ${s.map((x) => JSON.stringify(x)).join(" and ")} would share the name "${n}" in object keys`,
    );
}

/** Problems with a list of asset paths: two that would share a NAME. Pure, for converge's check(). */
export function nameClashes(assets: string[]): string[] {
  return clashes("assets", assets);
}

/**
 * Problems with a list of database entries: two plain entries that would share a NAME ("db t1"
 * and "db_t1"). Pure, for converge's check(); names that % patterns expand to are only known at
 * run time, where planAssets checks them too. Repeats of one entry are one dump, not a clash.
 */
export function databaseNameClashes(entries: string[]): string[] {
  const plain = entries.filter((e) => !isPattern(e)).map((e) => splitEntry(e));
  return clashes("databases", [...new Set(plain.map((d) => dumpSource(d.database, d.tables)))]);
}

/** Builds the run's asset list, expanding database patterns against the server. */
export async function planAssets(cfg: BackupConfig): Promise<Plan> {
  const plan: Plan = { assets: fileAssets(cfg.assets), unresolved: [], warnings: [] };
  if (cfg.mysql && cfg.mysql.databases.length > 0) {
    const defaultsFile = cfg.mysql.defaults_file;
    const r = await resolveDatabases(defaultsFile, cfg.mysql.databases);
    for (const d of r.dumps) {
      const source = dumpSource(d.database, d.tables);
      plan.assets.push({
        name: keySafeName(source),
        kind: "mysql",
        source,
        format: "sql",
        start: () => mysqldumpProducer(defaultsFile, d.database, d.tables),
        expectedBytes: async () => d.expectedBytes,
      });
    }
    plan.unresolved.push(...r.problems.map((p) => ({ source: p.entry, message: p.message })));
    plan.warnings.push(...r.empty.map((e) => `database pattern "${e}" matches no database`));
  }
  // Everything together: a file asset and a database can clash too.
  const problems = clashes(
    "assets",
    plan.assets.map((a) => a.source),
  );
  if (problems.length > 0) throw new InputError(problems);
  return plan;
}
