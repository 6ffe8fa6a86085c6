// The `s3-backup status` command: flags to a query, the operator's client, and the answer in
// the monitoring-plugin convention (Nagios, Icinga, Sensu): a first line with the verdict and
// performance data, one line per host and backup, exit 0 OK, 2 CRITICAL, 3 UNKNOWN.
import type { S3Client } from "@aws-sdk/client-s3";
import { InputError } from "../engine/errors.js";
import { operatorS3Client, type S3Location } from "../providers/s3/client.js";
import { describeS3Error } from "../providers/s3/errors.js";
import type { BackupConfig } from "./config.js";
import { maskKeys } from "./keys.js";
import { humanBytes } from "./log.js";
import {
  collectStatus,
  formatDuration,
  parseDuration,
  windowStart,
  type BackupState,
  type BackupStatus,
  type StatusQuery,
} from "./status.js";

export const STATUS_EXIT = { ok: 0, critical: 2, unknown: 3 } as const;

export interface StatusFlags {
  config?: BackupConfig;
  bucket?: string;
  prefix?: string;
  region?: string;
  endpoint?: string;
  host?: string;
  name?: string;
  maxAge?: string[];
  format?: string;
}

export interface StatusDeps {
  now?: Date;
  client?: S3Client;
  out?: (text: string) => void;
  pageSize?: number;
}

