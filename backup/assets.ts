// What one run backs up: the config's paths and the databases they expand to, each with the NAME
// used in its key, how to start its producer, and its expected size.
import { InputError } from "../engine/errors.js";
import type { BackupConfig, FileAsset } from "./config.js";
import { resolveDatabases, type ListingOptions } from "./databases.js";
import { dumpSource, keySafeName, nameClashes } from "../contract/names.js";
import type { AssetKind } from "./manifest.js";
import { mysqldumpProducer, statementTimeLimit } from "./producers/mysqldump.js";
import { estimatePathBytes, tarProducer } from "./producers/tar.js";
import type { Producer } from "./stage.js";
import type { System } from "./system.js";

export interface Asset {
  name: string;
  kind: AssetKind;
  source: string;
  /** The uncompressed format, first part of the extension: "tar" or "sql". */
  format: "tar" | "sql";
  /** Starts the producer; `secondsLeft` is the time before the run's deadline. */
  start(secondsLeft: number): Promise<Producer>;
  expectedBytes(): Promise<number | undefined>;
}

export interface Plan {
  assets: Asset[];
  /** Config entries that could not become an asset (e.g. a pattern with the server down). */
  unresolved: { source: string; message: string }[];
  warnings: string[];
  /** Why the database server could not be asked, when it could not. */
  unreachable?: string;
}

/** File assets, named after their paths. */
export function fileAssets(sys: System, assets: FileAsset[]): Asset[] {
  return assets.map((a) => ({
    name: keySafeName(a.path),
    kind: "files" as const,
    source: a.path,
    format: "tar" as const,
    start: async () => tarProducer(sys, a),
    expectedBytes: () => estimatePathBytes(sys, a.path),
  }));
}

/** Builds the run's asset list, expanding database patterns against the server. */
export async function planAssets(sys: System, cfg: BackupConfig, listing: ListingOptions): Promise<Plan> {
  const plan: Plan = { assets: fileAssets(sys, cfg.assets), unresolved: [], warnings: [] };
  if (cfg.mysql && cfg.mysql.databases.length > 0) {
    const defaultsFile = cfg.mysql.defaults_file;
    const r = await resolveDatabases(sys, defaultsFile, cfg.mysql.databases, listing);
    for (const d of r.dumps) {
      const source = dumpSource(d.database, d.tables);
      plan.assets.push({
        name: keySafeName(source),
        kind: "mysql",
        source,
        format: "sql",
        start: async (secondsLeft) =>
          mysqldumpProducer(sys, defaultsFile, d.database, d.tables, await statementTimeLimit(sys, secondsLeft)),
        expectedBytes: async () => d.expectedBytes,
      });
    }
    plan.unresolved.push(...r.problems.map((p) => ({ source: p.entry, message: p.message })));
    plan.warnings.push(...r.empty.map((e) => `database pattern "${e}" matches no database`));
    plan.unreachable = r.unreachable;
  }
  // Everything together: a file asset and a database can clash too.
  const problems = nameClashes(plan.assets.map((a) => a.source));
  if (problems.length > 0) throw new InputError(problems);
  return plan;
}
