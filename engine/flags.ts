// Command lines of both programs: one declaration per command (its flags, what they mean, exit
// codes, an example) gives the parser, the errors ("did you mean") and the --help text, so help
// never drifts from what is accepted. To add a flag, add a line to the command's `flags`.
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "./errors.js";
import { PROJECT_ROOT } from "./paths.js";
import { closest } from "./suggest.js";

export interface Flag {
  /** Without the dashes: "why-run". */
  name: string;
  /** The value's placeholder ("FILE", "doc|json"); a flag without one is a switch. */
  value?: string;
  /** May be given more than once; the values are kept in order. */
  multiple?: boolean;
  /** One line: what it does, and its default. */
  help: string;
}

export interface CommandSpec {
  /** The synopsis after "usage: ", e.g. "converge RUN_LIST.json [flags]". */
  usage: string;
  /** What the command does, a sentence or two. */
  summary: string;
  flags: Flag[];
  /** Names of the positional arguments it takes, in order (all required). */
  positionals?: string[];
  /** Paragraphs printed after the flags. */
  notes?: string[];
  exitCodes: [code: number, meaning: string][];
  examples: string[];
}

/** A mistake on the command line itself: the one error worth pointing at --help for. */
export class UsageError extends InputError {}

export type FlagValues = Record<string, string | boolean | string[] | undefined>;

export interface Parsed {
  values: FlagValues;
  positionals: string[];
  /** --help or -h was given: print the help, ignore the rest. */
  help: boolean;
  /** --version was given. */
  version: boolean;
}

const BUILTIN: Flag[] = [
  { name: "help", help: "print this help and exit" },
  { name: "version", help: "print the version and exit" },
];

/** The flags and positionals of argv, checked against spec; any mistake is an InputError naming it. */
export function parseFlags(spec: CommandSpec, argv: readonly string[]): Parsed {
  const flags = new Map([...spec.flags, ...BUILTIN].map((f) => [f.name, f]));
  const { tokens } = parseArgs({
    args: [...argv],
    strict: false,
    allowPositionals: true,
    tokens: true,
    options: Object.fromEntries(
      [...flags.values()].map((f) => [f.name, { type: f.value ? ("string" as const) : ("boolean" as const) }]),
    ),
  });
  const values: FlagValues = {};
  const positionals: string[] = [];
  const problems: string[] = [];
  let help = false;
  for (const t of tokens) {
    if (t.kind === "positional") positionals.push(t.value);
    if (t.kind !== "option") continue;
    if (t.name === "h" && t.rawName === "-h") {
      help = true;
      continue;
    }
    const flag = flags.get(t.name);
    if (!flag) {
      problems.push(unknownFlag(t.rawName, [...flags.keys()]));
      continue;
    }
    if (!flag.value) {
      if (t.value !== undefined) problems.push(`${t.rawName}: takes no value, got ${JSON.stringify(t.value)}`);
      else values[flag.name] = true;
      continue;
    }
    // Node takes the next word as the value even when it is another flag: "--config --apply".
    if (t.value === undefined || (!t.inlineValue && t.value.startsWith("-") && t.value.length > 1)) {
      problems.push(`${t.rawName}: needs a value (${flag.value})`);
      if (t.value !== undefined) positionals.push(t.value);
      continue;
    }
    values[flag.name] = flag.multiple ? [...((values[flag.name] as string[] | undefined) ?? []), t.value] : t.value;
  }
  help ||= values.help === true;
  if (help || values.version === true) return { values, positionals, help, version: !help };
  const wanted = spec.positionals ?? [];
  // After an unknown flag, its value would read as a stray argument: one complaint is enough.
  if (problems.length) throw new UsageError(problems);
  if (positionals.length < wanted.length) problems.push(`missing ${wanted.slice(positionals.length).join(" ")}`);
  else if (positionals.length > wanted.length)
    problems.push(
      `unexpected argument${positionals.length - wanted.length > 1 ? "s" : ""} ${positionals
        .slice(wanted.length)
        .map((p) => JSON.stringify(p))
        .join(" ")}`,
    );
  if (problems.length) throw new UsageError(problems);
  for (const f of spec.flags) if (f.multiple && values[f.name] === undefined) values[f.name] = [];
  return { values, positionals, help: false, version: false };
}

function unknownFlag(raw: string, known: string[]): string {
  const near = closest(raw.replace(/^-+/, ""), known);
  return `${raw}: unknown flag${near ? ` (did you mean --${near}?)` : ""}`;
}

/** An unknown word where a command was expected, with the nearest command if there is one. */
export function unknownCommand(word: string, commands: readonly string[]): string {
  const near = closest(word, commands);
  return `unknown command ${JSON.stringify(word)}${near ? ` (did you mean ${near}?)` : ""}`;
}

/** The --help text of a command: usage, summary, every flag, notes, exit codes, examples. */
export function helpText(spec: CommandSpec): string {
  const flags = [...spec.flags, ...BUILTIN];
  const left = (f: Flag) => `${f.name === "help" ? "-h, " : ""}--${f.name}${f.value ? ` ${f.value}` : ""}`;
  const width = Math.max(...flags.map((f) => left(f).length)) + 2;
  const sections = [
    `usage: ${spec.usage}`,
    spec.summary,
    ["flags:", ...flags.map((f) => `  ${left(f).padEnd(width)}${f.help}${f.multiple ? " (repeatable)" : ""}`)].join(
      "\n",
    ),
    ...(spec.notes ?? []),
    exitCodesText(spec.exitCodes),
    [`example${spec.examples.length > 1 ? "s" : ""}:`, ...spec.examples.map((e) => `  ${e}`)].join("\n"),
  ];
  return `${sections.join("\n\n")}\n`;
}

/** The "exit codes:" section of a help text. */
export function exitCodesText(codes: CommandSpec["exitCodes"]): string {
  const width = Math.max(...codes.map(([c]) => String(c).length));
  return ["exit codes:", ...codes.map(([code, meaning]) => `  ${String(code).padStart(width)}  ${meaning}`)].join("\n");
}

/** "NAME VERSION", from the package.json this code was installed with. */
export function versionLine(program: string): string {
  const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string };
  return `${program} ${version}\n`;
}
