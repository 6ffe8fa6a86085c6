// What the host keeps for a run besides programs' answers: remembered reads, until any write, and
// things held open (a database connection), until the run ends or they die. Nothing here touches
// the machine: the writes are effects that do nothing, or a crontab(1) that refuses its flag.
import { describe, expect, it } from "vitest";
import { LocalHost } from "../../engine/host.js";

const noWrite = (host: LocalHost) => host.effect({ kind: "sql", target: "nothing" }, async () => {});

describe("remember", () => {
  it("asks once until a write, then asks again; why-run reads too", async () => {
    for (const whyRun of [false, true]) {
      const host = new LocalHost(whyRun);
      let asked = 0;
      const read = () => host.view().remember("listing", async () => ++asked);
      expect([await read(), await read()]).toEqual([1, 1]);
      if (whyRun) continue;
      await noWrite(host);
      expect(await read()).toBe(2);
    }
  });

  it("forgets an answer even across a write that keeps programs' answers (a crontab install)", async () => {
    // The host cannot tell what a remembered read depends on, so every write forgets it.
    const host = new LocalHost(false);
    let asked = 0;
    await host.remember("k", async () => ++asked);
    // crontab refuses the flag and changes nothing, but the write was announced all the same.
    await expect(host.exec(["crontab", "--no-such-flag"])).rejects.toThrow();
    expect(await host.remember("k", async () => ++asked)).toBe(2);
  });

  it("does not keep a rejected answer, and keeps different keys apart", async () => {
    const host = new LocalHost(true);
    await expect(host.remember("k", () => Promise.reject(new Error("server gone")))).rejects.toThrow("server gone");
    expect(await host.remember("k", async () => "fresh")).toBe("fresh");
    expect(await host.remember("other", async () => "other")).toBe("other");
  });
});

describe("hold", () => {
  /** A host and a log of what was opened and closed. */
  function setup() {
    const host = new LocalHost(true);
    const log: string[] = [];
    const losers: (() => void)[] = [];
    let n = 0;
    const hold = (key: string, fail = false) =>
      host.view().hold(
        key,
        async (lost) => {
          const name = `${key}#${++n}`;
          log.push(`open ${name}`);
          if (fail) throw new Error(`cannot open ${name}`);
          losers.push(lost);
          return name;
        },
        async (name) => void log.push(`close ${name}`),
      );
    return { host, log, losers, hold };
  }

  it("opens once per key for the run, and closes each when the run ends", async () => {
    const { host, log, hold } = setup();
    expect([await hold("a"), await hold("a"), await hold("b")]).toEqual(["a#1", "a#1", "b#2"]);
    await noWrite(host).catch(() => {}); // a write (refused here in why-run) does not close anything
    expect(await hold("a")).toBe("a#1");
    await host.close();
    expect(log).toEqual(["open a#1", "open b#2", "close a#1", "close b#2"]);
  });

  it("does not keep a failed open: the next call opens again", async () => {
    const { host, log, hold } = setup();
    await expect(hold("a", true)).rejects.toThrow("cannot open a#1");
    expect(await hold("a")).toBe("a#2");
    await host.close();
    expect(log).toEqual(["open a#1", "open a#2", "close a#2"]);
  });

  it("forgets what was lost without closing it; a late second loss does not forget its successor", async () => {
    const { host, log, losers, hold } = setup();
    await hold("a");
    losers[0]();
    expect(await hold("a")).toBe("a#2");
    losers[0]();
    expect(await hold("a")).toBe("a#2");
    await host.close();
    expect(log).toEqual(["open a#1", "open a#2", "close a#2"]);
  });

  it("ignores a failure to close", async () => {
    const host = new LocalHost(false);
    await host.hold(
      "a",
      async () => "a",
      () => Promise.reject(new Error("already gone")),
    );
    await expect(host.close()).resolves.toBeUndefined();
  });
});
