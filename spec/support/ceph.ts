// A private single-node Ceph cluster with its S3 gateway (RADOS Gateway 16.2) on loopback, for
// the specs that need what the in-process s3rver does not do: bucket and user policies, ACLs
// and object ownership, conditional writes, versioning, Object Lock and lifecycle expiry.
// TESTING.md has the recipe and the measured facts. One monitor, one OSD in RAM (memstore), one
// gateway, no cephx, everything under a temp dir; each daemon runs in the foreground as a child
// of the test process and is stopped by its pid. About 13 s to start, 110 MB idle.
import { S3Client } from "@aws-sdk/client-s3";
import { SignatureV4 } from "@smithy/signature-v4";
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { createHash, createHmac, randomBytes, randomUUID, type Hash, type Hmac } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);

export interface CephUser {
  uid: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The ARN a policy names this user by. */
  arn: string;
}

export interface Ceph {
  endpoint: string;
  region: string;
  /** The bucket owner and operator: may read, list, put policies, lifecycle and IAM user policies. */
  owner: CephUser;
  /** Creates a user (with no buckets of its own allowed unless `maxBuckets` says so). */
  addUser(uid: string, opts?: { maxBuckets?: number }): Promise<CephUser>;
  /** An SDK client signing as `user`, with the job's client settings. */
  client(user: CephUser): S3Client;
  /** Attaches an IAM user policy to `user`, as the owner (IAM PutUserPolicy on the gateway). */
  putUserPolicy(user: CephUser, name: string, document: object): Promise<void>;
  /** Runs one lifecycle pass now (`radosgw-admin lc process`). */
  lifecycleNow(): Promise<void>;
  stop(): Promise<void>;
}

const BINARIES = ["ceph-mon", "ceph-osd", "radosgw", "radosgw-admin", "monmaptool", "ceph"];

