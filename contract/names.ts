// The names converge and the job agree on beyond config.yml: the NAME each asset or database gets
// in object keys (and the clashes a converge can refuse up front), and the metrics file's. Pure
// and light: converge's resources import it, so it must not load a driver or the SDK.
import { join } from "node:path";
import { isPattern, splitEntry } from "./database-entries.js";

/** Makes an asset's NAME part from a path or database spec: safe in keys and URLs. */
export function keySafeName(s: string): string {
  const n = s.replace(/^\/+|\/+$/g, "").replace(/[^A-Za-z0-9._-]+/g, "_");
  return n === "" ? "root" : n;
}

/** The file node_exporter reads in `dir`; the temporary file must not end in .prom. */
export function metricsPath(dir: string, backup: string): string {
  return join(dir, `s3_backup_${backup}.prom`);
}

/** A dump's source as the manifest records it: "db" or "db t1 t2", spaces normalized. */
export const dumpSource = (database: string, tables: string[]) => [database, ...tables].join(" ");

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
