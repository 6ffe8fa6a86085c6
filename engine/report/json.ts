// The json format of CONTRACT.md: one document on stdout.
import type { Outcome } from "../runner.js";
import { redactor } from "../secrets.js";

export function jsonReport(outcomes: readonly Outcome[], whyRun: boolean): string {
  const resources = outcomes.map((o) => ({
    type: o.node.def.type,
    name: o.node.decl.name,
    action: o.node.decl.action,
    status: o.status,
    changes: o.changes.map((c) => (c.diff ? { summary: c.summary, diff: c.diff } : { summary: c.summary })),
    duration_ms: Math.round(o.durationMs),
    ...(o.node.parent ? { parent: o.node.parent } : {}),
    ...(o.assumptions.length ? { assumptions: o.assumptions } : {}),
    ...(o.error ? { error: o.error } : {}),
  }));
  const summary = {
    total: outcomes.length,
    updated: outcomes.filter((o) => o.status === "updated" || o.status === "would_update").length,
    failed: outcomes.filter((o) => o.status === "failed").length,
  };
  // Scrubbed before serializing: a secret quoted inside a summary would be escaped twice in JSON,
  // and no longer look like itself to a scrub of the text.
  return JSON.stringify(redactor.scrubValue({ why_run: whyRun, resources, summary }), null, 2);
}
