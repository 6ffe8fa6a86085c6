// A fault-injecting HTTP proxy on loopback in front of the test S3 endpoint. The job's config
// points at the proxy; each request is classified (PutObject, UploadPart, ...) and a test's
// `decide` says what happens to it: pass through, an S3 error status, a connection reset part
// way through the body, a socket that accepts and never answers, a delay, or a callback at a
// given moment (the kill suite uses it to SIGKILL the job there). The Host header is kept, so
// SigV4 signatures still verify upstream.
import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type RequestKind =
  | "PutObject"
  | "CreateMultipartUpload"
  | "UploadPart"
  | "CompleteMultipartUpload"
  | "AbortMultipartUpload"
  | "Other";

export interface SeenRequest {
  /** 0-based, in arrival order. */
  index: number;
  kind: RequestKind;
  /** For UploadPart, its number. */
  part?: number;
  /** True for the manifest's PutObject. */
  manifest: boolean;
  method: string;
  path: string;
  /** The write-rule headers the request carried (If-None-Match, the canned ACL), to check the job sends them. */
  rules: { ifNoneMatch?: string; acl?: string };
}

export type Fault =
  | { do: "pass" }
  /** Answer with an S3 error document, never reaching the endpoint. */
  | { do: "status"; status: number; code: string }
  /** Read `afterBytes` of the request body (default 64 KiB), then destroy the connection. */
  | { do: "reset"; afterBytes?: number }
  /** Accept the request and never answer. */
  | { do: "hang" }
  /** Pass through, answering `ms` later. */
  | { do: "delay"; ms: number }
  /** Pass through once `until` settles. */
  | { do: "hold"; until: Promise<unknown> }
  /**
   * Pass through and call `at` at one moment: "arrival" (nothing forwarded yet), "body" (after
   * `afterBytes` of the body went upstream), "answered" (upstream answered, the client has not
   * heard), "replied" (the answer was sent to the client).
   */
  | { do: "call"; when: "arrival" | "body" | "answered" | "replied"; afterBytes?: number; at: () => void };

export type Decide = (r: SeenRequest) => Fault;

export interface FaultProxy {
  endpoint: string;
  /** Every request seen so far, in order, with the fault applied. */
  seen: (SeenRequest & { fault: Fault["do"] })[];
  /** Replaces the decision for the requests that follow. */
  setDecide(d: Decide): void;
  /**
   * Resolves once every request passed upstream has been answered (or dropped). A request the
   * job sent before it was killed still lands; S3 applies it atomically, but s3rver writes an
   * object in place, so reading the bucket before it is done can see a torn copy.
   */
  settled(): Promise<void>;
  close(): Promise<void>;
}

function classify(method: string, url: URL): Omit<SeenRequest, "index" | "rules"> {
  const q = url.searchParams;
  const base = { method, path: url.pathname, manifest: url.pathname.endsWith(".manifest.json") };
  if (method === "PUT" && q.has("partNumber"))
    return { ...base, kind: "UploadPart", part: Number(q.get("partNumber")) };
  if (method === "PUT") return { ...base, kind: "PutObject" };
  if (method === "POST" && q.has("uploads")) return { ...base, kind: "CreateMultipartUpload" };
  if (method === "POST" && q.has("uploadId")) return { ...base, kind: "CompleteMultipartUpload" };
  if (method === "DELETE" && q.has("uploadId")) return { ...base, kind: "AbortMultipartUpload" };
  return { ...base, kind: "Other" };
}

const errorBody = (code: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>injected by the fault proxy</Message></Error>`;

/** Starts the proxy in front of `upstream` (http://127.0.0.1:PORT). */
export async function startFaultProxy(upstream: string, decide: Decide = () => ({ do: "pass" })): Promise<FaultProxy> {
  const target = new URL(upstream);
  const seen: FaultProxy["seen"] = [];
  const sockets = new Set<Socket>();
  let current = decide;
  let inFlight = 0;
  const idle: (() => void)[] = [];

  const forward = (req: IncomingMessage, res: ServerResponse, fault: Fault) => {
    const call = fault.do === "call" ? fault : undefined;
    const up = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (r) => {
        if (call?.when === "answered") call.at();
        const reply = () => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
          // A dead client stops the pipe: read the answer to its end all the same.
          res.once("close", () => r.resume());
          res.once("finish", () => call?.when === "replied" && call.at());
        };
        if (fault.do === "delay") setTimeout(reply, fault.ms);
        else if (fault.do === "hold") void fault.until.finally(reply);
        else reply();
      },
    );
    inFlight++;
    up.once("close", () => {
      if (--inFlight === 0) for (const done of idle.splice(0)) done();
    });
    up.on("error", () => res.destroy());
    // A client that died part way through its body: S3 drops such a request, so drop it upstream too.
    req.once("close", () => req.complete || up.destroy());
    let sent = 0;
    req.on("data", (b: Buffer) => {
      sent += b.length;
      up.write(b);
      if (call?.when === "body" && sent >= (call.afterBytes ?? 65536) && sent - b.length < (call.afterBytes ?? 65536))
        call.at();
    });
    req.on("end", () => up.end());
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://proxy");
    const rules = {
      ifNoneMatch: req.headers["if-none-match"] as string | undefined,
      acl: req.headers["x-amz-acl"] as string | undefined,
    };
    const r: SeenRequest = { index: seen.length, ...classify(req.method ?? "GET", url), rules };
    const fault = current(r);
    seen.push({ ...r, fault: fault.do });
    req.on("error", () => {});
    res.on("error", () => {});
    switch (fault.do) {
      case "status":
        req.resume();
        req.on("end", () => {
          res.writeHead(fault.status, { "content-type": "application/xml" });
          res.end(errorBody(fault.code));
        });
        return;
      case "reset": {
        let got = 0;
        req.on("data", (b: Buffer) => {
          got += b.length;
          if (got >= (fault.afterBytes ?? 65536)) req.socket.destroy();
        });
        req.on("end", () => req.socket.destroy());
        return;
      }
      case "hang":
        req.resume();
        return;
      case "call":
        if (fault.when === "arrival") fault.at();
        forward(req, res, fault);
        return;
      default:
        forward(req, res, fault);
    }
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    setDecide: (d) => {
      current = d;
    },
    settled: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((done) => idle.push(done))),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
