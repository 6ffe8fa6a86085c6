// The shipped templates compiled ahead of time, by the SHA-256 of their text. Run from source there
// are none; the converge bundle replaces this module with the generated one (scripts/templates.mjs,
// through scripts/bundle.mjs). A template whose text is not among them (a user's, an edited one)
// is compiled when first rendered, with the same options.
import type Handlebars from "handlebars";

export type TemplateSpec = Parameters<typeof Handlebars.template>[0];

export const precompiledTemplates: Readonly<Record<string, TemplateSpec>> = {};
