// The NAME each asset or database gets in object keys, and the clashes a converge can refuse up
// front. Pure and light: converge's resources import it, so it must not load a driver or the SDK.
import { isPattern, splitEntry } from "./database-entries.js";
import { keySafeName } from "./keys.js";

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
