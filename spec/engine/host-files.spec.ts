// The host's file operations against names another account controls, on the real filesystem:
// a directory of `nobody` stands for a service account's home. Each test sets up the trap (a
// link, a hard link, a FIFO, a parent swapped at the last moment) and checks the file it aimed at.
import { execFileSync } from "node:child_process";
import {
  chownSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { LocalHost } from "../../engine/host.js";
import { UnsafePath } from "../../engine/pinned-path.js";

const NOBODY = 65534;

describe("host file operations on names another account controls", () => {
  const top = mkdtempSync(join(tmpdir(), "host-files-"));
  let n = 0;
  let home: string;
  let victim: string;
  const host = new LocalHost(false);
  beforeEach(() => {
    // A root-only directory holding root's victim, and an account's home beside it.
    const base = join(top, String(n++));
    mkdirSync(join(base, "root-only"), { recursive: true, mode: 0o755 });
    victim = join(base, "root-only", "victim");
    writeFileSync(victim, "root's own\n", { mode: 0o644 });
    home = join(base, "home");
    mkdirSync(home, { mode: 0o700 });
    chownSync(home, NOBODY, NOBODY);
  });
  afterAll(() => rmSync(top, { recursive: true, force: true }));
  const victimState = () => `${statSync(victim).mode.toString(8)} ${statSync(victim).uid} ${readFileSync(victim)}`;

  it("reads a plain file from the descriptor it checked, and never reads a link, a hard link or a FIFO", async () => {
    writeFileSync(join(home, "plain"), "mine\n");
    chownSync(join(home, "plain"), NOBODY, NOBODY);
    symlinkSync(victim, join(home, "link"));
    linkSync(victim, join(home, "hard"));
    execFileSync("mkfifo", [join(home, "fifo")]);
    const plain = await host.inspectFile(join(home, "plain"));
    expect(plain?.content?.toString()).toBe("mine\n");
    expect(plain?.trusted).toBe(true);
    const link = await host.inspectFile(join(home, "link"));
    expect(link?.stats.isSymbolicLink()).toBe(true);
    expect(link?.content).toBeUndefined();
    const hard = await host.inspectFile(join(home, "hard"));
    expect([hard?.stats.nlink, hard?.content]).toEqual([2, undefined]);
    // Not opened for reading at all: a FIFO would block.
    expect((await host.inspectFile(join(home, "fifo")))?.content).toBeUndefined();
    expect(await host.inspectFile(join(home, "missing"))).toBeUndefined();
  });

  it("does not vouch for a root file in the account's home: the account may have moved it there", async () => {
    writeFileSync(join(home, "rootfile"), "whose?\n");
    expect((await host.inspectFile(join(home, "rootfile")))?.trusted).toBe(false);
    expect((await host.inspectFile(victim))?.trusted).toBe(true);
  });

  it("writes over a link or a hard link by replacing the name; the file it pointed to is untouched", async () => {
    const before = victimState();
    symlinkSync(victim, join(home, "link"));
    linkSync(victim, join(home, "hard"));
    for (const name of ["link", "hard"]) {
      await host.writeFileAtomic(join(home, name), "new\n", { mode: 0o600, uid: NOBODY, gid: NOBODY });
      const st = lstatSync(join(home, name));
      expect([st.isFile(), st.nlink, st.uid, st.mode & 0o777]).toEqual([true, 1, NOBODY, 0o600]);
    }
    expect(victimState()).toBe(before);
  });

  it("renames into the directory it checked, even if the account swaps that directory for a link at the last moment", async () => {
    const sub = join(home, "sub");
    mkdirSync(sub);
    const host = new LocalHost(false, (e) => {
      if (e.kind !== "rename") return;
      renameSync(sub, join(home, "moved"));
      symlinkSync(join(victim, ".."), sub);
    });
    await host.writeFileAtomic(join(sub, "victim"), "redirected?\n", { mode: 0o666 });
    expect(readFileSync(join(home, "moved", "victim"), "utf8")).toBe("redirected?\n");
    expect(victimState()).toBe(`100644 0 root's own\n`);
  });

  it("never follows a link the account controls on the way to a path", async () => {
    symlinkSync(join(victim, ".."), join(home, "sub"));
    const through = join(home, "sub", "victim");
    await expect(host.inspectFile(through)).rejects.toBeInstanceOf(UnsafePath);
    await expect(host.writeFileAtomic(through, "x", { mode: 0o600 })).rejects.toThrow(
      `${join(home, "sub")} is a symbolic link in a directory that someone other than root can change`,
    );
    await expect(host.mkdir(join(through, "d"), { recursive: true })).rejects.toBeInstanceOf(UnsafePath);
    await expect(host.remove(through)).rejects.toBeInstanceOf(UnsafePath);
    expect(victimState()).toBe(`100644 0 root's own\n`);
  });

  it("follows a link only root could have made (root's, in a directory only root can write)", async () => {
    symlinkSync(join(victim, ".."), join(victim, "..", "..", "alias"));
    const file = await host.inspectFile(join(victim, "..", "..", "alias", "victim"));
    expect(file?.content?.toString()).toBe("root's own\n");
  });

  it("makes a directory that appears already owned and moded, and leaves nothing when stopped before the rename", async () => {
    const seen: string[] = [];
    const made = join(home, "made");
    await new LocalHost(false, (e) => void seen.push(e.kind)).mkdir(made, {
      recursive: false,
      mode: 0o710,
      uid: NOBODY,
    });
    expect(seen).toEqual(["mkdir", "rename"]);
    expect([statSync(made).uid, statSync(made).mode & 0o777]).toEqual([NOBODY, 0o710]);
    const stopping = new LocalHost(false, (e) => {
      if (e.kind === "rename") throw new Error("stopped");
    });
    await expect(stopping.mkdir(join(home, "never"), { recursive: false })).rejects.toThrow("stopped");
    expect(readdirSync(home)).toEqual(["made"]);
  });

  it("sets a directory's owner and mode through its descriptor, and refuses a link or a file", async () => {
    const before = victimState();
    await host.chmod(home, 0o750);
    expect(statSync(home).mode & 0o777).toBe(0o750);
    symlinkSync(join(victim, ".."), join(home, "dirlink"));
    symlinkSync(victim, join(home, "filelink"));
    for (const path of [join(home, "dirlink"), join(home, "filelink"), victim]) {
      await expect(host.chmod(path, 0o600)).rejects.toThrow("is not a directory");
      await expect(host.chown(path, NOBODY, NOBODY)).rejects.toThrow("is not a directory");
    }
    expect(victimState()).toBe(before);
    expect(statSync(join(victim, "..")).uid).toBe(0);
  });

  it("removes the account's tree without following a link in it, and unlinks a link rather than its target", async () => {
    mkdirSync(join(home, "a", "b"), { recursive: true });
    writeFileSync(join(home, "a", "b", "f"), "x");
    symlinkSync(join(victim, ".."), join(home, "a", "dirlink"));
    linkSync(victim, join(home, "a", "hard"));
    symlinkSync(victim, join(home, "link"));
    await host.remove(join(home, "link"));
    expect(existsSync(victim)).toBe(true);
    await host.remove(home, { recursive: true });
    expect(existsSync(home)).toBe(false);
    expect(readdirSync(join(victim, ".."))).toEqual(["victim"]);
    expect(victimState()).toBe(`100644 0 root's own\n`);
  });

  it("removes the leftovers of an interrupted write of a path, and nothing else", async () => {
    const left = [".conf.converge-0123456789ab", ".conf.converge-aaaaaaaaaaaa"];
    writeFileSync(join(home, left[0]), "half");
    symlinkSync(victim, join(home, left[1]));
    const others = [".conf.converge-short", ".other.converge-0123456789ab", "conf"];
    for (const f of others) writeFileSync(join(home, f), "keep");
    const seen: string[] = [];
    await new LocalHost(false, (e) => void seen.push(`${e.kind} ${e.target}`)).removeLeftovers(join(home, "conf"));
    expect(readdirSync(home).sort()).toEqual(others.sort());
    expect(seen.sort()).toEqual(left.map((f) => `remove ${join(home, f)} (left by an interrupted write)`).sort());
    expect(victimState()).toBe(`100644 0 root's own\n`);
  });

  it("removes each path's leftovers exactly, over several paths of one directory in one run", async () => {
    // One host, as a run has: the directory is listed once and looked up by name after that.
    const names = ["a", "b", "x.y+z", "xAy+z"];
    const left = [".b.converge-0123456789ab", ".x.y+z.converge-bbbbbbbbbbbb", ".b.converge-cccccccccccc"];
    for (const f of left) writeFileSync(join(home, f), "half");
    const others = [".a.converge-short", ".xy+z.converge-0123456789ab", ...names];
    for (const f of others) writeFileSync(join(home, f), "keep");
    const seen: string[] = [];
    const host = new LocalHost(false, (e) => void seen.push(`${e.kind} ${e.target}`));
    for (const n of names) await host.removeLeftovers(join(home, n));
    expect(readdirSync(home).sort()).toEqual(others.sort());
    expect(seen.sort()).toEqual(left.map((f) => `remove ${join(home, f)} (left by an interrupted write)`).sort());
  });
});
