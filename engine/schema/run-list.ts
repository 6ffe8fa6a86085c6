// The run-list's JSON Schema, generated from the resources' own schemas: one definition
// serves validation here and autocompletion in editors (schema/run-list.schema.json).
import type { ResourceType } from "../resource.js";
import { ACTIONS } from "../resource.js";

// Names start with a letter or digit: a file named _something in a cookbook is a helper, not a recipe.
export const RECIPE_PATTERN = "^recipe\\[([A-Za-z0-9][A-Za-z0-9_.-]*)(?:::([A-Za-z0-9][A-Za-z0-9_.-]*))?\\]$";

/** The schema of one inline entry {type, name, action, properties} of this resource type. */
export function entrySchema(def: ResourceType): Record<string, unknown> {
  const { required, ...props } = def.schema;
  const schema: Record<string, unknown> = {
    type: "object",
    description: def.description,
    properties: {
      type: { const: def.type },
      name: def.nameSchema ?? { type: "string", minLength: 1 },
      action: { enum: [...ACTIONS], default: "create" },
      properties: { ...props, default: {} },
    },
    required: ["type", "name"],
    additionalProperties: false,
  };
  // Required properties are required to create; removing needs only the identity.
  if (required?.length) {
    schema.if = { properties: { action: { const: "remove" } }, required: ["action"] };
    schema.else = { properties: { properties: { type: "object", required } } };
  }
  return schema;
}

/** The whole run-list schema, for editors and for checking example run-lists. */
export function runListSchema(types: readonly ResourceType[]): Record<string, unknown> {
  const definitions = Object.fromEntries(types.map((t) => [t.type, entrySchema(t)]));
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "converge run-list",
    type: "object",
    properties: {
      $schema: { type: "string" },
      run_list: {
        type: "array",
        items: {
          anyOf: [
            { type: "string", pattern: RECIPE_PATTERN, description: "recipe[COOKBOOK::RECIPE]" },
            ...types.map((t) => ({ $ref: `#/definitions/${t.type}` })),
          ],
        },
      },
      attributes: { type: "object", description: "what recipes read; never secrets" },
    },
    required: ["run_list"],
    additionalProperties: false,
    definitions,
  };
}

/** The envelope, checked first so entry errors can be reported one entry at a time. */
export const envelopeSchema = {
  type: "object",
  properties: {
    $schema: { type: "string" },
    run_list: { type: "array", items: { type: ["string", "object"] } },
    attributes: { type: "object", default: {} },
  },
  required: ["run_list"],
  additionalProperties: false,
} as const;
