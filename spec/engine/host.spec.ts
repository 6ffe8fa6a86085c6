// What the host lets a child process see: never converge's own environment, where secrets
// given by {"env": ...} live.
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
