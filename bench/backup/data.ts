// The generated data the backup benchmark reads: a MariaDB database whose dump is about `mb`
// megabytes (order rows: words, hashes and random bytes, which compress about 2.5:1 like a
// real shop's dump) and a file tree of about `mb` megabytes, two thirds text files of many sizes
// and one third incompressible files (random bytes, as media or already-compressed archives).
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sqlAsRoot } from "../../spec/support/mariadb.js";
import { MB } from "../stats.js";

// 64 words, so one byte of a hash picks one: text with a real vocabulary, never the same twice.
const WORDS = (
  "order invoice customer payment shipping address street city country postal code product item " +
  "quantity price discount total tax currency euro dollar status pending paid shipped delivered " +
  "returned refund note gift wrap express standard warehouse stock supplier category color size " +
  "small medium large black white blue green red cotton wool leather steel glass paper wooden " +
  "handmade vintage modern classic premium basic review rating"
).split(" ");

/** `count` words picked by the bytes of MD5(seq, i), as one SQL expression. */
function sqlWords(count: number): string {
  const list = WORDS.map((w) => `'${w}'`).join(",");
  const picks = Array.from({ length: count }, (_, i) => {
    const hash = `MD5(CONCAT(seq, '-', ${Math.floor(i / 16)}))`;
    return `ELT(1 + CONV(SUBSTR(${hash}, ${(i % 16) * 2 + 1}, 2), 16, 10) % 64, ${list})`;
  });
  return `CONCAT_WS(' ', ${picks.join(", ")})`;
}

const BATCH = 50_000;

function insertRows(socket: string, db: string, from: number, count: number): void {
  sqlAsRoot(
    socket,
    `INSERT INTO orders SELECT seq, '2026-01-01' + INTERVAL (seq % 31536000) SECOND,
       CONCAT('customer', seq % 99991, '@example.', ELT(1 + seq % 4, 'com', 'net', 'org', 'io')),
       ELT(1 + seq % 5, 'pending', 'paid', 'shipped', 'delivered', 'returned'), (seq % 100000) / 100,
       ${sqlWords(40)}, SHA2(seq, 256), RANDOM_BYTES(64)
     FROM seq_${from}_to_${from + count - 1}`,
    db,
  );
}

/** mysqldump's output size for `db`, as root over the socket. */
export function dumpBytes(socket: string, db: string): number {
  const r = spawnSync(
    "bash",
    ["-o", "pipefail", "-c", 'mysqldump --no-defaults -S "$1" -uroot --hex-blob "$2" | wc -c', "_", socket, db],
    {
      encoding: "utf8",
    },
  );
  if (r.status !== 0) throw new Error(`mysqldump of ${db} failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}

/** Creates database `db` whose dump is about `mb` MB; returns the dump's size in bytes. */
export function makeDatabase(socket: string, db: string, mb: number): number {
  sqlAsRoot(
    socket,
    `CREATE DATABASE ${db}; CREATE TABLE ${db}.orders (id INT PRIMARY KEY, created DATETIME NOT NULL,
       email VARCHAR(80) NOT NULL, status VARCHAR(12) NOT NULL, amount DECIMAL(10,2) NOT NULL,
       note TEXT NOT NULL, token CHAR(64) NOT NULL, payload VARBINARY(64) NOT NULL) ENGINE=InnoDB`,
  );
  // Measure one batch's dump, then add rows until the whole is about the size asked for.
  insertRows(socket, db, 1, Math.min(BATCH, 10_000));
  const perRow = dumpBytes(socket, db) / Math.min(BATCH, 10_000);
  const rows = Math.max(10_000, Math.round((mb * MB) / perRow));
  for (let from = 10_001; from <= rows; from += BATCH) insertRows(socket, db, from, Math.min(BATCH, rows - from + 1));
  return dumpBytes(socket, db);
}

/** A small fast PRNG (xorshift32), so the text files are generated, not read from /dev/urandom. */
function prng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function textOf(bytes: number, rnd: () => number): Buffer {
  const parts: string[] = [];
  let n = 0;
  while (n < bytes) {
    const line = Array.from({ length: 6 + Math.floor(rnd() * 10) }, () => WORDS[Math.floor(rnd() * 64)]).join(" ");
    parts.push(line);
    n += line.length + 1;
  }
  return Buffer.from(`${parts.join("\n")}\n`).subarray(0, bytes);
}

/** Creates a tree of about `mb` MB under `root`: 2/3 text files of 1 KiB-256 KiB, 1/3 random files of 256 KiB-8 MiB. */
export function makeTree(root: string, mb: number): void {
  const rnd = prng(13);
  const total = mb * MB;
  let text = 0;
  let random = 0;
  for (let i = 0; text + random < total; i++) {
    const dir = join(root, `d${Math.floor(i / 100)}`);
    if (i % 100 === 0) mkdirSync(dir, { recursive: true });
    const incompressible = random < (text + random) / 3 || text > (2 * total) / 3;
    const size = incompressible
      ? 256 * 1024 + Math.floor(rnd() * 8 * 1024 * 1024)
      : 1024 + Math.floor(rnd() ** 3 * 256 * 1024);
    writeFileSync(
      join(dir, incompressible ? `f${i}.bin` : `f${i}.txt`),
      incompressible ? randomBytes(size) : textOf(size, rnd),
    );
    if (incompressible) random += size;
    else text += size;
  }
}
