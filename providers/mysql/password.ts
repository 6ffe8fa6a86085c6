// Whether an account authenticates with a password, without logging in where avoidable: for
// mysql_native_password (MariaDB's default) the stored string is a function of the password
// alone, so it is computed and compared; other plugins salt it, and are checked by logging in.
import { createHash, timingSafeEqual } from "node:crypto";

/** mysql_native_password's stored form: "*" + upper-case hex of SHA1(SHA1(password)). */
export function nativePasswordHash(password: string): string {
  const once = createHash("sha1").update(password, "utf8").digest();
  return `*${createHash("sha1").update(once).digest("hex").toUpperCase()}`;
}

/** Plugins that check a password the client sends, and so can be tested by logging in. */
const SALTED = new Set(["caching_sha2_password", "sha256_password", "ed25519", "parsec"]);

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
