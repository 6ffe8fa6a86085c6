// What `--log-level debug` shows an auditor: every read a resource's load makes through the host,
// with what it found, and the decision the diff took. Why-run included: reads are what an audit
// is made of. Lines go through log(), which scrubs every known secret; contents are never shown.
import type { Stats } from "node:fs";
import type { HostView, RunResult } from "./host.js";
import { log } from "./log.js";
import { kindOf, modeString } from "./stats.js";
import type { Change } from "./resource.js";

const described = (st: Stats) =>
  `${kindOf(st).replace(/^a /, "")}, mode ${modeString(st)}, owner ${st.uid}:${st.gid}, ${st.nlink} link(s)`;

/** What a read found, in a few words. */
function found(method: string, result: unknown): string {
  if (result === undefined) return "nothing there";
  if (method === "stat") return described(result as Stats);
  if (method === "inspectFile") {
    const f = result as { stats: Stats; content?: Buffer };
    return `${described(f.stats)}, ${f.content ? `${f.content.length} bytes read` : "content not read"}`;
  }
  if (method === "run") return `exit ${(result as RunResult).exitCode}`;
  if (Array.isArray(result)) return `${result.length} entries`;
  if (result instanceof Map) return `${result.size} entries`;
  if (typeof result === "string") return `-> ${result}`;
  return "done";
}

/** The view with each read logged at debug level, as `LABEL: read METHOD ARG: FOUND`. */
export function tracedView(view: HostView, label: string): HostView {
  const traced: Record<string, unknown> = { ...view };
  for (const [method, fn] of Object.entries(view)) {
    if (typeof fn !== "function") continue;
    traced[method] = async (...args: unknown[]) => {
      const what = Array.isArray(args[0]) ? (args[0] as string[]).join(" ") : String(args[0]);
      const result: unknown = await (fn as (...a: unknown[]) => Promise<unknown>).apply(view, args);
      log("debug", `${label}: read ${method} ${what}: ${found(method, result)}`);
      return result;
    };
  }
  return traced as unknown as HostView;
}

/** Logs the diff's decision for one resource at debug level. */
export function traceDecision(label: string, changes: readonly Change[], whyRun: boolean): void {
  if (changes.length === 0) log("debug", `${label}: up to date, nothing to do`);
  for (const c of changes) log("debug", `${label}: ${whyRun ? "would" : "will"} ${c.summary}`);
}