/** Where to look: the config's bucket and prefix, or --bucket/--prefix (--region, --endpoint). */
export function statusLocation(f: StatusFlags): S3Location & { prefix: string } {
  if (f.config) return { ...f.config.s3 };
  const prefix = f.prefix ?? "";
  return {
    bucket: f.bucket!,
    region: f.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
    // A custom endpoint (MinIO, Ceph, R2) is addressed by path; AWS itself by virtual host.
    ...(f.endpoint ? { endpoint: f.endpoint, force_path_style: true } : {}),
    prefix: prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`,
  };
}

/** --max-age values: one DURATION (the default) and any NAME=DURATION or HOST/NAME=DURATION. */
export function parseMaxAges(values: readonly string[]): Pick<StatusQuery, "maxAgeMs" | "maxAgeFor"> {
  const maxAgeFor = new Map<string, number>();
  let maxAgeMs: number | undefined;
  const problems: string[] = [];
  for (const v of values) {
    const eq = v.lastIndexOf("=");
    const [who, text] = eq < 0 ? [undefined, v] : [v.slice(0, eq), v.slice(eq + 1)];
    const ms = parseDuration(text);
    if (ms === undefined) problems.push(`--max-age ${v}: expected a duration such as 26h, 90m, 8d or 1d12h`);
    else if (who === undefined) maxAgeMs = ms;
    else if (!/^([A-Za-z0-9][A-Za-z0-9_.-]*\/)?[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(who))
      problems.push(`--max-age ${v}: expected NAME=DURATION or HOST/NAME=DURATION`);
    else maxAgeFor.set(who, ms);
  }
  if (problems.length) throw new InputError(problems);
  return { maxAgeMs, maxAgeFor };
}

/** Runs the check and prints it; returns the exit code (0, 2 or 3). */
export async function statusCommand(f: StatusFlags, deps: StatusDeps = {}): Promise<number> {
  const query: StatusQuery = {
    ...parseMaxAges(f.maxAge ?? []),
    host: f.host,
    backup: f.name,
    now: deps.now ?? new Date(),
    pageSize: deps.pageSize,
  };
  const loc = statusLocation(f);
  const json = f.format === "json";
  const out = deps.out ?? ((t: string) => void process.stdout.write(t));
  const where = `s3://${loc.bucket}/${loc.prefix}`;
  let report: Report;
  try {
    const client = deps.client ?? operatorS3Client(loc);
    const backups = await collectStatus(client, loc, query);
    report = verdict(backups, query, where);
  } catch (err) {
    // Cannot list or read (credentials, network, no such bucket): the check cannot answer.
    const error = `cannot read ${where}: ${describeS3Error(err, loc.bucket).message}`;
    report = { word: "UNKNOWN", code: STATUS_EXIT.unknown, headline: error, backups: [], error };
  }
  out(maskKeys(json ? `${JSON.stringify(asJson(report, query, loc), null, 2)}\n` : asText(report)));
  return report.code;
}

interface Report {
  word: "OK" | "CRITICAL" | "UNKNOWN";
  code: number;
  headline: string;
  backups: BackupStatus[];
  error?: string;
}

function verdict(backups: BackupStatus[], q: StatusQuery, where: string): Report {
  if (backups.length === 0) {
    const what = [q.backup && `backup "${q.backup}"`, q.host && `host ${q.host}`].filter(Boolean).join(" on ");
    // The window the listing covered: LOOKBACK_DAYS, or more when a --max-age asks for it.
    const headline = `no runs${what ? ` of ${what}` : ""} under ${where} keyed ${windowStart(q)} or later`;
    // Asked for a backup that has no runs: that is the failure this check exists for. Asked for
    // everything and found nothing: more likely a wrong bucket or prefix than a fleet with no backups.
    return what
      ? { word: "CRITICAL", code: STATUS_EXIT.critical, headline, backups }
      : { word: "UNKNOWN", code: STATUS_EXIT.unknown, headline, backups };
  }
  const counts = new Map<BackupState, number>();
  for (const b of backups) counts.set(b.state, (counts.get(b.state) ?? 0) + 1);
  const parts = (["ok", "stale", "failed", "suspect"] as const)
    .filter((s) => counts.get(s))
    .map((s) => `${counts.get(s)} ${s}`);
  const bad = backups.some((b) => b.state !== "ok");
  return {
    word: bad ? "CRITICAL" : "OK",
    code: bad ? STATUS_EXIT.critical : STATUS_EXIT.ok,
    headline: `${backups.length} backup${backups.length === 1 ? "" : "s"}: ${parts.join(", ")}`,
    backups,
  };
}

const iso = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;

/** One line per backup: state, host/backup, last complete run, age, objects, size, what is wrong. */
function line(b: BackupStatus): string {
  const c = b.lastComplete;
  const age = b.ageMs !== undefined ? `${formatDuration(b.ageMs)} ago` : "";
  const limit = b.maxAgeMs !== undefined ? `, max ${formatDuration(b.maxAgeMs)}` : "";
  const head = c
    ? `last complete ${iso(c.receivedAt)} (${age}${limit}), ${c.objects} objects, ${humanBytes(c.bytes)}`
    : "no complete run";
  const failed = b.lastRun && !b.lastRun.complete ? b.lastRun.failed.map((x) => `${x.name} (${short(x.error)})`) : [];
  const wrong = [
    ...(failed.length ? [`failed in the last run ${iso(b.lastRun!.receivedAt)}: ${failed.join(", ")}`] : []),
    ...b.problems.filter((p) => !p.startsWith("last run failed")),
  ];
  return `${b.state.toUpperCase()} ${b.host}/${b.backup}: ${head}${wrong.length ? `; ${wrong.join("; ")}` : ""}`;
}

const short = (s: string) => (s.length > 100 ? `${s.slice(0, 97)}...` : s);

function asText(r: Report): string {
  // Performance data: each backup's age in seconds, with the max age as the critical threshold.
  const perf = r.backups.map((b) => {
    const v = b.ageMs !== undefined ? `${Math.round(b.ageMs / 1000)}s` : "U";
    const crit = b.maxAgeMs !== undefined ? String(Math.round(b.maxAgeMs / 1000)) : "";
    return `'${b.host}/${b.backup}'=${v};;${crit};0;`;
  });
  const first = `S3-BACKUP ${r.word} - ${r.headline}${perf.length ? ` | ${perf.join(" ")}` : ""}`;
  return `${[first, ...r.backups.map(line)].join("\n")}\n`;
}

function asJson(r: Report, q: StatusQuery, loc: { bucket: string; prefix: string }) {
  const secs = (ms?: number) => (ms === undefined ? null : Math.round(ms / 1000));
  const run = (s?: BackupStatus["lastRun"]) =>
    s
      ? {
          received_at: s.receivedAt.toISOString(),
          class: s.cls,
          complete: s.complete,
          objects: s.objects,
          bytes: s.bytes,
          failed_items: s.failed,
        }
      : null;
  return {
    status: r.word,
    exit_code: r.code,
    summary: r.headline,
    checked_at: q.now.toISOString(),
    bucket: loc.bucket,
    prefix: loc.prefix,
    ...(r.error ? { error: r.error } : {}),
    backups: r.backups.map((b) => ({
      host: b.host,
      backup: b.backup,
      state: b.state,
      problems: b.problems,
      age_seconds: secs(b.ageMs),
      max_age_seconds: secs(b.maxAgeMs),
      last_complete: run(b.lastComplete),
      last_run: run(b.lastRun),
      suspect_manifests: b.suspects,
    })),
  };
}
