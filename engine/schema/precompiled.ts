// The validators compiled ahead of time, by name. Run from source there are none; the bundles
// replace this module with the generated one (scripts/validators.mjs, through scripts/bundle.mjs),
// which sets `complete`: every validator a command asks for is then among them.
import type { ValidateFunction } from "ajv";

export const precompiled: { complete: boolean; validators: Readonly<Record<string, ValidateFunction>> } = {
  complete: false,
  validators: {},
};
