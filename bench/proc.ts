// What a process tree costs while it runs, read from /proc: each program's peak resident set
// (VmHWM), its CPU seconds and the bytes it sent towards storage (write_bytes, counted when a
// page is dirtied, so a temp file counts even if it is deleted before it reaches the disk).
// /proc is sampled, so a process that lives less than one interval may be missed, and the last
// interval of a process's CPU and writes is not seen: figures are lower bounds, close enough at
// the sizes measured here. The kernel here has no /proc/PID/task/TID/children, so every sample
// reads the parent of every process.
import { readdirSync, readFileSync } from "node:fs";

const TICK = 100; // USER_HZ, the unit of utime and stime in /proc/PID/stat on Linux

export interface ProgramCost {
  /** Largest peak RSS of one process of this name, MiB. */
  peakMiB: number;
  /** CPU seconds of all processes of this name. */
  cpuS: number;
  /** Bytes they sent towards storage. */
  writtenBytes: number;
  processes: number;
}

interface Seen {
  comm: string;
  hwmKiB: number;
  cpuTicks: number;
  written: number;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined; // gone, or not ours to read
  }
}

/** [parent pid, command name, utime + stime in ticks] of a process, or undefined once it is gone. */
function stat(pid: number | string): [number, string, number] | undefined {
  const text = read(`/proc/${pid}/stat`);
  // The name is in parentheses and may hold spaces or parentheses itself: split after the last ")".
  const close = text?.lastIndexOf(")") ?? -1;
  if (!text || close < 0) return undefined;
  const f = text.slice(close + 2).split(" ");
  return [Number(f[1]), text.slice(text.indexOf("(") + 1, close), Number(f[11]) + Number(f[12])];
}

/** pid -> its stat() for every process now. */
function processTable(): Map<number, [number, string, number]> {
  const out = new Map<number, [number, string, number]>();
  for (const d of readdirSync("/proc")) {
    const row = /^\d+$/.test(d) ? stat(d) : undefined;
    if (row) out.set(Number(d), row);
  }
  return out;
}

/** Samples a process and all its descendants until stopped; `stop()` returns the cost per program name. */
export function watchTree(rootPid: number, everyMs = 100): { stop(): Record<string, ProgramCost> } {
  const seen = new Map<number, Seen>();
  const sample = () => {
    const table = processTable();
    const inTree = new Set([rootPid]);
    // Parents have lower pids only until pids wrap: repeat until no new member is found.
    for (let grew = true; grew; ) {
      grew = false;
      for (const [pid, [ppid]] of table)
        if (!inTree.has(pid) && inTree.has(ppid)) {
          inTree.add(pid);
          grew = true;
        }
    }
    for (const pid of inTree) {
      const row = table.get(pid);
      if (!row) continue;
      const hwm = /VmHWM:\s+(\d+) kB/.exec(read(`/proc/${pid}/status`) ?? "");
      const written = /write_bytes:\s+(\d+)/.exec(read(`/proc/${pid}/io`) ?? "");
      const prev = seen.get(pid);
      seen.set(pid, {
        comm: row[1],
        hwmKiB: Math.max(prev?.hwmKiB ?? 0, hwm ? Number(hwm[1]) : 0),
        cpuTicks: Math.max(prev?.cpuTicks ?? 0, row[2]),
        written: Math.max(prev?.written ?? 0, written ? Number(written[1]) : 0),
      });
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const out: Record<string, ProgramCost> = {};
      for (const s of seen.values()) {
        const c = (out[s.comm] ??= { peakMiB: 0, cpuS: 0, writtenBytes: 0, processes: 0 });
        c.peakMiB = Math.max(c.peakMiB, Math.round(s.hwmKiB / 1024));
        c.cpuS += s.cpuTicks / TICK;
        c.writtenBytes += s.written;
        c.processes += 1;
      }
      return out;
    },
  };
}

/** CPU seconds a running process has used so far (for a long-lived server measured around a run). */
export function cpuSeconds(pid: number): number {
  const ticks = stat(pid)?.[2];
  return ticks === undefined ? NaN : ticks / TICK;
}
