// Test support only: converges in-process, inside a sandbox, where a spec needs many converges
// without a Node start-up each, or something done at an exact write. It drives the compiled
// engine as the CLI does; the runner's `observe` option, which sees each write before it happens,
// is the only seam, so the product carries no test hook.
//
//   node converge-driver.mjs loop ROUNDS RUN_LIST... [-- CLI FLAGS]
//       runs the CLI's main on each run-list in turn, ROUNDS times, printing "=== exit N" after
//       each converge's own output. With BARRIER=DIR in the environment, converge number I waits
//       for DIR/go-I to exist and then creates DIR/done-I-PID, so that two drivers can be started
//       together converge by converge. A run-list name may hold "%d", replaced by I.
//   node converge-driver.mjs kill WHEN PROGRESS RUN_LIST
//       converges under the host's lock and SIGKILLs itself just before the write WHEN (a number:
//       the Nth; else the first whose "KIND TARGET" contains it). Appends each write ("effect KIND
//       TARGET") and each finished resource ("done LABEL STATUS") to PROGRESS as it happens.
//       With WHEN "-", WHEN and RUN_LIST come as one line on stdin ("WHEN RUN_LIST"), read once
//       the engine is loaded (kill - PROGRESS).
//   node converge-driver.mjs crash PLAN OUT
//       the crash trials of PLAN (JSON: runLists by transition, files, homes, users, foreign
//       crontab lines, trials [[TRANSITION, K]...]): first a reference converge of each transition
//       in turn, recording its writes and the state after it; then for each trial, a child SIGKILLed
//       just before its Kth write (none when K is 0), the state it left, and a repairing converge
//       in this process. Writes what it saw to OUT as JSON. The next child is started while a
//       repair runs, so that its Node start-up overlaps the repair.
//   node converge-driver.mjs race WHEN USER COMMAND RUN_LIST
//       converges, and just before the write WHEN runs COMMAND (sh -c) as USER: what a hostile
//       account could do at that very instant. Prints the doc report.
//   node converge-driver.mjs hold RELEASE_FILE
//       takes the host's lock as a converge does, says "holding PID", and keeps it until
//       RELEASE_FILE exists (five minutes at most).
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, lstatSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { main } from "../../dist/engine/cli.js";
import { compileFile } from "../../dist/engine/compile.js";
import { docLines } from "../../dist/engine/report/doc.js";
import { converge } from "../../dist/engine/runner.js";
import { redactor } from "../../dist/engine/secrets.js";

const [mode, ...args] = process.argv.slice(2);

/** An observer that calls `act` once, just before the write `when` names. */
function at(when, act) {
  let n = 0;
  let done = false;
  return (e) => {
    n++;
    const hit = /^\d+$/.test(when) ? n === Number(when) : `${e.kind} ${e.target}`.includes(when);
    if (hit && !done) {
      done = true;
      act();
    }
  };
}

/** The first line of stdin. */
async function firstLine() {
  for await (const line of createInterface({ input: process.stdin })) return line;
  throw new Error("nothing on stdin");
}

/** [WHEN, PROGRESS, RUN_LIST] from a line "WHEN RUN_LIST". */
function onStdin(line, progress) {
  const [when, file] = line.split(" ");
  return [when, progress, file];
}

/** A child driver in kill mode, loaded and waiting on stdin for "WHEN RUN_LIST". */
function killable(progress) {
  return spawn(process.execPath, [process.argv[1], "kill", "-", progress], { stdio: ["pipe", "ignore", "inherit"] });
}

/** Converges a run-list in this process under the host's lock, as the CLI would. */
async function convergeOnce(file, observe) {
  const { nodes } = await compileFile(file, []);
  const held = await lock();
  try {
    return await converge(nodes, { whyRun: false, observe });
  } finally {
    held?.release();
  }
}

const labels = (outcomes, status) => outcomes.filter((o) => o.status === status).map((o) => o.node.label);

/**
 * One line per managed thing: each path's type, owner, mode and content hash; each account's
 * home and shell; each crontab's content without crontab(1)'s header, and how many of the
 * foreign lines it holds.
 */