/** Why the cluster cannot start here (a missing program), or undefined. */
export function cephMissing(): string | undefined {
  const missing = BINARIES.filter((b) => !existsSync(`/usr/bin/${b}`));
  return missing.length
    ? `Ceph programs missing (${missing.join(", ")}): run \`bash scripts/setup.sh\`, which installs radosgw ceph-mon ceph-osd ceph-common`
    : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A lifecycle "day" of `seconds` for every client, radosgw-admin included (its `lc process` took
 * real days while the gateway's own thread took short ones), and no lifecycle thread in the
 * gateway: the spec runs each pass itself (lifecycleNow). The thread and the passes fought over
 * the shards' locks, each loser sleeping 5 s a shard, so how long expiry took varied from run to run.
 */
const lifecycleByHand = (seconds: number) => `[client]
rgw lc debug interval = ${seconds}
rgw enable lc threads = false
`;

function conf(dir: string, fsid: string, monPort: number, rgwPort: number, lcDebugInterval?: number): string {
  return `[global]
fsid = ${fsid}
mon host = v2:127.0.0.1:${monPort}
auth cluster required = none
auth service required = none
auth client required = none
# Without these radosgw loops on "get_initial_auth_request returned -13" (TESTING.md).
ms mon client mode = crc secure
ms client mode = crc secure
osd objectstore = memstore
memstore device bytes = 1073741824
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
pid file = ${dir}/$name.pid
admin socket = ${dir}/$name.asok
log file = ${dir}/$name.log
run dir = ${dir}
[mon]
mon data = ${dir}/mon.$id
[osd]
osd data = ${dir}/osd.$id
${lcDebugInterval ? lifecycleByHand(lcDebugInterval) : ""}[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:${rgwPort}
`;
}

/**
 * Starts a cluster in a fresh temp dir; resolves once the gateway answers. `lcDebugInterval`
 * makes a lifecycle day that many seconds, so expiry can be seen in a test.
 */
export async function startCeph(opts: { lcDebugInterval?: number } = {}): Promise<Ceph> {
  const missing = cephMissing();
  if (missing) throw new Error(missing);
  const dir = mkdtempSync(join(tmpdir(), "ceph-"));
  const [monPort, rgwPort] = [await freePort(), await freePort()];
  const fsid = randomUUID();
  const cephConf = join(dir, "ceph.conf");
  writeFileSync(cephConf, conf(dir, fsid, monPort, rgwPort, opts.lcDebugInterval));
  const env = { ...process.env, CEPH_CONF: cephConf };
  const run = async (cmd: string, args: string[]) => (await exec(cmd, args, { env, timeout: 120_000 })).stdout;
  const daemons: ChildProcess[] = [];
  const daemon = (cmd: string, args: string[]) => {
    // -f: stay in the foreground, so the pid is ours to stop; setpriv's parent-death signal
    // stops it even when the test process dies without running its clean-up.
    const child = spawn("setpriv", ["--pdeathsig", "TERM", "--", cmd, "-f", ...args], { env, stdio: "ignore" });
    daemons.push(child);
    return child;
  };
  const stop = async () => {
    // Gateway first, then the OSD, then the monitor they report to.
    for (const child of [...daemons].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const gone = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await gone;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run("monmaptool", [
      "--create",
      "--fsid",
      fsid,
      "--addv",
      "a",
      `[v2:127.0.0.1:${monPort}]`,
      join(dir, "monmap"),
    ]);
    await run("ceph-mon", ["--mkfs", "-i", "a", "--monmap", join(dir, "monmap")]);
    daemon("ceph-mon", ["-i", "a"]);
    const osdUuid = randomUUID();
    const id = (await run("ceph", ["--connect-timeout", "60", "osd", "new", osdUuid])).trim();
    mkdirSync(join(dir, `osd.${id}`));
    await run("ceph-osd", ["-i", id, "--mkfs", "--osd-uuid", osdUuid]);
    daemon("ceph-osd", ["-i", id]);
    const rgw = daemon("radosgw", ["-n", "client.rgw.a"]);
    const endpoint = `http://127.0.0.1:${rgwPort}`;
    for (let i = 0; ; i++) {
      if (rgw.exitCode !== null) throw new Error("radosgw exited");
      if (i > 600) throw new Error("radosgw did not answer within 120 s");
      if (
        await fetch(endpoint).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const addUser = async (uid: string, o: { maxBuckets?: number } = {}): Promise<CephUser> => {
      const accessKeyId = `${uid.toUpperCase().replace(/[^A-Z0-9]/g, "")}${randomBytes(6).toString("hex").toUpperCase()}`;
      const secretAccessKey = randomBytes(24).toString("base64url");
      await run("radosgw-admin", [
        ...["user", "create", `--uid=${uid}`, `--display-name=${uid}`],
        ...[`--access-key=${accessKeyId}`, `--secret-key=${secretAccessKey}`],
        // -1 (RGW's "none"): a job's key that may create buckets is a key that may fill the store.
        `--max-buckets=${o.maxBuckets ?? -1}`,
      ]);
      return { uid, accessKeyId, secretAccessKey, arn: `arn:aws:iam:::user/${uid}` };
    };
    const owner = await addUser("owner", { maxBuckets: 1000 });
    // The operator attaches IAM user policies to the job's user (PutUserPolicy).
    await run("radosgw-admin", ["caps", "add", "--uid=owner", "--caps=user-policy=*"]);
    return {
      endpoint,
      region: "us-east-1",
      owner,
      addUser,
      client: (user) =>
        new S3Client({
          endpoint,
          region: "us-east-1",
          forcePathStyle: true,
          credentials: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
          requestChecksumCalculation: "WHEN_REQUIRED",
          responseChecksumValidation: "WHEN_REQUIRED",
          maxAttempts: 2,
        }),
      putUserPolicy: (user, name, document) => putUserPolicy(endpoint, owner, user, name, document),
      lifecycleNow: async () => {
        await run("radosgw-admin", ["lc", "process"]);
      },
      stop,
    };
  } catch (err) {
    const logs = ["mon.a", "osd.0", "client.rgw.a"]
      .map((n) => join(dir, `${n}.log`))
      .filter(existsSync)
      .map((f) => `--- ${f}\n${readFileSync(f, "utf8").slice(-1500)}`)
      .join("\n");
    await stop();
    throw new Error(`Ceph did not start: ${(err as Error).message}\n${logs}`);
  }
}

const bytes = (d: string | ArrayBuffer | ArrayBufferView): string | Uint8Array =>
  typeof d === "string"
    ? d
    : d instanceof ArrayBuffer
      ? new Uint8Array(d)
      : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

/** SHA-256 (or its HMAC) for the SigV4 signer, from node:crypto. */
class Sha256 {
  private h: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret ? createHmac("sha256", bytes(secret)) : createHash("sha256");
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
  reset(): void {}
}

// RGW 16.2's radosgw-admin has no user-policy command; its IAM API takes the document as AWS's
// does (TESTING.md). There is no IAM client among the dependencies, so this signs the one call.
async function putUserPolicy(endpoint: string, caller: CephUser, user: CephUser, name: string, doc: object) {
  const url = new URL(endpoint);
  const body = new URLSearchParams({
    Action: "PutUserPolicy",
    UserName: user.uid,
    PolicyName: name,
    PolicyDocument: JSON.stringify(doc),
    Version: "2010-05-08",
  }).toString();
  const signer = new SignatureV4({
    service: "iam",
    region: "us-east-1",
    credentials: { accessKeyId: caller.accessKeyId, secretAccessKey: caller.secretAccessKey },
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method: "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: "/",
    headers: { host: url.host, "content-type": "application/x-www-form-urlencoded" },
    body,
  });
  const r = await fetch(`${endpoint}/`, { method: "POST", headers: signed.headers, body });
  if (!r.ok) throw new Error(`PutUserPolicy ${user.uid}: HTTP ${r.status} ${await r.text()}`);
}
