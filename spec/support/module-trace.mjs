// Loaded with `node --import` (through NODE_OPTIONS) by specs that check what a command loads:
// appends the URL of every ES module Node loads to $MODULE_TRACE_FILE, one a line.
import { register } from "node:module";

register(
  "data:text/javascript," +
    encodeURIComponent(`
      import { appendFileSync } from "node:fs";
      export async function load(url, context, next) {
        if (process.env.MODULE_TRACE_FILE) appendFileSync(process.env.MODULE_TRACE_FILE, url + "\\n");
        return next(url, context);
      }`),
);
