// Schema pieces shared by resource definitions, so a rule ("a mode is 3 or 4 octal digits")
// is written once and reads the same in every error message.

/** A sensitive string: a literal, or a reference resolved when the run-list is loaded. */
export function secret<D extends string>(description: D) {
  return secretOf(description, { type: "string" } as const);
}

/**
 * A sensitive string of a given form: the literal is checked by the schema, a reference's value
 * once resolved (engine/secrets.ts); neither is ever quoted in the message.
 */
export function secretMatching<D extends string, P extends string, T extends string>(
  description: D,
  pattern: P,
  title: T,
) {
  return secretOf(description, { type: "string", pattern, title } as const);
}

function secretOf<D extends string, L extends object>(description: D, literal: L) {
  return {
    description,
    sensitive: true,
    anyOf: [
      literal,
      {
        type: "object",
        properties: { env: { type: "string", minLength: 1 } },
        required: ["env"],
        additionalProperties: false,
      },
      {
        type: "object",
        properties: { file: absolutePath },
        required: ["file"],
        additionalProperties: false,
      },
    ],
  } as const;
}

// No line breaks or NUL: a path lands in crontabs, config files and argv.
export const absolutePath = { type: "string", pattern: "^/[^\\n\\r\\u0000]*$", title: "an absolute path" } as const;

/** A home directory: it lands in /etc/passwd, whose fields ":" separates. */
export const homePath = {
  type: "string",
  pattern: "^/[^:]*$",
  title: 'an absolute path without ":" (it lands in /etc/passwd)',
} as const;

export const fileMode = {
  type: "string",
  pattern: "^0?[0-7]{3,4}$",
  title: 'octal permission bits as a string, e.g. "0750"',
} as const;

/** POSIX-portable account and group names (useradd's own rule on Debian, without the trailing $). */
export const accountName = {
  type: "string",
  pattern: "^[a-z_][a-z0-9_-]{0,31}$",
  title: "an account or group name: up to 32 lower-case letters, digits, _ and -, not starting with a digit or -",
} as const;

/** Owner, group and mode of a managed path; each unmanaged when not given. */
export const ownership = { owner: accountName, group: accountName, mode: fileMode } as const;

/** A reference to a secret, as written in a run-list. */
export type SecretRef = { env: string } | { file: string };

/** The type of properties once secret references are resolved to their strings. */
export type Resolved<T> = T extends SecretRef
  ? never
  : T extends readonly (infer U)[]
    ? Resolved<U>[]
    : T extends object
      ? { [K in keyof T]: Resolved<T[K]> }
      : T;
