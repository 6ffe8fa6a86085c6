// The host, the one choke point for side effects: what a child process sees (never converge's
// own environment, where secrets given by {"env": ...} live), and the observer every write passes.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LocalHost } from "../../engine/host.js";

describe("LocalHost child processes", () => {
  it("get a fixed PATH and the C locale, and none of converge's environment", async () => {
    process.env.SPEC_HOST_SECRET = "inherited-secret-value";
    try {
      const r = await new LocalHost(false).exec(["env"], { env: { GIVEN: "yes" } });
      const vars = Object.fromEntries(
        r.stdout
          .trim()
          .split("\n")
          .map((l) => l.split(/=(.*)/s).slice(0, 2)),
      );
      expect(vars).toEqual({
        PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        LC_ALL: "C",
        GIVEN: "yes",
      });
    } finally {
      delete process.env.SPEC_HOST_SECRET;
    }
  });
});

describe("LocalHost observer (the fault suite's hook)", () => {
  it("sees every write before it happens, and can stop one: that write never takes place", async () => {
    const dir = mkdtempSync(join(tmpdir(), "host-spec-"));
    const seen: string[] = [];
    const host = new LocalHost(false, (e) => {
      seen.push(`${e.kind} ${e.target.replace(/converge-[0-9a-f]{12}/g, "converge-X")}`);
      if (seen.length === 4) throw new Error("injected fault");
    });
    await host.writeFileAtomic(join(dir, "a"), "1", { mode: 0o600 });
    await expect(host.writeFileAtomic(join(dir, "b"), "2", { mode: 0o600 })).rejects.toThrow("injected fault");
    const tmp = (n: string) => join(dir, `.${n}.converge-X`);
    expect(seen).toEqual([
      `write ${tmp("a")}`,
      `rename ${tmp("a")} -> ${join(dir, "a")}`,
      `write ${tmp("b")}`,
      `rename ${tmp("b")} -> ${join(dir, "b")}`,
      // The clean-up of the stopped rename's temporary file is a write too, announced like the rest.
      `remove ${tmp("b")}`,
    ]);
    // The stopped rename leaves neither b nor its temporary file.
    expect(readdirSync(dir)).toEqual(["a"]);
    rmSync(dir, { recursive: true });
  });
});

describe("LocalHost realpath", () => {
  it("follows every link on the way, as realpath(1) does, and answers undefined where a path leads nowhere", async () => {
    const dir = mkdtempSync(join(tmpdir(), "host-realpath-"));
    try {
      mkdirSync(join(dir, "real"));
      writeFileSync(join(dir, "real/file"), "x");
      symlinkSync("real", join(dir, "hop"));
      symlinkSync(join(dir, "hop/file"), join(dir, "link"));
      symlinkSync("loop-b", join(dir, "loop-a"));
      symlinkSync("loop-a", join(dir, "loop-b"));
      symlinkSync("nowhere", join(dir, "dangling"));
      const view = new LocalHost(true).view();
      for (const p of ["link", "hop/file", "real/../hop/./file"]) {
        const answer = await view.realpath(join(dir, p));
        expect(answer).toBe(execFileSync("realpath", ["-e", "--", join(dir, p)], { encoding: "utf8" }).trim());
        expect(answer).toBe(join(realpathSync(dir), "real/file"));
      }
      for (const p of ["missing", "dangling", "loop-a", "real/file/below"])
        expect(await view.realpath(join(dir, p))).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
