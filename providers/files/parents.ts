// The directory a new file or directory goes into must exist, or (in why-run) be about to.
import { PreconditionError } from "../../engine/errors.js";
import type { LoadContext } from "../../engine/resource.js";

export async function requireDirectory(ctx: LoadContext, dir: string, hint = ""): Promise<void> {
  if (await ctx.host.stat(dir)) return;
  if (ctx.whyRun && ctx.wouldExist(`dir:${dir}`)) return ctx.assume(`directory ${dir} would have been created`);
  throw new PreconditionError(`directory ${dir} does not exist${hint}`);
}
