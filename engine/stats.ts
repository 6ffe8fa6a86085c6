// Words for what a path holds and for its permission bits, as messages and debug lines show them.
import type { Stats } from "node:fs";

/** What `st` describes, with its article: "a directory", "a FIFO", "a symbolic link", ... */
export function kindOf(st: Stats): string {
  if (st.isFile()) return "a regular file";
  if (st.isDirectory()) return "a directory";
  if (st.isSymbolicLink()) return "a symbolic link";
  if (st.isFIFO()) return "a FIFO";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  return "a socket";
}

/** The permission bits as four octal digits, e.g. "0750". */
export const modeString = (st: Stats): string => (st.mode & 0o7777).toString(8).padStart(4, "0");
