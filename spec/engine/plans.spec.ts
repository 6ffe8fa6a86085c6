// Planning as pure data: a resource's diff is computed from a loaded state without a machine, and
// apply carries out the operations it is handed and nothing else. apply is given a recording host
// (a mock: the writes it would make need root and real accounts, which the resources' own specs use).
import { describe, expect, it } from "vitest";
import type { Host } from "../../engine/host.js";
import type { Change, Primitive } from "../../engine/resource.js";
import type { CronEntry } from "../../providers/cron/crontab.js";
import { withEntry } from "../../providers/cron/crontab.js";
import { cronEntry } from "../../resources/cron_entry.js";
import { directory } from "../../resources/directory.js";
import { systemUser } from "../../resources/system_user.js";

/** A mock host that records each write as a line instead of making it. */
function recordingHost(): { host: Host; writes: string[] } {
  const writes: string[] = [];
  const record = (line: string) => async () => void writes.push(line);
  const host = {
    stat: async () => undefined,
    exec: async (argv: readonly string[]) => (writes.push(argv.join(" ")), { stdout: "", stderr: "", exitCode: 0 }),
    chown: async (path: string, uid: number, gid: number) => record(`chown ${uid}:${gid} ${path}`)(),
    chmod: async (path: string, mode: number) => record(`chmod ${mode.toString(8)} ${path}`)(),
    mkdir: async (path: string, o: object) => record(`mkdir ${path} ${JSON.stringify(o)}`)(),
    remove: async (path: string) => record(`remove ${path}`)(),
  } as unknown as Host;
  return { host, writes };
}

/** What diff plans, as (summary, operation) pairs. */
const planned = (changes: Change[]) => changes.map((c) => [c.summary, c.op]);

async function applied<P, S, D, O>(def: Primitive<P, S, D, O>, name: string, props: P, state: any, ops: O[]) {
  const { host, writes } = recordingHost();
  await def.apply({ host, state, ops, action: "create", name, props });
  return writes;
}

const account = { uid: 998, group: "backup_x", home: "/srv/x", shell: "/bin/bash", comment: "", groups: [] };

describe("system_user plans as data", () => {
  it("phrases each differing property with its old value and carries the value to set", () => {
    const desired = { shell: "/usr/sbin/nologin", uid: 1001, groups: ["adm"], system: true, manage_home: true };
    expect(
      planned(systemUser.diff({ state: { current: account, desired }, action: "create", name: "x", props: desired })),
    ).toEqual([
      ["set uid to 1001 (was 998)", { kind: "set", property: "uid", value: 1001 }],
      [
        'set shell to "/usr/sbin/nologin" (was "/bin/bash")',
        { kind: "set", property: "shell", value: "/usr/sbin/nologin" },
      ],
      ["add to groups adm", { kind: "add-groups", groups: ["adm"] }],
    ]);
  });

  it("applies only the operations it is given, in one usermod", async () => {
    const desired = { shell: "/usr/sbin/nologin", uid: 1001, system: true, manage_home: false };
    const state = { current: account, desired };
    expect(
      await applied(systemUser, "x", desired, state, [{ kind: "set", property: "shell", value: "/bin/sh" }]),
    ).toEqual(["usermod --shell /bin/sh x"]);
  });
});

describe("directory plans as data", () => {
  const current = { owner: "root", group: "root", mode: "0777" };

  it("creates with the ownership it sets, and changes only what differs on an existing one", () => {
    const desired = { owner: "root", group: "root", mode: "0710" };
    const props = { ...desired, recursive: false, adopt: true };
    expect(
      planned(directory.diff({ state: { current: undefined, desired }, action: "create", name: "/d", props })),
    ).toEqual([
      ["create new directory /d", { kind: "create" }],
      ["set owner to 'root'", { kind: "own", property: "owner", value: "root" }],
      ["set group to 'root'", { kind: "own", property: "group", value: "root" }],
      ["set mode to '0710'", { kind: "own", property: "mode", value: "0710" }],
    ]);
    expect(planned(directory.diff({ state: { current, desired }, action: "create", name: "/d", props }))).toEqual([
      ["change mode from '0777' to '0710'", { kind: "own", property: "mode", value: "0710" }],
    ]);
  });

  it("applies a mode change without touching the owner the state also names", async () => {
    const desired = { owner: "root", uid: 0, group: "root", gid: 0, mode: "0710" };
    const props = { owner: "root", group: "root", mode: "0710", recursive: false, adopt: true };
    const ops = [{ kind: "own", property: "mode", value: "0710" } as const];
    expect(await applied(directory, "/d", props, { current, desired }, ops)).toEqual(["chmod 710 /d"]);
  });
});

describe("cron_entry plans as data", () => {
  const entry = (minute: string): CronEntry => ({
    schedule: [minute, "2", "*", "*", "*"],
    command: "/bin/true",
    environment: {},
    variables: {},
    restore: {},
  });

  it("phrases each field that differs and plans one write of the desired entry", () => {
    const crontab = withEntry("", "job", entry("5"));
    const changes = cronEntry.diff({
      state: { current: { crontab, entry: entry("5") }, desired: entry("0") },
      action: "create",
      name: "job",
      props: { user: "root", command: "/bin/true" },
    });
    expect(planned(changes)).toEqual([
      ['update crontab entry: minute from "5" to "0"', { kind: "write", entry: entry("0") }],
    ]);
  });
});
