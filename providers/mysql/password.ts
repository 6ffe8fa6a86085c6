// Passwords of accounts. Checking one without logging in where possible: for mysql_native_password
// (MariaDB's default) the stored string is a function of the password alone, so it is computed and
// compared; other plugins salt it, and only a login can tell. Setting one without the server ever
// receiving it in clear, where the server accepts the stored form.
import { createHash, timingSafeEqual } from "node:crypto";
import type { Server } from "./server.js";

/** mysql_native_password's stored form: "*" + upper-case hex of SHA1(SHA1(password)). */
export function nativePasswordHash(password: string): string {
  const once = createHash("sha1").update(password, "utf8").digest();
  return `*${createHash("sha1").update(once).digest("hex").toUpperCase()}`;
}

/**
 * Plugins whose stored form is salted, so only logging in can test a password, and whose client
 * side mysql2 speaks. MariaDB's ed25519 and parsec are left out: mysql2 cannot answer them, so
 * their password counts as different and is set again (as mysql_native_password, which later runs
 * compare without logging in).
 */
const SALTED = new Set(["caching_sha2_password", "sha256_password"]);

/** "match"/"differs" when the stored credentials say so, "login" when only a login can tell. */
export function passwordVerdict(plugin: string, stored: string, password: string): "match" | "differs" | "login" {
  if (plugin === "mysql_native_password" || (plugin === "" && stored.startsWith("*"))) {
    const want = Buffer.from(nativePasswordHash(password));
    const have = Buffer.from(stored.toUpperCase());
    return want.length === have.length && timingSafeEqual(want, have) ? "match" : "differs";
  }
  // unix_socket, gssapi and the like do not authenticate with this password at all.
  return SALTED.has(plugin) && stored !== "" ? "login" : "differs";
}

/** The clause of CREATE/ALTER USER that sets the password, and the one value its placeholder takes. */
export interface Identification {
  clause: string;
  value: string;
}

/**
 * How to set `password` on this server so that its general, slow and binary logs (binlogs go to
 * replicas and stay for days) never hold it in clear. mysql2 fills placeholders on the client, so
 * what is sent is what the server logs.
 * - MariaDB (and an unknown server): it logs statements as received, so it gets the stored form,
 *   `IDENTIFIED BY PASSWORD '*hash'` (the account then uses mysql_native_password, MariaDB's
 *   default; an ed25519 or unix_socket account is switched to it, as IDENTIFIED BY would do).
 * - MySQL, account on mysql_native_password: the stored form too. MySQL 8 removed
 *   IDENTIFIED BY PASSWORD; IDENTIFIED WITH ... AS exists since 5.7.6 and keeps the plugin.
 * - MySQL otherwise (a new account, caching_sha2_password, sha256_password): the password itself,
 *   since their stored form is salted by the server. MySQL rewrites CREATE/ALTER USER ... IDENTIFIED
 *   BY in its general, slow and binary logs so the password does not appear (the binlog gets the
 *   salted hash), unless the server runs with --log-raw, which affects the general log only.
 */
export function identification(password: string, server: Server | undefined, plugin?: string): Identification {
  if (server?.flavor !== "mysql") return { clause: "IDENTIFIED BY PASSWORD ?", value: nativePasswordHash(password) };
  if (plugin === "mysql_native_password")
    return { clause: "IDENTIFIED WITH mysql_native_password AS ?", value: nativePasswordHash(password) };
  return { clause: "IDENTIFIED BY ?", value: password };
}
