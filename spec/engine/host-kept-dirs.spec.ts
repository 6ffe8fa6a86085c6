// The host keeps directories only root can change open between writes, so a run of reads walks
// from / once per directory (pinned-path.ts, KeptDirs). What that must never do: keep one that
// another account can change, outlive a write, or leave a descriptor open. Each test swaps a
// directory behind the host's back and checks which one the next read sees.
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalHost } from "../../engine/host.js";

const NOBODY = 65534;

describe("directories kept open between writes", () => {
  let base: string;
  beforeAll(() => {
    // /run is root's and no one else's on Debian: a directory made there is root-only all the way from /.
    for (const d of ["/", "/run"]) {
      const st = statSync(d);
      expect(st.uid === 0 && (st.mode & 0o022) === 0, `${d} must be root-only for these tests`).toBe(true);
    }
    base = mkdtempSync("/run/converge-kept-");
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  /** Makes dir/f holding `text`, its parents as given. */
  const file = (dir: string, text: string) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "f"), text);
  };
  /** Replaces dir by a new directory whose f holds "new", as a process other than converge would. */
  const swap = (dir: string) => {
    renameSync(dir, `${dir}-old`);
    file(dir, "new");
  };
  const read = async (host: LocalHost, dir: string) => (await host.inspectFile(join(dir, "f")))?.content?.toString();

  it("keeps a root-only directory until the next write: root's own change made meanwhile is seen after it", async () => {
    const host = new LocalHost(false);
    const dir = join(base, "root-only");
    file(dir, "old");
    expect(await read(host, dir)).toBe("old");
    swap(dir);
    // Only root could have done this: the host still reads the directory it opened.
    expect(await read(host, dir)).toBe("old");
    await host.writeFileAtomic(join(base, "written"), "x", { mode: 0o600 });
    expect(await read(host, dir)).toBe("new");
    await host.close();
  });

  it("never keeps a directory another account can change, or one below it", async () => {
    const host = new LocalHost(false);
    const owned = join(base, "owned");
    const shared = join(base, "shared");
    const below = join(base, "home", "root-owned");
    for (const d of [owned, shared, below]) file(d, "old");
    chownSync(owned, NOBODY, NOBODY);
    chmodSync(shared, 0o777);
    // root's own 0755 directory, inside a home the account can rename it out of.
    chownSync(join(base, "home"), NOBODY, NOBODY);
    for (const d of [owned, shared, below]) expect(await read(host, d)).toBe("old");
    for (const d of [owned, shared, below]) swap(d);
    for (const d of [owned, shared, below]) expect(await read(host, d), d).toBe("new");
    await host.close();
  });

  it("lists, stats and reads links through kept directories too, and forgets them after any write", async () => {
    const host = new LocalHost(false);
    const dir = join(base, "listed");
    file(dir, "old");
    expect(await host.list(dir)).toEqual(["f"]);
    swap(dir);
    writeFileSync(join(dir, "g"), "");
    expect(await host.list(dir)).toEqual(["f"]);
    await host.exec(["true"]);
    expect((await host.list(dir))?.sort()).toEqual(["f", "g"]);
    expect((await host.stat(join(dir, "g")))?.isFile()).toBe(true);
    await host.close();
  });

  it("leaves no descriptor open once the run ends, however many writes came between", async () => {
    const fds = () => readdirSync("/proc/self/fd").length;
    const before = fds();
    const host = new LocalHost(false);
    const dir = join(base, "many", "levels", "deep");
    file(dir, "old");
    for (let i = 0; i < 20; i++) {
      expect(await read(host, dir)).toBe("old");
      await host.writeFileAtomic(join(base, "many", `w${i}`), "x", { mode: 0o600 });
    }
    expect(await read(host, dir)).toBe("old");
    expect(fds()).toBeGreaterThan(before);
    await host.close();
    expect(fds()).toBe(before);
  });
});
