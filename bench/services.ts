// The S3 endpoints the benchmarks send to, each started by the bench in a process of its own, so
// its CPU is measured apart and the bench's own sampling does not slow it down: the suite's
// signature-checking endpoint (s3rver, scripts/local-s3.ts) and the benchmark-only sink
// (bench/s3-sink.ts). Both print their URL as their first line and take the test keys.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { PROJECT_ROOT } from "../engine/paths.js";
import type { S3Info } from "../spec/support/s3-server.js";

export interface Endpoint {
  /** "s3rver" or "sink". */
  kind: EndpointKind;
  info: S3Info;
  pid: number;
  stop(): Promise<void>;
}

export type EndpointKind = "s3rver" | "sink";

// Node flags, script and arguments. As in scripts/local-s3.sh: tsx's loader mishandles a
// "module-sync" export under s3rver when Node 20 can require() ES modules.
const SCRIPTS: Record<EndpointKind, string[]> = {
  s3rver: ["--no-experimental-require-module", "--import", "tsx", "scripts/local-s3.ts", "--port", "0"],
  sink: ["--import", "tsx", "bench/s3-sink.ts", "0"],
};

/** Starts the endpoint and waits for its URL; `buckets` are created on s3rver (the sink takes any). */
export async function startEndpoint(kind: EndpointKind, buckets: string[] = []): Promise<Endpoint> {
  const args = [...SCRIPTS[kind]];
  if (kind === "s3rver") args.push(...buckets.flatMap((b) => ["--bucket", b]));
  const child = spawn(process.execPath, args, {
    cwd: PROJECT_ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`${kind} exited ${code} before it was ready`)));
  });
  child.stdout!.resume(); // the rest of its output is not needed
  const info = s3Info(url.trim());
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return { kind, info, pid: child.pid!, stop };
}

/**
 * Coordinates of a loopback endpoint at `url` that takes the suite's test key (scripts/local-s3.ts),
 * long enough for converge to accept as a secret.
 */
export function s3Info(url: string): S3Info {
  return {
    endpoint: url,
    accessKeyId: "S3RVERTESTKEYID01",
    secretAccessKey: "s3rver-test-secret-key",
    region: "us-east-1",
    directory: "",
  };
}
