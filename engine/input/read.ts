// Reading a file that is input (a run-list, a template, a secret, the job's config.yml) whole and
// safely: it must be a regular file under a size limit, and valid UTF-8. A FIFO would block the
// open or the read forever, /dev/zero or /dev/urandom would never end, and bytes that are not
// UTF-8 would be silently replaced by U+FFFD and written on; each is refused with one line instead.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { InputError } from "../errors.js";
import { kindOf } from "../stats.js";

/** Run-lists, templates and config.yml are hand-written text: a megabyte is far beyond any real one. */
export const MAX_INPUT_BYTES = 1024 * 1024;

export interface InputText {
  text: string;
  /** Taken from the descriptor that was read, so it describes those very bytes. */
  stat: Stats;
}

/** The file's text; throws InputError (one line, naming `path`) unless it is a regular file within `limit` bytes of valid UTF-8. */
export function readInputFile(path: string, limit = MAX_INPUT_BYTES): InputText {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer that may never come.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    throw new InputError([`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`]);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new InputError([`${path}: not a regular file (${kindOf(stat)})`]);
    if (stat.size > limit) throw new InputError([`${path}: ${stat.size} bytes, more than the limit of ${limit}`]);
    // Read to the end or past the limit, whatever the size said: a file may grow while it is read.
    const chunks: Buffer[] = [];
    let length = 0;
    // Sized to what the size said, plus one byte to see the end: a run reads its templates once per
    // backup, and a 64 KiB buffer each (twice per file) kept the garbage collector busy.
    for (let n = -1, want = stat.size + 1; n !== 0 && length <= limit; length += n) {
      const chunk = Buffer.allocUnsafe(Math.min(want, limit + 1 - length));
      n = readSync(fd, chunk, 0, chunk.length, null);
      chunks.push(chunk.subarray(0, n));
      want = n < chunk.length ? 1 : 64 * 1024;
    }
    if (length > limit) throw new InputError([`${path}: more than the limit of ${limit} bytes`]);
    return { text: decodeUtf8(Buffer.concat(chunks, length), path), stat };
  } finally {
    closeSync(fd);
  }
}

/** The bytes as text; throws InputError naming the line and byte of the first sequence that is not UTF-8. */
export function decodeUtf8(bytes: Uint8Array, where: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const at = firstInvalidByte(bytes);
    const line = bytes.subarray(0, at).filter((b) => b === 0x0a).length + 1;
    const byte = bytes[at].toString(16).padStart(2, "0");
    throw new InputError([`${where}: not valid UTF-8 (byte 0x${byte} at offset ${at}, line ${line})`]);
  }
}

/** The offset where the first sequence that is not well-formed UTF-8 (RFC 3629) starts. */
function firstInvalidByte(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    const [n, lo, hi] =
      c < 0x80
        ? [0, 0, 0]
        : c >= 0xc2 && c <= 0xdf
          ? [1, 0x80, 0xbf]
          : c === 0xe0
            ? [2, 0xa0, 0xbf]
            : c === 0xed
              ? [2, 0x80, 0x9f] // no UTF-16 surrogates
              : c >= 0xe1 && c <= 0xef
                ? [2, 0x80, 0xbf]
                : c === 0xf0
                  ? [3, 0x90, 0xbf]
                  : c >= 0xf1 && c <= 0xf3
                    ? [3, 0x80, 0xbf]
                    : c === 0xf4
                      ? [3, 0x80, 0x8f]
                      : [-1, 0, 0];
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return b.length;
}
