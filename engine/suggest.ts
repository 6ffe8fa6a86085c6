// "Did you mean": the near miss among known names, for property names and command-line flags alike.

/** The known name within a small edit distance of `name`, if any. */
export function closest(name: string, known: readonly string[]): string | undefined {
  return known.find((k) => editDistance(k, name) <= (k.length <= 3 ? 1 : 2));
}

/** " (did you mean \"shell\"?)" for a near miss, else the known names. */
export function suggestion(name: string, known: readonly string[]): string {
  const near = closest(name, known);
  if (near) return ` (did you mean "${near}"?)`;
  return known.length ? ` (known: ${known.join(", ")})` : "";
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}
