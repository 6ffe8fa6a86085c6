// Test support only: a hostile service account. Run as the backup user, it keeps swapping the
// names converge manages in its home between files of its own, symbolic links and hard links to
// files that are not its own, and races converge's temporary files, until STOP_FILE appears;
// then it prints what it did as one JSON line.
//
//   node flipper.mjs HOME STOP_FILE NAME... -- TARGET...
//
// FLIP_ONLY=tampered,symlink in the environment keeps only those kinds of swap.
// Each NAME (config.yml, .my.cnf, s3-backup.sh) is replaced, by a rename as the account can,
// with one of: its own content with its own mode (what converge wants: nothing to do), its own
// content with mode 0644 (converge would fix the mode), its content changed (converge would
// show a diff), a symbolic link to each TARGET, or a hard link to each TARGET (where the kernel
// allows one: fs.protected_hardlinks lets it link only files it can read and write).
import {
  chmodSync,
  existsSync,
  linkSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const [home, stopFile, ...rest] = process.argv.slice(2);
const names = rest.slice(0, rest.indexOf("--"));
const targets = rest.slice(rest.indexOf("--") + 1);
const own = new Map(
  names.map((n) => [n, { content: readFileSync(join(home, n)), mode: statSync(join(home, n)).mode & 0o7777 }]),
);
const stats = {
  flips: 0,
  files: 0,
  loose_modes: 0,
  tampered: 0,
  symlinks: 0,
  hardlinks: 0,
  hardlinks_refused: 0,
  temp_races: 0,
};
const tmp = join(home, `.flip-${process.pid}`);

/** Puts `make(tmp)`'s result at `path` in one rename, as converge's own writes do. */
function place(path, make) {
  try {
    unlinkSync(tmp);
  } catch {}
  make(tmp);
  renameSync(tmp, path);
}

const kinds = {
  own: (n, path) =>
    place(path, (t) => (writeFileSync(t, own.get(n).content), chmodSync(t, own.get(n).mode), stats.files++)),
  loose: (n, path) =>
    place(path, (t) => (writeFileSync(t, own.get(n).content), chmodSync(t, 0o644), stats.loose_modes++)),
  tampered: (n, path) =>
    place(
      path,
      (t) => (writeFileSync(t, `${own.get(n).content}# tampered\n`), chmodSync(t, own.get(n).mode), stats.tampered++),
    ),
  symlink: (target) => (_n, path) => place(path, (t) => (symlinkSync(target, t), stats.symlinks++)),
  hardlink: (target) => (_n, path) => {
    try {
      place(path, (t) => (linkSync(target, t), stats.hardlinks++));
    } catch (e) {
      if (e.code !== "EPERM" && e.code !== "EACCES") throw e;
      stats.hardlinks_refused++;
    }
  },
};
const only = process.env.FLIP_ONLY ? process.env.FLIP_ONLY.split(",") : undefined;
const variants = [
  // Most of the time the file is as converge wants it, so converges get past it to the next one.
  ...Array(only ? 0 : 5).fill(kinds.own),
  ...["loose", "tampered"].filter((k) => !only || only.includes(k)).map((k) => kinds[k]),
  ...(!only || only.includes("symlink") ? targets.map(kinds.symlink) : []),
  ...(!only || only.includes("hardlink") ? targets.map(kinds.hardlink) : []),
];

/** Replaces a temporary file converge is writing (`.NAME.converge-HEX`) with a hard link to a target. */
function raceTemporaries() {
  for (const f of readdirSync(home).filter((f) => /\.converge-[0-9a-f]{12}$/.test(f))) {
    try {
      place(join(home, f), (t) => linkSync(targets[stats.flips % targets.length], t));
      stats.temp_races++;
    } catch {}
  }
}

// Stops when told, when the sandbox holding STOP_FILE is gone (a test that timed out), or after 15 minutes.
const deadline = Date.now() + 15 * 60_000;
for (let i = 0; !existsSync(stopFile) && existsSync(dirname(stopFile)) && Date.now() < deadline; i++) {
  for (let j = 0; j < 200; j++) {
    const n = names[(i + j) % names.length];
    try {
      variants[Math.floor(Math.random() * variants.length)](n, join(home, n));
      stats.flips++;
    } catch {
      // converge replaced the name under us: go on.
    }
    if (j % 20 === 0) raceTemporaries();
  }
  // A breath for converge, which shares the machine's cores with this loop.
  await sleep(1);
}
console.log(JSON.stringify(stats));
