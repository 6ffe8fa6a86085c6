// Prometheus metrics of the last run, for node_exporter's textfile collector: one file per backup,
// s3_backup_NAME.prom, replaced whole after every run (a temporary file beside it, then a rename,
// so the collector never reads half a file). Gauges only: each value describes the last run, and
// nothing counts across runs. Labels are the config's names (backup, host, item, kind), a set as
// small and as fixed as the config; no key, date or error text is ever a label.
import type { RunRecord } from "./run-record.js";

type Labels = Record<string, string>;

interface Family {
  name: string;
  help: string;
  samples: [Labels, number][];
}

/** A label value as the exposition format quotes it. */
const quote = (v: string) => `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;

const seconds = (ms: number) => Math.round(ms) / 1000;

/**
 * The exposition text for the run in `r`. `lastSuccess` is when the newest successful run ended,
 * this one included; undefined (never) is written as 0, so "time() - last success" is huge and
 * an alert on it fires for a backup that has never succeeded.
 */
export function renderMetrics(r: RunRecord, lastSuccess: Date | undefined): string {
  const base = { backup: r.backup, host: r.host };
  const run = (name: string, help: string, value: number): Family => ({ name, help, samples: [[base, value]] });
  const item = (name: string, help: string, value: (i: RunRecord["items"][number]) => number): Family => ({
    name,
    help,
    samples: r.items.map((i) => [{ ...base, item: i.name, kind: i.kind }, value(i)]),
  });
  const families: Family[] = [
    run(
      "s3_backup_last_run_start_timestamp_seconds",
      "When the last run started (Unix time).",
      seconds(r.started.getTime()),
    ),
    run(
      "s3_backup_last_run_end_timestamp_seconds",
      "When the last run ended (Unix time).",
      seconds(r.finished.getTime()),
    ),
    run("s3_backup_last_run_duration_seconds", "How long the last run took.", seconds(r.durationMs)),
    run("s3_backup_last_run_success", "1 if every item and the manifest of the last run were stored, else 0.", +r.ok),
    run(
      "s3_backup_last_success_timestamp_seconds",
      "When the last successful run ended (Unix time); 0 if none has.",
      lastSuccess ? seconds(lastSuccess.getTime()) : 0,
    ),
    run(
      "s3_backup_last_run_uploaded_bytes",
      "Bytes stored by the last run (after compression).",
      r.items.reduce((n, i) => n + i.bytes, 0),
    ),
    run("s3_backup_last_run_objects", "Objects the last run stored.", r.items.filter((i) => i.ok).length),
    item("s3_backup_item_success", "1 if the item was stored in the last run, else 0.", (i) => +i.ok),
    item("s3_backup_item_uploaded_bytes", "Bytes of the item stored in the last run.", (i) => i.bytes),
    item("s3_backup_item_duration_seconds", "How long the item took in the last run.", (i) => seconds(i.durationMs)),
  ];
  return families
    .filter((f) => f.samples.length > 0)
    .map((f) =>
      [
        `# HELP ${f.name} ${f.help}`,
        `# TYPE ${f.name} gauge`,
        ...f.samples.map(
          ([labels, v]) =>
            `${f.name}{${Object.entries(labels)
              .map(([k, l]) => `${k}=${quote(l)}`)
              .join(",")}} ${v}`,
        ),
      ].join("\n"),
    )
    .join("\n")
    .concat("\n");
}
