// Streaming a stored object into a program for restore (backup/object-stream.ts): a program that
// stops reading early is a failure, one that read every byte and exited 0 is not, whatever the
// pipe said about its closing.
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { createHash, randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { describe, expect, inject, test } from "vitest";
import { streamInto } from "../../backup/object-stream.js";
import type { ManifestEntry } from "../../backup/manifest.js";
import { localSystem } from "../../backup/system.js";
import { createBucket, testS3Client } from "../support/s3-server.js";

const s3 = inject("s3");

describe("streamInto", () => {
  test("fails when the program stops reading early, succeeds when it read every byte, even if it exits before EOF", async () => {
    const bucket = await createBucket(s3);
    const client = testS3Client(s3);
    const raw = randomBytes(4 << 20);
    const body = spawnSync("zstd", ["-q", "-3", "-c"], { input: raw, maxBuffer: 1 << 30 }).stdout;
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "obj", Body: body }));
    const entry = {
      key: "obj",
      sha256: createHash("sha256").update(body).digest("hex"),
      bytes: body.length,
      compression: "zstd",
    } as unknown as ManifestEntry;
    const src = { sys: localSystem, client, bucket };
    const into = (script: string) => streamInto(src, entry, ["sh", "-c", script], "reader");

    expect(await into("cat > /dev/null")).toBeUndefined();
    // Reads exactly what there is, then exits without waiting for the end of the stream (as tar
    // does at an archive's end marker): its stdin may close before Node's end of the pipe finishes.
    for (let i = 0; i < 5; i++) expect(await into(`head -c ${raw.length} > /dev/null`)).toBeUndefined();
    // Exits 0 having read a tenth: the rest never arrived anywhere.
    expect(await into(`head -c ${raw.length / 10} > /dev/null`)).toMatch(/.+/);
  });
});
