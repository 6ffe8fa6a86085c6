// The doc format: one line per resource, Chef's way, with changes, diffs and assumptions under it.
import { printable } from "../input/text.js";
import type { Outcome } from "../runner.js";

/** Lines for one outcome; `lastParent` is the composite whose header was printed last. */
export function docLines(o: Outcome, whyRun: boolean, lastParent: string | undefined): string[] {
  const { node } = o;
  const lines: string[] = [];
  const pad = node.parent ? "  " : "";
  if (node.parent && node.parent !== lastParent) lines.push(`* ${node.parent} action ${node.decl.action}`);
  const tag =
    { up_to_date: " (up to date)", skipped: " (skipped after an earlier failure)", failed: " (FAILED)" }[
      o.status as string
    ] ?? "";
  lines.push(`${pad}* ${node.label} action ${node.decl.action}${tag}`);
  for (const a of o.assumptions) lines.push(`${pad}  - assuming ${a}`);
  for (const c of o.changes) {
    lines.push(`${pad}  - ${whyRun ? `Would ${c.summary}` : c.summary}`);
    if (c.diff) lines.push(...c.diff.split("\n").map((l) => `${pad}    ${l}`));
  }
  if (o.error) lines.push(...o.error.split("\n").map((l) => `${pad}  ! ${l}`));
  // A diff or an error quotes what is on the host, which another account may have written: no
  // byte of it may drive the terminal.
  return lines.map(printable);
}

export function docSummary(outcomes: readonly Outcome[], whyRun: boolean, seconds: number): string {
  const changed = outcomes.filter((o) => o.status === "updated" || o.status === "would_update").length;
  const failed = outcomes.filter((o) => o.status === "failed").length;
  const skipped = outcomes.filter((o) => o.status === "skipped").length;
  const verb = whyRun ? "would be updated (why-run)" : "updated";
  const extra = `${failed ? `, ${failed} failed` : ""}${skipped ? `, ${skipped} skipped` : ""}`;
  return `converge: ${changed}/${outcomes.length} resources ${verb}${extra} in ${seconds.toFixed(2)} s`;
}
