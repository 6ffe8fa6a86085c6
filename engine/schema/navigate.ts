// Finding the schema a value inside a validated value answers to, for the walks that read marks
// (sensitive, freeText) off the schemas.

export type SchemaNode = {
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  [k: string]: unknown;
};

/** The schema of `key` in an object (or of an item, `inArray`) that `schema` describes, if it says. */
export function childSchema<S extends SchemaNode>(schema: S | undefined, key: string, inArray: boolean): S | undefined {
  if (!schema) return undefined;
  if (inArray) return schema.items as S | undefined;
  const extra = typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined;
  return (schema.properties?.[key] ?? extra) as S | undefined;
}
