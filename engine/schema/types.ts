// TypeScript types derived from the resource schemas: what a recipe may write (secret
// references allowed, defaults optional) and what a resource receives (secrets resolved, defaults filled).
import type { FromSchema, JSONSchema } from "json-schema-to-ts";
import type { Resolved } from "./fragments.js";

export type InputOf<S extends JSONSchema> = FromSchema<S, { keepDefaultedPropertiesOptional: true }>;
export type PropsOf<S extends JSONSchema> = Resolved<FromSchema<S>>;