function stateOf({ files, homes, users, foreign }) {
  const names = (file) =>
    new Map(
      readFileSync(file, "utf8")
        .split("\n")
        .map((l) => l.split(":"))
        .map((f) => [f[2], f[0]]),
    );
  const [passwd, group] = [names("/etc/passwd"), names("/etc/group")];
  const hash = (data) => createHash("sha256").update(data).digest("hex").slice(0, 16);
  const lines = [];
  for (const p of [...files, ...homes]) {
    let st;
    try {
      st = lstatSync(p);
    } catch {
      lines.push(`${p} absent`);
      continue;
    }
    const type = st.isFile() ? "file" : st.isDirectory() ? "directory" : st.isSymbolicLink() ? "symlink" : "other";
    const owner = `${passwd.get(String(st.uid)) ?? st.uid}:${group.get(String(st.gid)) ?? st.gid}`;
    lines.push(`${p} ${type} ${owner} ${(st.mode & 0o7777).toString(8)} ${st.isFile() ? hash(readFileSync(p)) : ""}`);
  }
  const accounts = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .map((l) => l.split(":"));
  for (const u of users) {
    const a = accounts.find((f) => f[0] === u);
    lines.push(`account ${u} ${a ? `${a[5]} ${a[6]}` : "absent"}`);
    let tab;
    try {
      tab = readFileSync(`/var/spool/cron/crontabs/${u}`, "utf8").split("\n");
    } catch {
      lines.push(`crontab ${u} absent`);
      continue;
    }
    const body = tab.filter((l) => !l.startsWith("# DO NOT EDIT") && !l.startsWith("# ("));
    lines.push(`crontab ${u} ${hash(body.join("\n"))} ${tab.filter((l) => foreign.includes(l)).length}`);
  }
  return lines;
}

async function lock() {
  // An engine without the lock (an older build, to show what these tests catch there) runs without it.
  const { lockHost } = await import("../../dist/engine/lock.js").catch(() => ({}));
  if (!lockHost) return undefined;
  return lockHost(120, () => {});
}

if (mode === "loop") {
  const [rounds, ...rest] = args;
  const split = rest.indexOf("--");
  const files = split < 0 ? rest : rest.slice(0, split);
  const flags = split < 0 ? [] : rest.slice(split + 1);
  const barrier = process.env.BARRIER;
  let i = 0;
  for (let round = 0; round < Number(rounds); round++) {
    for (const file of files) {
      i++;
      if (barrier) while (!existsSync(`${barrier}/go-${i}`)) await sleep(5);
      process.stdout.write(`=== exit ${await main([file.replace("%d", String(i)), ...flags])}\n`);
      if (barrier) writeFileSync(`${barrier}/done-${i}-${process.pid}`, "");
    }
  }
} else if (mode === "kill") {
  // WHEN and RUN_LIST "-": both read from the first line of stdin, once the engine is loaded.
  const [when, progress, file] = args[0] === "-" ? onStdin(await firstLine(), args[1]) : args;
  const { nodes } = await compileFile(file, []);
  await lock();
  const kill = at(when, () => process.kill(process.pid, "SIGKILL"));
  await converge(nodes, {
    whyRun: false,
    observe: (e) => {
      kill(e);
      appendFileSync(progress, `effect ${e.kind} ${e.target}\n`);
    },
    onOutcome: (o) => appendFileSync(progress, `done ${o.node.label} ${o.status}\n`),
  });
} else if (mode === "crash") {
  const plan = JSON.parse(readFileSync(args[0], "utf8"));
  const out = { states: { setup: stateOf(plan) }, reference: {}, trials: [] };
  for (const [t, file] of Object.entries(plan.runLists)) {
    const effects = [];
    const outcomes = await convergeOnce(file, (e) => effects.push(`${e.kind} ${e.target}`));
    out.reference[t] = { effects, updated: labels(outcomes, "updated"), failed: labels(outcomes, "failed") };
    out.states[t] = stateOf(plan);
  }
  const progress = `${args[1]}.progress`;
  let child = killable(progress);
  for (const [t, k] of plan.trials) {
    const trial = { transition: t, k };
    if (k) {
      writeFileSync(progress, "");
      child.stdin.end(`${k} ${plan.runLists[t]}\n`);
      trial.signal = await new Promise((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
      trial.progress = readFileSync(progress, "utf8").split("\n").filter(Boolean);
      trial.after = stateOf(plan);
      child = killable(progress);
    }
    const outcomes = await convergeOnce(plan.runLists[t], () => {});
    trial.updated = labels(outcomes, "updated");
    trial.failed = outcomes.filter((o) => o.status === "failed").map((o) => `${o.node.label}: ${o.error}`);
    trial.repaired = stateOf(plan);
    trial.leftovers = ["/var/lib", ...plan.homes].flatMap((d) => {
      try {
        return readdirSync(d).filter((f) => f.includes("converge-"));
      } catch {
        return [];
      }
    });
    out.trials.push(trial);
  }
  child.kill("SIGKILL");
  writeFileSync(args[1], JSON.stringify(out));
} else if (mode === "race") {
  const [when, user, command, file] = args;
  const { nodes } = await compileFile(file, []);
  await lock();
  let last;
  await converge(nodes, {
    whyRun: false,
    observe: at(when, () => execFileSync("runuser", ["-u", user, "--", "sh", "-c", command], { stdio: "inherit" })),
    onOutcome: (o) => {
      console.log(redactor.scrub(docLines(o, false, last).join("\n")));
      last = o.node.parent;
    },
  });
} else if (mode === "hold") {
  await lock();
  console.log(`holding ${process.pid}`);
  for (const deadline = Date.now() + 300_000; !existsSync(args[0]) && Date.now() < deadline; ) await sleep(20);
} else {
  throw new Error(`unknown mode ${mode}`);
}
