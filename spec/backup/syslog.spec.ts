// Every line the job prints reaches syslog, tagged s3-backup[PID] with its priority: the test
// runs the job in a private mount namespace whose /dev is an overlay (the machine's /dev is never
// touched) with its own /dev/log, a unix datagram socket socat listens on (Node has none).
import { execa } from "execa";
import { chmodSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, inject, test } from "vitest";
import { createBucket } from "../support/s3-server.js";
import { jobConfig, ROOT, tempDir, writeConfig } from "./helpers.js";

const s3 = inject("s3");
let bucket: string;

beforeAll(async () => {
  bucket = await createBucket(s3);
});

interface Logged {
  code: number;
  pid: number;
  stdout: string;
  stderr: string;
  /** Each syslog message: its PRI and the text after "TAG[PID]: ". */
  messages: { pri: number; tag: string; text: string }[];
}

/** Runs `s3-backup run` with a syslog listener on a private /dev/log. */
async function runWithSyslog(cfg: string): Promise<Logged> {
  const t = tempDir("s3b-syslog-");
  for (const d of ["u", "w"]) mkdirSync(join(t, d));
  const script = `
    mount -t overlay overlay -o lowerdir=/dev,upperdir=${t}/u,workdir=${t}/w /dev
    socat -u UNIX-RECV:/dev/log,mode=666 OPEN:${t}/syslog,creat,append & listener=$!
    for i in $(seq 100); do [ -S /dev/log ] && break; sleep 0.05; done
    "$@" & job=$!
    wait $job; code=$?
    sleep 0.5; kill $listener
    echo "JOB_PID=$job" >&2
    exit $code`;
  const r = await execa(
    "unshare",
    [
      "--mount",
      "--fork",
      "--",
      "bash",
      "-c",
      script,
      "_",
      process.execPath,
      join(ROOT, "bin/s3-backup.js"),
      "run",
      "--config",
      cfg,
    ],
    {
      reject: false,
      env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
      extendEnv: true,
      timeout: 60_000,
    },
  );
  const pid = Number(/JOB_PID=(\d+)/.exec(r.stderr)?.[1]);
  // Datagrams are appended back to back; each starts "<PRI>Mmm dd hh:mm:ss ".
  const raw = readFileSync(join(t, "syslog"), "utf8");
  const messages = raw
    .split(/(?=<\d{1,3}>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d )/)
    .filter((m) => m !== "")
    .map((m) => {
      // logger's local format: no host name.
      const x = /^<(\d+)>\w{3} [ \d]\d \d\d:\d\d:\d\d (\S+): (.*)$/s.exec(m);
      return { pri: Number(x?.[1]), tag: x?.[2] ?? "", text: (x?.[3] ?? m).replace(/\n$/, "") };
    });
  return {
    code: r.exitCode ?? -1,
    pid,
    stdout: r.stdout,
    stderr: r.stderr.replace(/JOB_PID=\d+\n?/, ""),
    messages,
  };
}

const lines = (s: string) => s.split("\n").filter((l) => l !== "");
// user facility (1) * 8 + severity: err 3, warning 4, info 6.
const PRI = { err: 11, warning: 12, info: 14 };

describe("syslog", () => {
  test("a successful run: each object's line and the summary at user.info, tagged s3-backup[PID], keys masked", async () => {
    const asset = tempDir("s3b-ok-");
    const r = await runWithSyslog(writeConfig(jobConfig(s3, bucket, { assets: [asset] })));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // Without a terminal (cron) stdout has the summary only; syslog also has each object's line.
    expect(lines(r.stdout)).toHaveLength(1);
    const tag = `s3-backup[${r.pid}]`;
    expect(r.messages).toEqual([
      {
        pri: PRI.info,
        tag,
        text: expect.stringMatching(/^s3-backup shop: ok \S+ \(.*\) -> s3:\/\/\S+--…[\w-]{4}\.tar\.zst /),
      },
      { pri: PRI.info, tag, text: lines(r.stdout)[0] },
    ]);
    expect(r.messages.at(-1)!.text).toMatch(/^s3-backup shop: 1\/1 objects backed up \(monthly\)/);
  }, 120_000);

  test("a failed run: every stderr line at user.err (warnings at user.warning), stdout at user.info", async () => {
    const missing = join(tempDir("s3b-gone-"), "not-there");
    const config = jobConfig(s3, bucket, { assets: [missing, tempDir("s3b-ok-")] });
    const cfg = writeConfig(config);
    chmodSync(cfg, 0o644); // world-readable: a warning
    const r = await runWithSyslog(cfg);
    expect(r.code).toBe(1);
    const tag = `s3-backup[${r.pid}]`;
    const expected = [
      ...lines(r.stderr).map((text) => ({ pri: / warning: /.test(text) ? PRI.warning : PRI.err, tag, text })),
      ...lines(r.stdout).map((text) => ({ pri: PRI.info, tag, text })),
    ];
    // The good asset's own line is in syslog only (no terminal), at user.info.
    const detail = r.messages.filter((m) => /^s3-backup shop: ok /.test(m.text));
    expect(detail).toEqual([{ pri: PRI.info, tag, text: expect.stringMatching(/--…[\w-]{4}\.tar\.zst /) }]);
    expect(r.messages.filter((m) => !detail.includes(m)).sort((a, b) => a.text.localeCompare(b.text))).toEqual(
      expected.sort((a, b) => a.text.localeCompare(b.text)),
    );
    expect(r.messages).toContainEqual({
      pri: PRI.err,
      tag,
      text: expect.stringMatching(/^s3-backup shop: FAILED \S*not-there .*tar exited 2/),
    });
    expect(r.messages).toContainEqual({
      pri: PRI.err,
      tag,
      text: expect.stringMatching(/^s3-backup shop: FAILED \(monthly\): 1\/2 objects backed up/),
    });
  }, 120_000);
});
