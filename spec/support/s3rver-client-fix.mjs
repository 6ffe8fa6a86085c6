// Preloaded (`node --import`) into CLI child processes under test: applies the same trailing-slash
// fix as stripBucketSlash() in s3-server.ts to every S3Client, since s3rver verifies bucket-level
// requests against `/bucket` while the SDK signs `/bucket/`. Test support only.
import { S3Client } from "@aws-sdk/client-s3";

const send = S3Client.prototype.send;
const fixed = new WeakSet();
S3Client.prototype.send = function (...args) {
  if (!fixed.has(this)) {
    fixed.add(this);
    this.middlewareStack.add(
      (next) => async (a) => {
        const req = a.request;
        if (typeof req?.path === "string" && /^\/[^/]+\/$/.test(req.path)) req.path = req.path.slice(0, -1);
        return next(a);
      },
      { step: "build", name: "s3rverStripBucketSlash" },
    );
  }
  return send.apply(this, args);
};
