// File producer: a GNU tar stream of one absolute path. Members are stored relative to / (as
// ./srv/www/...), so `tar -x -C /` puts them back in place and `--to DIR` mirrors the layout.
// tar's defaults are what we want: symlinks stored as links, modes, owners and mtimes kept.
//
// A file written while tar reads it (a log being appended to) makes tar exit 1 with "file
// changed as we read it": its copy in the archive may be torn. The asset's on_change decides:
// "fail" (the default) treats that like any other failure, so no object is completed; "warn"
// completes the object, provided every complaint tar made was of that kind, and the files are
// named in the manifest and on stderr.
import type { FileAsset } from "../config.js";
import type { ChangedFile } from "../manifest.js";
import { producerOf, type Producer, type StageEnd } from "../stage.js";
import type { System } from "../system.js";

/** argv for tar; the path is given as ./relative so no name can be mistaken for an option. */
export function tarArgs(path: string): string[] {
  const rel = path.replace(/^\/+/, "").replace(/\/+$/, "");
  return ["--create", "--file=-", "--directory=/", rel === "" ? "." : `./${rel}`];
}

// GNU tar's messages for a file that moved under it (src/create.c); it exits 1 for each of them.
const CHANGES: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^tar: \.(\/.*): file changed as we read it$/, () => "changed while it was read"],
  [
    /^tar: \.(\/.*): File shrank by (\d+) bytes; padding with zeros$/,
    (m) => `shrank by ${m[2]} bytes while it was read (padded with zeros)`,
  ],
  [/^tar: \.(\/.*): File removed before we read it$/, () => "removed before it was read"],
];

/** The change a line of tar's stderr reports, or undefined for any other line. */
export function changeIn(line: string): ChangedFile | undefined {
  for (const [re, note] of CHANGES) {
    const m = re.exec(line);
    if (m) return { path: m[1], note: note(m) };
  }
  return undefined;
}

/** Starts tar on the asset; its stdout is the archive, and its end is judged by on_change. */
export function tarProducer(sys: System, asset: FileAsset): Producer {
  const child = sys.spawn(["tar", ...tarArgs(asset.path)]);
  const changed: ChangedFile[] = [];
  let others = 0;
  let partial = "";
  const take = (line: string) => {
    if (line.trim() === "") return;
    const c = changeIn(line);
    if (c) changed.push(c);
    else others++;
  };
  child.stderr?.on("data", (b: Buffer) => {
    const lines = (partial + b.toString("utf8")).split("\n");
    partial = lines.pop() ?? "";
    lines.forEach(take);
  });
  child.stderr?.on("end", () => take(partial));
  const p = producerOf(child, "tar");
  const judge = (end: StageEnd): StageEnd => {
    if (changed.length === 0 || end.code !== 1) return end;
    if (asset.on_change === "warn" && others === 0) return { ...end, ok: true, changed };
    return { ...end, changed, detail: `${end.detail ?? ""} (on_change: "warn" would keep such a copy)`.trim() };
  };
  return { ...p, ended: p.ended.then(judge) };
}

/** Apparent size of a path in bytes (du -sb), to size the upload's parts; undefined if unknown. */
export async function estimatePathBytes(sys: System, path: string): Promise<number | undefined> {
  const r = await sys.run(["du", "-s", "-b", path]).catch(() => undefined);
  const n = Number.parseInt(r?.stdout ?? "", 10);
  return Number.isFinite(n) ? n : undefined;
}
