// A signature-checking S3 endpoint on loopback (the one the tests and the demo use), to try
// s3-backup against without an account anywhere. Any S3 client works with it as is: no flags,
// no preload. Stop it with Ctrl-C.
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { EXIT, exitCodeFor } from "../engine/errors.js";
import { helpText, parseFlags, type CommandSpec } from "../engine/flags.js";
import { startS3Server, testS3Client } from "../spec/support/s3-server.js";

const SPEC: CommandSpec = {
  usage: "bash scripts/local-s3.sh [--port PORT] [--bucket NAME]... [--dir DIR]",
  summary:
    "Starts an S3 endpoint on 127.0.0.1 that checks SigV4 signatures (keys S3RVERTESTKEYID01 /\n" +
    "s3rver-test-secret-key, region us-east-1), creates the buckets, prints where it is, and runs until Ctrl-C.",
  flags: [
    { name: "port", value: "PORT", help: "the port to listen on (default 4568; 0 picks a free one)" },
    { name: "bucket", value: "NAME", multiple: true, help: "a bucket to create if it is missing" },
    {
      name: "dir",
      value: "DIR",
      help: "keep the objects in DIR, across restarts (default: a temp dir, removed on exit)",
    },
  ],
  exitCodes: [
    [0, "stopped by Ctrl-C or SIGTERM"],
    [1, "could not start (the port is taken?)"],
    [2, "bad flag"],
  ],
  examples: ["bash scripts/local-s3.sh --bucket try --dir /var/tmp/local-s3"],
};

async function main(argv: string[]): Promise<number> {
  const { values, help } = parseFlags(SPEC, argv);
  if (help) return (process.stdout.write(helpText(SPEC)), EXIT.ok);
  const port = Number(values.port ?? 4568);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`local-s3: --port: must be a port number, got ${JSON.stringify(values.port)}\n`);
    return EXIT.badInput;
  }
  const { info, stop } = await startS3Server({ port, directory: values.dir as string | undefined });
  const client = testS3Client(info);
  for (const bucket of values.bucket as string[]) {
    await client.send(new CreateBucketCommand({ Bucket: bucket })).catch((err: { name?: string }) => {
      if (err.name !== "BucketAlreadyOwnedByYou" && err.name !== "BucketAlreadyExists") throw err;
    });
  }
  // The first line is for scripts: the endpoint alone.
  process.stdout.write(
    `${info.endpoint}\n` +
      `S3 endpoint ${info.endpoint}, region ${info.region}, access key ${info.accessKeyId}, secret key ${info.secretAccessKey}\n` +
      `buckets: ${(values.bucket as string[]).join(", ") || "(none yet)"}; objects in ${info.directory}` +
      `${values.dir ? "" : " (removed on exit)"}\nCtrl-C stops it.\n`,
  );
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await stop();
  return EXIT.ok;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: Error) => {
    process.stderr.write(`local-s3: ${err.message}\n`);
    process.exitCode = exitCodeFor(err);
  },
);
