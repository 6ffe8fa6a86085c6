// Counting and hashing the bytes of an object as they stream past, on the way up (what the
// manifest records) and on the way down (what restore checks against it): one definition, so
// both sides hash exactly the same bytes.
import { createHash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";

/** A pass-through that counts and SHA-256-hashes every byte; `at` is when the last one passed. */
export class Meter extends Transform {
  bytes = 0;
  /** clock() of the last chunk, for stall detection; 0 before the first. */
  at = 0;
  private readonly hash = createHash("sha256");
  constructor(private readonly clock: () => number = () => 0) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    this.at = this.clock();
    this.hash.update(chunk);
    cb(null, chunk);
  }
  /** The SHA-256 in hex; call once, after the stream ended. */
  digest(): string {
    return this.hash.digest("hex");
  }
}
