// The host, the one choke point for side effects: what a child process sees (never converge's
// own environment, where secrets given by {"env": ...} live), and the observer every write passes.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
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
