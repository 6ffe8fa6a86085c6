// One S3 endpoint on loopback per test run (and for `scripts/local-s3.sh`): @20minutes/s3rver
// 4.0.4, which checks SigV4 signatures. s3rver lacks AbortMultipartUpload and ListMultipartUploads;
// the backup's "no incomplete upload left behind" promise needs both, so this harness adds them
// over s3rver's own upload directory, behind s3rver's own signature check. It also checks
// bucket-level requests against the path the client sent (see signedPathAsSent), so any client
// works unmodified. Everything else is s3rver as shipped.
import { CreateBucketCommand, ListMultipartUploadsCommand, S3Client } from "@aws-sdk/client-s3";
import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixListings } from "./s3rver-listing.js";

export interface S3Info {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** s3rver's storage directory (objects and in-progress uploads live under DIR/BUCKET). */
  directory: string;
}

const require = createRequire(import.meta.url);

/** The endpoint's access key: not a secret (it guards a loopback endpoint of a test run). */
const TEST_KEY = { accessKeyId: "S3RVERTESTKEYID01", secretAccessKey: "s3rver-test-secret-key" };

type Ctx = {
  method: string;
  path: string;
  query: Record<string, string>;
  params: Record<string, string | undefined>;
  state: Record<string, unknown>;
  mountPath?: string;
  status: number;
  body: unknown;
  type: string;
};

const xmlEscape = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

function multipartExtras(directory: string) {
  const authentication = require("@20minutes/s3rver/lib/middleware/authentication.js") as () => (
    ctx: Ctx,
    next: () => Promise<void>,
  ) => Promise<void>;
  const S3Error = require("@20minutes/s3rver/lib/models/error.js") as new (code: string, msg: string) => Error;
  const auth = authentication();
  return async (ctx: Ctx, next: () => Promise<void>) => {
    const m = /^\/([^/]+)\/?(.*)$/.exec(ctx.path);
    if (!m) return next();
    const [, bucket, rawKey] = m;
    const isAbort = ctx.method === "DELETE" && rawKey !== "" && "uploadId" in ctx.query;
    const isList = ctx.method === "GET" && rawKey === "" && "uploads" in ctx.query;
    if (!isAbort && !isList) return next();
    ctx.mountPath = "";
    ctx.state.vhost = false;
    ctx.params = { bucket, key: rawKey ? decodeURIComponent(rawKey) : undefined };
    const uploads = join(directory, bucket, "._S3rver_uploads");
    await auth(ctx, async () => {
      if (!existsSync(join(directory, bucket)))
        throw new S3Error("NoSuchBucket", "The specified bucket does not exist");
      if (isAbort) {
        const dir = join(uploads, String(ctx.query.uploadId).replace(/[/.]/g, "_"));
        if (!existsSync(dir)) throw new S3Error("NoSuchUpload", "The specified upload does not exist.");
        rmSync(dir, { recursive: true, force: true });
        ctx.status = 204;
        return;
      }
      const ids = existsSync(uploads) ? readdirSync(uploads) : [];
      const items = ids.map((id) => {
        const key = readFileSync(join(uploads, id, "key"), "utf8");
        return `<Upload><Key>${xmlEscape(key)}</Key><UploadId>${xmlEscape(id)}</UploadId></Upload>`;
      });
      ctx.type = "application/xml";
      ctx.body =
        `<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult><Bucket>${xmlEscape(bucket)}</Bucket>` +
        `<IsTruncated>false</IsTruncated>${items.join("")}</ListMultipartUploadsResult>`;
    });
  };
}

/** The path of the request being checked, for the servers that fix canonicalization. */
const requestPath = new AsyncLocalStorage<string>();
let v4Patched = false;

/**
 * s3rver rebuilds the canonical URI from the bucket and key it parsed, so a bucket-level request
 * sent (and signed, as AWS specifies) as `/bucket/` is checked against `/bucket` and refused with
 * SignatureDoesNotMatch. This makes the check use the trailing slash the client sent. It returns a
 * middleware that marks the requests of one server; servers started without it stay as shipped,
 * which the tests use to show what such an endpoint's error looks like.
 */
function signedPathAsSent() {
  if (!v4Patched) {
    v4Patched = true;
    const v4 = require("@20minutes/s3rver/lib/signature/v4.js") as {
      getStringToSign: (canonical: { uri: string }, request: unknown) => string;
    };
    const original = v4.getStringToSign;
    v4.getStringToSign = (canonical, request) => {
      const sent = requestPath.getStore();
      return original(sent === `${canonical.uri}/` ? { ...canonical, uri: sent } : canonical, request);
    };
  }
  return (ctx: Ctx, next: () => Promise<void>) => requestPath.run(ctx.path, next);
}

export interface S3ServerOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Where objects are kept; default a temp dir, removed on stop (a given one is kept). */
  directory?: string;
  /** false: s3rver's own canonicalization of bucket-level requests, which clients cannot sign. */
  signedPathAsSent?: boolean;
}

/** Starts s3rver on 127.0.0.1. */
export async function startS3Server(opts: S3ServerOptions = {}): Promise<{ info: S3Info; stop: () => Promise<void> }> {
  const S3rver = require("@20minutes/s3rver") as new (o: object) => {
    middleware: unknown[];
    run(): Promise<{ port: number }>;
    close(): Promise<void>;
  };
  // s3rver's built-in pair is S3RVER/S3RVER, shorter than converge takes a secret to be
  // (engine/secrets.ts MIN_SECRET_LENGTH): the suite and the demo use a pair of realistic length.
  const { DUMMY_ACCOUNT } = require("@20minutes/s3rver/lib/models/account") as {
    DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void };
  };
  DUMMY_ACCOUNT.createKeyPair(TEST_KEY.accessKeyId, TEST_KEY.secretAccessKey);
  fixListings();
  const directory = opts.directory ?? mkdtempSync(join(tmpdir(), "s3rver-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: opts.port ?? 0,
    silent: true,
    directory,
    vhostBuckets: false,
  });
  server.middleware.unshift(multipartExtras(directory));
  if (opts.signedPathAsSent !== false) server.middleware.unshift(signedPathAsSent());
  const { port } = await server.run();
  return {
    info: {
      endpoint: `http://127.0.0.1:${port}`,
      ...TEST_KEY,
      region: "us-east-1",
      directory,
    },
    stop: async () => {
      await server.close();
      if (!opts.directory) rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** An SDK client for the test's own checks (operator-like: it can list and read). */
export function testS3Client(info: S3Info, secretAccessKey = info.secretAccessKey): S3Client {
  return new S3Client({
    endpoint: info.endpoint,
    region: info.region,
    forcePathStyle: true,
    credentials: { accessKeyId: info.accessKeyId, secretAccessKey },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

/** Creates a bucket with a fresh random name and returns the name. */
export async function createBucket(info: S3Info, prefix = "test"): Promise<string> {
  const name = `${prefix}-${randomBytes(6).toString("hex")}`;
  await testS3Client(info).send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

/** Keys of multipart uploads started and neither completed nor aborted (ListMultipartUploads). */
export async function incompleteUploads(info: S3Info, bucket: string): Promise<string[]> {
  const r = await testS3Client(info).send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return (r.Uploads ?? []).map((u) => u.Key ?? "");
}
