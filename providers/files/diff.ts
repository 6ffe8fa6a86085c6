// Unified diffs for reports, bounded so a huge file cannot flood the output.
import { createTwoFilesPatch } from "diff/lib/patch/create.js";

const MAX_LINES = 200;

export function unifiedDiff(path: string, before: string, after: string): string {
  const patch = createTwoFilesPatch(path, path, before, after, "current", "desired", { context: 3 });
  const lines = patch.split("\n").slice(2); // drop the "=====" banner and the Index line
  if (lines.length <= MAX_LINES) return lines.join("\n").trimEnd();
  return [...lines.slice(0, MAX_LINES), `(diff truncated: ${lines.length - MAX_LINES} more lines)`].join("\n");
}
