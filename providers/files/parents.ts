// The directory a new file or directory goes into must exist: a missing one is reported to the
// engine, which decides whether why-run may assume it (engine/assumptions.ts).
import type { LoadContext } from "../../engine/resource.js";

/** Returns when `dir` exists or may be assumed to; throws PreconditionError otherwise. */
export async function requireDirectory(ctx: LoadContext, dir: string, hint?: string): Promise<void> {
  if (!(await ctx.host.stat(dir))) ctx.missing(`dir:${dir}`, { hint });
}
