// Crontab time fields in a resource's schema: the fragment that declares them and the ajv
// keyword that checks them against cron's grammar (fields.ts). A resource type whose schema
// holds cronTimes lists cronKeyword in its `keywords`.
import type { CodeKeywordDefinition, KeywordCxt } from "ajv";
import { _, str } from "ajv/dist/compile/codegen/index.js";
import { runtimeFunction } from "../../engine/schema/ajv.js";
import { cronFieldHint, isCronField, type CronFieldName } from "./fields.js";

export const cronField = <F extends CronFieldName>(field: F) =>
  ({
    type: "string",
    cron: field,
    description: `cron ${field} field (default *): numbers, ranges, lists, steps`,
  }) as const;

/** The five time fields of a crontab line, each defaulting to "*". */
export const cronTimes = {
  minute: cronField("minute"),
  hour: cronField("hour"),
  day: cronField("day"),
  month: cronField("month"),
  weekday: cronField("weekday"),
} as const;

/** `cron: "minute"` in a schema: the string must be a valid crontab field of that name. */
export const cronKeyword: CodeKeywordDefinition = {
  keyword: "cron",
  type: "string",
  schemaType: "string",
  error: {
    message: ({ schema }) => str`must match cron ${schema} syntax (${cronFieldHint(schema as CronFieldName)})`,
  },
  code(cxt: KeywordCxt) {
    const check = runtimeFunction(cxt.gen, "providers/cron/fields.js", "isCronField", isCronField);
    cxt.fail(_`!${check}(${cxt.schema as string}, ${cxt.data})`);
  },
};
