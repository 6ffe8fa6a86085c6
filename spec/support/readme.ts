// The README's own command lines, so tests run them as a reader would type them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../engine/paths.js";

/** The command lines of the ```bash blocks under a heading, without their # comments. */
export function readmeCommands(heading: string): string[] {
  const readme = readFileSync(join(PROJECT_ROOT, "README.md"), "utf8");
  const section = readme.split(/^#+ /m).find((s) => s.startsWith(`${heading}\n`));
  if (!section) throw new Error(`README.md has no section "${heading}"`);
  return [...section.matchAll(/```bash\n([\s\S]*?)```/g)].flatMap((m) =>
    m[1]
      .split("\n")
      .map((l) => l.replace(/\s+#.*$/, "").trim())
      .filter(Boolean),
  );
}
