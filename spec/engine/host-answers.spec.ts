// The host keeps the answers of read-only programs (getent, id) until a write that may change
// them: installing a crontab keeps the accounts read before, any other write forgets them all.
// Run inside the sandbox against the compiled host, with the real crontab(1) and useradd.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../support/sandbox.js";

// Prints, after each step, whether `getent passwd` was asked again and whether it lists `probe`.
const SCRIPT = `
import { LocalHost } from "./dist/engine/host.js";
const host = new LocalHost(false);
const list = () => host.run(["getent", "passwd"]);
const steps = [];
let last = list();
const step = async (what) => {
  const now = list();
  steps.push({ what, askedAgain: now !== last, listsProbe: (await now).stdout.includes("probe_user:") });
  last = now;
};
await step("read again");
await host.exec(["crontab", "-u", "root", "-"], { input: "0 1 * * * /bin/true\\n" });
await step("crontab installed");
await host.exec(["useradd", "--no-create-home", "probe_user"]);
await step("useradd");
console.log(JSON.stringify(steps));
`;

describe("host answers", () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await Sandbox.create();
  });
  afterAll(() => sb.destroy());

  it("survive a crontab install, and are asked again after any other write (a new account is seen)", async () => {
    const r = await sb.exec([process.execPath, "--input-type=module", "-e", SCRIPT]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { what: "read again", askedAgain: false, listsProbe: false },
      { what: "crontab installed", askedAgain: false, listsProbe: false },
      { what: "useradd", askedAgain: true, listsProbe: true },
    ]);
  });
});
