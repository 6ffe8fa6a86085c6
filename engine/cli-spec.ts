// What `converge` accepts and what its --help says; engine/cli.ts acts on it.
import type { CommandSpec } from "./flags.js";
import { DEFAULT_LOCK_TIMEOUT } from "./lock.js";
import { LEVELS } from "./log.js";

export const CONVERGE: CommandSpec = {
  usage:
    "converge RUN_LIST.json [--why-run | --validate] [--format doc|json] [--log-level LEVEL] [--recipe-path DIR]... [--lock-timeout SECONDS]",
  summary:
    "Converges this machine to the run-list, as root: every resource is loaded, compared with what\n" +
    "the run-list wants, and changed only where it differs. The whole run-list is validated first;\n" +
    "bad input changes nothing.",
  positionals: ["RUN_LIST.json"],
  flags: [
    { name: "why-run", help: "say what would change, with diffs, and change nothing (an audit)" },
    {
      name: "validate",
      help: "only check the run-list (schema, recipes, secrets, templates) and read nothing of the host",
    },
    { name: "format", value: "doc|json", help: "doc: a line per resource (default); json: one document on stdout" },
    { name: "log-level", value: "LEVEL", help: `${LEVELS.join(", ")}; on stderr (default warn)` },
    {
      name: "recipe-path",
      value: "DIR",
      multiple: true,
      help: "a directory of COOKBOOK/RECIPE.ts, searched before the shipped recipes",
    },
    {
      name: "lock-timeout",
      value: "SECONDS",
      help: `how long to wait for another converge to finish before giving up (default ${DEFAULT_LOCK_TIMEOUT}; 0: at once)`,
    },
  ],
  notes: [
    'Secrets go in the run-list as {"env": "VAR"} or {"file": "/root/secret"} and never appear in\n' +
      "output. With --format json every outcome is one JSON document on stdout, a failure before\n" +
      'any resource ran included: {"error": {"kind", "exit_code", "problems": [{"where", "message"}]}}.',
  ],
  exitCodes: [
    [0, "success (--why-run: nothing would change)"],
    [
      1,
      "a resource failed at run time; the resources after it were skipped (or another converge kept the lock past --lock-timeout)",
    ],
    [2, "bad input (run-list, recipe, flag) or not root; nothing was touched"],
    [3, "--why-run only: changes would be made (the host has drifted)"],
  ],
  examples: ["converge examples/backup.json --why-run", "converge /etc/converge/web1.json --format json > report.json"],
};
