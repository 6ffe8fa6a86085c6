// The ways of backing up one source that the throughput benchmark compares, each as the command
// it starts: the job itself, the careful admin's shell pipeline, the seed cookbook's way, and each
// stage alone. Producers are started with the job's own argv (backup/producers), so every
// variant does the same work. Shell variants get their values through the environment, never
// pasted into the script.
import { join } from "node:path";
import { PROJECT_ROOT } from "../../engine/paths.js";
import { mysqldumpArgs } from "../../backup/producers/mysqldump.js";
import { tarArgs } from "../../backup/producers/tar.js";

/** Debian's awscli, by absolute path: another `aws` (pyenv's, a v1) may come first on PATH. */
export const AWS = "/usr/bin/aws";
const ZSTD = "zstd -q -3 -T0";

export interface Source {
  kind: "database" | "files";
  /** The producer's argv: mysqldump or tar, as the job runs it. */
  producer: string[];
  /** Bytes the producer writes (the size throughput is counted in). */
  rawBytes: number;
  /** The producer's output saved once, for the compressor alone. */
  rawFile: string;
  /** The same, compressed as the job compresses it, for the upload alone. */
  compressedFile: string;
  /**
   * `s3-backup run` configs (YAML paths) by endpoint: "backup" backs up the source with zstd,
   * "upload-only" sends the compressed file as it is (one file asset, compression none).
   */
  config: (endpoint: string, what: "backup" | "upload-only") => string;
}

export interface Target {
  /** The endpoint's URL. */
  url: string;
  bucket: string;
  /** A fresh key for this run. */
  key: string;
  /** A private empty directory: the variant's working and temp directory. */
  work: string;
}

export interface Variant {
  id: string;
  label: string;
  /** Whether it sends to an endpoint (measured once per endpoint) or not (once per round). */
  uploads: boolean;
  argv(s: Source, t: Target): string[];
}

/** Quotes argv for bash: single quotes, a quote inside as '\''. */
const shq = (argv: string[]) => argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");

const bash = (script: string) => ["bash", "-euo", "pipefail", "-c", script];
const awsCp = (from: string, s: Target, extra = "") =>
  `${AWS} --endpoint-url '${s.url}' --only-show-errors s3 cp ${from} 's3://${s.bucket}/${s.key}'${extra}`;
const job = (config: string) => [process.execPath, join(PROJECT_ROOT, "bin/s3-backup.js"), "run", "--config", config];

export const VARIANTS: Variant[] = [
  {
    id: "job",
    label: "`s3-backup run`",
    uploads: true,
    argv: (s, t) => job(s.config(t.url, "backup")),
  },
  {
    id: "pipeline",
    label: "shell pipeline",
    uploads: true,
    argv: (s, t) => bash(`${shq(s.producer)} | ${ZSTD} | ${awsCp("-", t, ` --expected-size ${s.rawBytes}`)}`),
  },
  {
    id: "seed",
    label: "seed's way",
    uploads: true,
    // A dump goes to a file, then gzip compresses the file; tar writes through gzip (tar -czf).
    argv: (s, t) =>
      s.kind === "database"
        ? bash(`${shq(s.producer)} > dump.sql; gzip dump.sql; ${awsCp("dump.sql.gz", t)}; rm -f dump.sql.gz`)
        : bash(`${shq(s.producer)} | gzip > files.tar.gz; ${awsCp("files.tar.gz", t)}; rm -f files.tar.gz`),
  },
  {
    id: "producer",
    label: "producer alone",
    uploads: false,
    // Into a pipe, as in every other variant (GNU tar writing to /dev/null itself would skip reading the files).
    argv: (s) => bash(`${shq(s.producer)} | cat > /dev/null`),
  },
  {
    id: "compressor",
    label: "compressor alone",
    uploads: false,
    argv: (s) => bash(`${ZSTD} -c < ${shq([s.rawFile])} > /dev/null`),
  },
  {
    id: "producer+compressor",
    label: "producer \\| compressor", // escaped: it is printed inside Markdown tables
    uploads: false,
    argv: (s) => bash(`${shq(s.producer)} | ${ZSTD} > /dev/null`),
  },
  {
    id: "upload-aws",
    label: "upload alone (aws s3 cp of the compressed file)",
    uploads: true,
    argv: (s, t) => bash(awsCp(shq([s.compressedFile]), t)),
  },
  {
    id: "upload-job",
    label: "upload alone (`s3-backup run`, compression none, of the compressed file)",
    uploads: true,
    argv: (s, t) => job(s.config(t.url, "upload-only")),
  },
];

/** The producers' argv for a database (through a .my.cnf) and for a tree. */
export const producers = {
  database: (defaultsFile: string, db: string) => ["mysqldump", ...mysqldumpArgs(defaultsFile, db, [])],
  files: (path: string) => ["tar", ...tarArgs(path)],
};
