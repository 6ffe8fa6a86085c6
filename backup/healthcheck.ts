// Check-in pings, the protocol healthchecks.io, Uptime Kuma (push) and Cronitor share: URL/start
// when a run begins, URL when it succeeded, URL/fail when it did not, with the run's summary as
// the body. The service alerts when a ping is late or a fail arrives, so a job that never starts
// (cron gone, host retired) is noticed too. The URL is a secret (whoever has it can ping), so it
// appears in no message; a ping that cannot be delivered is reported and never fails the backup.

export type PingKind = "start" | "success" | "fail";

export interface PingOptions {
  /** Per attempt. */
  timeoutMs: number;
  /** Attempts after the first. */
  retries: number;
  /** Wait before the first retry; doubled for each next one. */
  backoffMs: number;
}

export const PING_DEFAULTS: PingOptions = { timeoutMs: 10_000, retries: 2, backoffMs: 1_000 };

/** Bodies beyond this are cut (healthchecks.io keeps 100 kB; a summary is a line or two). */
const MAX_BODY = 10_000;

/** The URL a kind of ping goes to: /start and /fail appended to the path, before any query. */
export function pingUrl(base: string, kind: PingKind): string {
  const u = new URL(base);
  if (kind !== "success") u.pathname = `${u.pathname.replace(/\/$/, "")}/${kind}`;
  return u.toString();
}

/**
 * Sends one ping, retrying network errors, timeouts, 429 and 5xx answers. Resolves with why it
 * could not be delivered (never naming the URL), or undefined once it was.
 */
export async function sendPing(
  base: string,
  kind: PingKind,
  body = "",
  opts: PingOptions = PING_DEFAULTS,
): Promise<string | undefined> {
  let url: string;
  try {
    url = pingUrl(base, kind);
  } catch {
    return "the URL is not valid";
  }
  let why = "";
  for (let attempt = 0; attempt <= opts.retries; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, opts.backoffMs * 2 ** (attempt - 1)));
    try {
      const res = await fetch(url, {
        method: "POST",
        body: body.slice(0, MAX_BODY),
        headers: { "content-type": "text/plain; charset=utf-8" },
        signal: AbortSignal.timeout(opts.timeoutMs),
        redirect: "follow",
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return undefined;
      why = `HTTP ${res.status}`;
      if (res.status < 500 && res.status !== 429) break;
    } catch (err) {
      why = describe(err, opts.timeoutMs);
    }
  }
  return `${why} after ${opts.retries + 1} attempt(s)`;
}

/** A fetch failure in a few words: the cause's code, never its message (which may quote the URL). */
function describe(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; cause?: { code?: string; name?: string } };
  if (e.name === "TimeoutError" || e.cause?.name === "TimeoutError") return `no answer within ${timeoutMs / 1000} s`;
  if (e.cause?.code) return e.cause.code;
  if (e.name === "TypeError") return "request failed";
  return e.name ?? "request failed";
}
