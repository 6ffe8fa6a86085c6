// What a manifest read back from the bucket must look like before restore or verify believes any
// of it. The job's key can write any manifest, so one with `objects: [null]` or `bytes: "x"` is
// as likely as a real one: it must be skipped as untrusted, not crash the search for a good run
// or send restore after an object whose size it cannot compare. Extra properties are allowed, so
// a newer job adding a field does not hide its runs from an older restore.
import type { FromSchema } from "json-schema-to-ts";
import { validator } from "../engine/schema/ajv.js";
import { describeErrors } from "../engine/schema/describe.js";
import { COMPRESSION } from "../contract/config-fragments.js";

export const MANIFEST_FORMAT = "s3-backup-manifest/1";

const entrySchema = {
  type: "object",
  required: ["name", "kind", "source", "ok", "compression", "exits", "duration_ms"],
  properties: {
    // keySafeName's alphabet: the name is matched against the object's key (backup/trust.ts).
    name: { type: "string", pattern: "^[A-Za-z0-9._-]+$" },
    kind: { enum: ["files", "mysql"] },
    source: { type: "string", minLength: 1, description: 'The path, or "db [table...]".' },
    ok: { type: "boolean" },
    key: { type: "string", minLength: 1, description: "Absent when the object was not completed." },
    bytes: { type: "integer", minimum: 0 },
    sha256: { type: "string", pattern: "^[0-9a-f]{64}$" },
    version_id: {
      type: "string",
      minLength: 1,
      description:
        "The version the job wrote, where the bucket keeps versions: restore reads exactly it, so an overwrite cannot substitute another.",
    },
    compression: { enum: COMPRESSION.enum },
    exits: {
      type: "array",
      description: "Exit status of each program in the pipeline (producer first).",
      items: {
        type: "object",
        required: ["what", "code"],
        properties: {
          what: { type: "string" },
          code: { type: ["integer", "null"] },
          signal: { type: ["string", "null"] },
        },
      },
    },
    duration_ms: { type: "number", minimum: 0 },
    error: { type: "string" },
    changed_files: {
      type: "array",
      description: 'Files whose copy may be torn (on_change: "warn"); absent when none changed.',
      items: {
        type: "object",
        required: ["path", "note"],
        properties: { path: { type: "string" }, note: { type: "string" } },
      },
    },
  },
  // A completed object is what restore fetches and checks: it needs all three.
  if: { properties: { ok: { const: true } } },
  then: { required: ["key", "bytes", "sha256"] },
} as const;

export const manifestSchema = {
  $id: "s3-backup-manifest",
  type: "object",
  required: ["format", "backup", "host", "class", "started_at", "finished_at", "duration_ms", "complete", "objects"],
  properties: {
    format: { const: MANIFEST_FORMAT },
    backup: { type: "string", minLength: 1 },
    host: { type: "string", minLength: 1 },
    class: { enum: ["daily", "monthly"] },
    started_at: { type: "string" },
    finished_at: { type: "string" },
    duration_ms: { type: "number", minimum: 0 },
    complete: { type: "boolean" },
    objects: { type: "array", items: entrySchema },
  },
} as const;

/** One run's manifest, as restore and verify may believe it once manifestProblem finds nothing. */
export type Manifest = FromSchema<typeof manifestSchema>;
export type ManifestEntry = Manifest["objects"][number];
export type AssetKind = ManifestEntry["kind"];
/** A file that changed while tar read it, kept under on_change: "warn": its copy may be torn. */
export type ChangedFile = NonNullable<ManifestEntry["changed_files"]>[number];

/** Why `value` is not a manifest restore can use ("/objects/0: must be object"), or undefined. */
export function manifestProblem(value: unknown): string | undefined {
  const validate = validator("manifest", () => manifestSchema);
  if (validate(value)) return undefined;
  // The first problem is enough to say why a manifest is skipped; what the bucket holds is never
  // quoted (anyone with the job's key may have written it).
  const [first] = describeErrors(validate.errors!, value, { where: (p) => p || "/", mayQuote: () => false });
  return `not a valid s3-backup manifest: ${first}`;
}
