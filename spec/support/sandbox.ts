// A throwaway copy of the machine's /etc, /var, /home and /root: overlay mounts in a private
// mount namespace, so useradd, crontab and files land in upper dirs the host never sees. The
// same upper dirs are mounted again by each command, so state persists across converges.
import { execa } from "execa";
import { createHash } from "node:crypto";
import { mkdtempSync, promises as fs, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { PROJECT_ROOT } from "../../engine/paths.js";

const LAYERS = ["etc", "var", "home", "root"];

/**
 * converge's lock (engine/lock.ts), which every converge takes, why-run included, and which holds
 * the last holder's pid. A sandbox starts with it, as a host does once converge ran there, and
 * snapshots leave out its content: so "nothing changed" means nothing converge manages.
 */
const LOCK = "/var/lib/converge/lock";

export interface SandboxOptions {
  /** More directories to overlay, e.g. "usr/local" for an install. */
  extraLayers?: string[];
}

export interface Result {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export class Sandbox {
  private constructor(
    readonly dir: string,
    private readonly layers: readonly string[],
  ) {}

  static async create(opts: SandboxOptions = {}): Promise<Sandbox> {
    const dir = mkdtempSync(join(tmpdir(), "sandbox-"));
    await fs.chmod(dir, 0o755);
    const layers = [...LAYERS, ...(opts.extraLayers ?? [])];
    for (const l of layers) {
      await fs.mkdir(join(dir, l, "upper"), { recursive: true });
      await fs.mkdir(join(dir, l, "work"), { recursive: true });
    }
    const lock = join(dir, "var", "upper", relative("/var", LOCK));
    await fs.mkdir(join(lock, "..", ".."), { mode: 0o755 });
    await fs.mkdir(join(lock, ".."), { mode: 0o700 });
    writeFileSync(lock, "", { mode: 0o600 });
    return new Sandbox(dir, layers);
  }

  /** Runs argv inside the sandbox, as root; never throws on a non-zero exit. */
  async exec(argv: string[], opts: { env?: Record<string, string>; input?: string } = {}): Promise<Result> {
    const mounts = this.layers
      .map(
        (l) =>
          `mount -t overlay overlay -o lowerdir=/${l},upperdir=${this.dir}/${l}/upper,workdir=${this.dir}/${l}/work /${l}`,
      )
      .join(" && ");
    const r = await execa(
      "unshare",
      ["--mount", "--fork", "--", "bash", "-c", `${mounts} && exec "$@"`, "_", ...argv],
      {
        reject: false,
        env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...opts.env },
        input: opts.input ?? "",
        cwd: PROJECT_ROOT,
      },
    );
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode ?? -1 };
  }

  /** A bash script inside the sandbox. */
  sh(script: string, env?: Record<string, string>): Promise<Result> {
    return this.exec(["bash", "-euo", "pipefail", "-c", script], { env });
  }

  /**
   * Lets every user reach `path` (o+x on its ancestors), so a backup user can run this checkout's
   * code. Only directories inside the sandbox's layers are changed; the machine never is.
   */
  async letEveryoneReach(path: string): Promise<void> {
    const layers = this.layers.map((l) => `/${l}/`);
    const ancestors = path
      .split("/")
      .map((_, i, parts) => parts.slice(0, i + 1).join("/"))
      .filter((p) => p && layers.some((l) => `${p}/`.startsWith(l)));
    if (ancestors.length) await this.sh(`chmod o+x ${ancestors.map((a) => `'${a}'`).join(" ")}`);
  }

  /** Writes a run-list (object or text) to a file and returns its path. */
  runList(doc: unknown, name = "run-list.json"): string {
    const file = join(this.dir, name);
    writeFileSync(file, typeof doc === "string" ? doc : JSON.stringify(doc, null, 2));
    return file;
  }

  /** Runs `converge` on the run-list with flags, inside the sandbox. */
  converge(doc: unknown, flags: string[] = [], env?: Record<string, string>): Promise<Result> {
    return this.exec([process.execPath, join(PROJECT_ROOT, "bin/converge.js"), this.runList(doc), ...flags], { env });
  }

  /** Every path written in the sandbox with a hash of its content and its mode/owner: equal snapshots mean nothing changed. */
  async snapshot(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const walk = async (layer: string, root: string, dir: string): Promise<void> => {
      for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
        const p = join(dir, entry.name);
        const st = await fs.lstat(p);
        const path = `/${layer}/${relative(root, p)}`;
        const content =
          entry.isFile() && path !== LOCK
            ? createHash("sha256")
                .update(await fs.readFile(p))
                .digest("hex")
            : "";
        out.set(path, `${st.mode.toString(8)} ${st.uid}:${st.gid} ${content}`);
        if (entry.isDirectory()) await walk(layer, root, p);
      }
    };
    for (const l of this.layers) await walk(l, join(this.dir, l, "upper"), join(this.dir, l, "upper"));
    return out;
  }

  async destroy(): Promise<void> {
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}
