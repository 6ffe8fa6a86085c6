// Which server we talk to, from SELECT VERSION(): the flavor decides a few defaults.

export interface Server {
  flavor: "mariadb" | "mysql";
  version: [number, number, number];
}

/** Parses VERSION(): "10.11.19-MariaDB-0+deb12u1", "8.0.36", "8.4.3-log". */
export function parseServerVersion(text: string): Server {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(text);
  const version: [number, number, number] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  return { flavor: /mariadb/i.test(text) ? "mariadb" : "mysql", version };
}

/** True when the server's version is `min` or later (flavor not compared). */
export function atLeast({ version }: Server, min: readonly [number, number, number]): boolean {
  const at = version.findIndex((n, i) => n !== min[i]);
  return at < 0 || version[at] > min[at];
}
