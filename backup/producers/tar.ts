// File producer: a GNU tar stream of one absolute path. Members are stored relative to / (as
// ./srv/www/...), so `tar -x -C /` puts them back in place and `--to DIR` mirrors the layout.
// tar's defaults are what we want: symlinks stored as links, modes, owners and mtimes kept.
import { spawn } from "node:child_process";
import { runProgram } from "../../engine/program.js";
import { producerOf, type Producer } from "../stage.js";

/** argv for tar; the path is given as ./relative so no name can be mistaken for an option. */
export function tarArgs(path: string): string[] {
  const rel = path.replace(/^\/+/, "").replace(/\/+$/, "");
  return ["--create", "--file=-", "--directory=/", rel === "" ? "." : `./${rel}`];
}

/** Starts tar on `path`; its stdout is the archive. */
export function tarProducer(path: string): Producer {
  const child = spawn("tar", tarArgs(path), { stdio: ["ignore", "pipe", "pipe"] });
  return producerOf(child, "tar");
}

/** Apparent size of a path in bytes (du -sb), to size the upload's parts; undefined if unknown. */
export async function estimatePathBytes(path: string): Promise<number | undefined> {
  const r = await runProgram("du", ["-s", "-b", path]).catch(() => undefined);
  const n = Number.parseInt(r?.stdout ?? "", 10);
  return Number.isFinite(n) ? n : undefined;
}
