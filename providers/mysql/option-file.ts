// MySQL/MariaDB option files (.my.cnf): writing a value so the clients read it back exactly.
// Reading one is left to the clients themselves (and my_print_defaults, their own reader):
// spec/providers/mysql-option-file.spec.ts holds what is written here to it.
const ENCODE: Record<string, string> = { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b" };

/**
 * A value as an option file must hold it to read back exactly: double-quoted, so `#` is not a
 * comment and edge spaces stay, with backslash, quote and the control characters that would end
 * or trim the line escaped.
 */
export function encodeOptionValue(value: string): string {
  return `"${value.replace(/[\\"\n\r\t\b]/g, (c) => ENCODE[c])}"`;
}
