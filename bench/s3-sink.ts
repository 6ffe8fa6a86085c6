// BENCHMARK ONLY: an S3 "sink" that answers PutObject and the multipart calls (create, upload
// part, complete, abort) on loopback and throws the bytes away. It checks no signature and keeps
// no data, so it is no S3 store: it exists so that the backup benchmark can tell the job's own
// overhead from the cost of a real endpoint (s3rver hashes, verifies and writes every byte to
// disk, on the same two cores the job needs). It counts the bytes each completed object had, so a
// run can still be checked for having sent what it said. Run by itself it prints its URL first.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve as resolvePath } from "node:path";
import { fileURLToPath } from "node:url";

const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
const escape = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** Reads a request body, keeping it only when `keep` (the small XML bodies); resolves with its length. */
function drain(req: IncomingMessage, keep: boolean): Promise<{ bytes: number; text: string }> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    const kept: Buffer[] = [];
    req.on("data", (b: Buffer) => {
      bytes += b.length;
      if (keep) kept.push(b);
    });
    req.once("end", () => resolve({ bytes, text: Buffer.concat(kept).toString("utf8") }));
    req.once("error", reject);
  });
}

export interface Sink {
  url: string;
  /** Completed objects and their sizes in bytes, newest last. */
  objects: Map<string, number>;
  close(): Promise<void>;
}

/** Starts the sink on 127.0.0.1 (port 0: any free one). */
export async function startSink(port = 0): Promise<Sink> {
  const objects = new Map<string, number>();
  const uploads = new Map<string, number>(); // uploadId -> bytes so far
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://sink");
    const [, bucket = "", ...rest] = url.pathname.split("/");
    const key = decodeURIComponent(rest.join("/"));
    const q = url.searchParams;
    const send = (status: number, body = "", headers: Record<string, string> = {}) => {
      res.writeHead(status, { ...(body ? { "content-type": "application/xml" } : {}), ...headers });
      res.end(body);
    };
    if (url.pathname === "/_sink/objects") return send(200, JSON.stringify(Object.fromEntries(objects)));
    const { bytes, text } = await drain(req, req.method === "POST");
    const etag = `"${randomBytes(16).toString("hex")}"`;
    if (!key) {
      // Bucket-level: create, head, list (always empty).
      if (req.method === "GET")
        return send(
          200,
          xml(`<ListBucketResult><Name>${escape(bucket)}</Name><IsTruncated>false</IsTruncated></ListBucketResult>`),
        );
      return send(200);
    }
    if (req.method === "POST" && q.has("uploads")) {
      const id = randomBytes(12).toString("hex");
      uploads.set(id, 0);
      return send(
        200,
        xml(
          `<InitiateMultipartUploadResult><Bucket>${escape(bucket)}</Bucket><Key>${escape(key)}</Key>` +
            `<UploadId>${id}</UploadId></InitiateMultipartUploadResult>`,
        ),
      );
    }
    const id = q.get("uploadId");
    if (id !== null && !uploads.has(id)) return send(404, xml("<Error><Code>NoSuchUpload</Code></Error>"));
    if (req.method === "PUT" && id !== null) {
      uploads.set(id, uploads.get(id)! + bytes);
      return send(200, "", { etag });
    }
    if (req.method === "POST" && id !== null) {
      if (!text.includes("<Part>")) return send(400, xml("<Error><Code>MalformedXML</Code></Error>"));
      objects.set(key, uploads.get(id)!);
      uploads.delete(id);
      return send(
        200,
        xml(
          `<CompleteMultipartUploadResult><Bucket>${escape(bucket)}</Bucket><Key>${escape(key)}</Key>` +
            `<ETag>${escape(etag)}</ETag></CompleteMultipartUploadResult>`,
        ),
      );
    }
    if (req.method === "DELETE" && id !== null) {
      uploads.delete(id);
      return send(204);
    }
    if (req.method === "PUT") {
      objects.set(key, bytes);
      return send(200, "", { etag });
    }
    return send(501, xml("<Error><Code>NotImplemented</Code></Error>"));
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    objects,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// Run as a program (`node --import tsx bench/s3-sink.ts [PORT]`): serve until SIGTERM or Ctrl-C.
if (process.argv[1] && fileURLToPath(import.meta.url) === resolvePath(process.argv[1])) {
  const sink = await startSink(Number(process.argv[2] ?? 0));
  process.stdout.write(`${sink.url}\nbenchmark S3 sink (no signature check, data discarded); Ctrl-C stops it\n`);
  process.once("SIGTERM", () => void sink.close().then(() => process.exit(0)));
  process.once("SIGINT", () => void sink.close().then(() => process.exit(0)));
}
