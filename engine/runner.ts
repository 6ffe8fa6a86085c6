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
  const view = host.view();
  const provided = new Set<string>();
  const outcomes: Outcome[] = [];
  let failed = false;
  for (const node of nodes) {
    const started = performance.now();
    const assumptions: string[] = [];
    const ctx: LoadContext = {
      host: tracedView(view, node.label),
      whyRun: opts.whyRun,
      assume: (text) => void assumptions.push(text),
      missing: missingPolicy(opts.whyRun, provided, (text) => void assumptions.push(text)),
    };
    const { def, decl } = node;
    const outcome: Outcome = { node, status: "skipped", changes: [], assumptions, durationMs: 0 };
    // A real run stops at the first failure (later resources may depend on it); why-run reports everything.
    if (!failed) {
      try {
        const state = await def.load(ctx, decl.name, decl.properties, decl.action);
        outcome.changes = def.diff(state, decl.action, decl.name, decl.properties);
        traceDecision(node.label, outcome.changes, opts.whyRun);
        if (outcome.changes.length && !opts.whyRun) {
          const { action, name, properties: props } = decl;
          await def.apply({ host, state, ops: outcome.changes.map((c) => c.op), action, name, props });
          const after = await def.load(ctx, decl.name, decl.properties, decl.action);
          const left = def.diff(after, decl.action, decl.name, decl.properties);
          if (left.length) throw new Error(`not converged after applying: ${left.map((c) => c.summary).join("; ")}`);
        }
        if (!opts.whyRun) await def.tidy?.(host, decl.name, decl.properties, decl.action);
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
