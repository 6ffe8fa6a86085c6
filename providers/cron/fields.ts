// The grammar of a crontab time field (Debian's vixie cron): *, n, a-b, each with an optional
// /step, joined by commas; month and weekday also take three-letter names.
export type CronFieldName = "minute" | "hour" | "day" | "month" | "weekday";

const RANGES: Record<CronFieldName, [number, number, string[]?]> = {
  minute: [0, 59],
  hour: [0, 23],
  day: [1, 31],
  month: [1, 12, ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]],
  weekday: [0, 7, ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]],
};

export const SPECIALS = [
  "@reboot",
  "@yearly",
  "@annually",
  "@monthly",
  "@weekly",
  "@daily",
  "@midnight",
  "@hourly",
] as const;

/** True when `text` is a valid value of that cron field. */
export function isCronField(field: CronFieldName, text: string): boolean {
  const [lo, hi, names] = RANGES[field];
  const value = (v: string): number | undefined => {
    const named = names?.indexOf(v.toLowerCase()) ?? -1;
    if (named >= 0) return named + (field === "month" ? 1 : 0);
    return /^\d{1,2}$/.test(v) && +v >= lo && +v <= hi ? +v : undefined;
  };
  return text.split(",").every((item) => {
    const m = /^(\*|([^-/]+)(?:-([^-/]+))?)(?:\/(\d{1,2}))?$/.exec(item);
    if (!m) return false;
    const [, , from, to, step] = m;
    if (step !== undefined && (+step < 1 || +step > hi)) return false;
    // cron takes a step after * or a range only: "5/10" is refused by crontab(1).
    if (step !== undefined && from !== undefined && to === undefined) return false;
    if (from === undefined) return true;
    const a = value(from);
    const b = to === undefined ? a : value(to);
    return a !== undefined && b !== undefined && a <= b;
  });
}

export function cronFieldHint(field: CronFieldName): string {
  const [lo, hi, names] = RANGES[field];
  return `${lo}-${hi}${names ? ` or ${names[0]}-${names[names.length - 1]}` : ""}, *, ranges a-b, lists a,b, steps */n`;
}
