// Timing a command from inside the process tree it runs in: a small bash reads $EPOCHREALTIME
// just before and after the command. Timed from the benchmark process, every figure would also
// hold that process's own fork, whose cost grows with its memory (page tables are copied): on
// this machine a spawn from a 2 GB process took half a second, which once inflated the converge
// floor from 0.44 to 1.13 s.
import { randomUUID } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const SCRIPT = 'out=$1; shift; s=$EPOCHREALTIME; "$@"; rc=$?; echo "$s $EPOCHREALTIME" > "$out"; exit $rc';

/** argv wrapped in the timing bash, which writes its times to a file in `dir`; `seconds()` reads them once the command has ended. */
export function timed(argv: string[], dir: string): { argv: string[]; seconds(): number } {
  const file = join(dir, `timing-${randomUUID()}`);
  return {
    argv: ["bash", "-c", SCRIPT, "timed", file, ...argv],
    seconds() {
      const [start, end] = readFileSync(file, "utf8").trim().split(" ").map(Number);
      rmSync(file);
      return end - start;
    },
  };
}
