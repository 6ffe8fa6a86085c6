// Converging compiled primitives, Chef's way: for each, load current state, diff (pure), apply
// exactly those changes, then load again to prove it converged. In why-run, apply never runs
// and the host refuses writes; what earlier resources would create is remembered so later ones
// can state their assumptions instead of failing.
import { missingPolicy } from "./assumptions.js";
import type { Node } from "./compile.js";
import { reasonOf } from "./errors.js";
import { LocalHost, type Observer } from "./host.js";
import type { Change, LoadContext } from "./resource.js";
import { traceDecision, tracedView } from "./trace.js";

export type Status = "up_to_date" | "updated" | "would_update" | "skipped" | "failed";

export interface Outcome {
  node: Node;
  status: Status;
  changes: Change[];
  assumptions: string[];
  error?: string;
  durationMs: number;
}

export interface ConvergeOptions {
  whyRun: boolean;
  /** Called as each resource finishes, so reports can stream. */
  onOutcome?: (o: Outcome) => void;
  /** Sees every write before it happens (logging, tests, fault injection). */
  observe?: Observer;
}

export async function converge(nodes: readonly Node[], opts: ConvergeOptions): Promise<Outcome[]> {
  const host = new LocalHost(opts.whyRun, opts.observe);
  try {
    return await convergeOn(host, nodes, opts);
  } finally {
    // What resources held open for the run (a database connection) ends with it, failed or not.
    await host.close();
  }
}

async function convergeOn(host: LocalHost, nodes: readonly Node[], opts: ConvergeOptions): Promise<Outcome[]> {
  const view = host.view();
  const provided = new Set<string>();
  const outcomes: Outcome[] = [];
  let failed = false;
  for (const node of nodes) {
    const started = performance.now();
    const assumptions: string[] = [];
    const { def, decl } = node;
    const declared = { name: decl.name, props: decl.properties, action: decl.action };
    const ctx: LoadContext = {
      ...declared,
      host: tracedView(view, node.label),
      whyRun: opts.whyRun,
      assume: (text) => void assumptions.push(text),
      missing: missingPolicy(opts.whyRun, provided, (text) => void assumptions.push(text)),
    };
    const outcome: Outcome = { node, status: "skipped", changes: [], assumptions, durationMs: 0 };
    // A real run stops at the first failure (later resources may depend on it); why-run reports everything.
    if (!failed) {
      try {
        const state = await def.load(ctx);
        outcome.changes = def.diff({ ...declared, state });
        traceDecision(node.label, outcome.changes, opts.whyRun);
        const applied = { ...declared, host, state, ops: outcome.changes.map((c) => c.op) };
        if (outcome.changes.length && !opts.whyRun) {
          await def.apply(applied);
          const left = def.diff({ ...declared, state: await def.load(ctx) });
          if (left.length) throw new Error(`not converged after applying: ${left.map((c) => c.summary).join("; ")}`);
        }
        if (!opts.whyRun) await def.tidy?.(applied);
        if (outcome.changes.length && opts.whyRun)
          for (const p of def.provides?.(decl.name, decl.properties, decl.action) ?? []) provided.add(p);
        outcome.status = outcome.changes.length ? (opts.whyRun ? "would_update" : "updated") : "up_to_date";
      } catch (err) {
        outcome.status = "failed";
        outcome.error = reasonOf(err);
        failed = !opts.whyRun;
      }
    }
    outcome.durationMs = performance.now() - started;
    outcomes.push(outcome);
    opts.onOutcome?.(outcome);
  }
  return outcomes;
}
