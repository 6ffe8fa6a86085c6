// The mysql client carries out its own commands found in its input, not only SQL: `\! cmd` runs
// a shell command, `\T file` writes a file, `source f` reads one. A dump comes from the backed-up
// host, and a compromised host can plant the newest run with a manifest that vouches for it
// (backup/trust.ts), so restore and verify would run its commands as the operator, often root.
// The client is therefore always told to refuse them: MariaDB's --sandbox (10.5.25, 10.6.18,
// 10.11.8 and later) or MySQL's --commands=OFF (8.0.40, 8.4.3 and later). A client with neither
// is never given a dump. MariaDB's mysqldump starts dumps with `/*M!999999\- enable the sandbox
// mode */`, which turns the sandbox on too, but a planted dump simply leaves that line out.
import type { System } from "./system.js";

/**
 * The flags that make a client with this `--help` text refuse client commands, or undefined.
 * --local-infile=0 as well: LOAD DATA LOCAL INFILE in a dump would make the client send any file
 * the operator can read to the server, where the job's own account can SELECT it.
 */
export function sandboxArgsFrom(help: string): string[] | undefined {
  if (/^\s*--sandbox\b/m.test(help)) return ["--sandbox", "--local-infile=0"];
  if (/^\s*--commands\b/m.test(help)) return ["--commands=OFF", "--local-infile=0"];
  return undefined;
}

async function clientHelp(sys: System): Promise<string> {
  // --no-defaults: an option file with settings this client does not know would fail --help.
  return (await sys.run(["mysql", "--no-defaults", "--help"])).stdout;
}

let support: Promise<{ args: string[] } | { error: string }> | undefined;

/** The flags to read a dump with, or why the installed client must not read one. Asked once. */
export function dumpReaderArgs(sys: System): Promise<{ args: string[] } | { error: string }> {
  support ??= clientHelp(sys).then(
    (help) => {
      const args = sandboxArgsFrom(help);
      if (args) return { args };
      return {
        error:
          "the installed mysql client supports neither --sandbox (MariaDB 10.5.25/10.6.18/10.11.8+) nor " +
          "--commands=OFF (MySQL 8.0.40/8.4.3+), so it would run shell commands (\\!) and write files (\\T) " +
          "found in a dump; upgrade the client to restore a database",
      };
    },
    (err: Error) => ({ error: `cannot run the mysql client: ${err.message}` }),
  );
  return support;
}

/** `err` from the client, with why when it refused a client command in the dump. */
export function explainRefusal(err: string): string {
  if (!/sandbox mode|command.*(disabled|not allowed)/i.test(err)) return err;
  return (
    `${err} (the dump holds a mysql client command such as \\! or \\T, which mysqldump never writes ` +
    `and restore refuses to run: treat this backup as planted and the host as compromised)`
  );
}
