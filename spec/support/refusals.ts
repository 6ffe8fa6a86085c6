// Checking that converge refuses an input whole: exit 2, what it says on stderr (no stack trace),
// nothing on stdout, and a sandbox byte for byte as it was. For the specs of bad and hostile run-lists.
import { afterAll, beforeAll, expect } from "vitest";
import { type Result, Sandbox } from "./sandbox.js";

/** A sandbox for the spec file's tests (made before them, removed after), and the check of a refusal in it. */
export function useRefusals() {
  let sb: Sandbox;
  let pristine: Map<string, string>;
  beforeAll(async () => {
    sb = await Sandbox.create();
    pristine = await sb.snapshot();
  });
  afterAll(() => sb.destroy());
  return {
    get sb() {
      return sb;
    },
    /** Takes the sandbox as it is now for the state to keep (after a test that changed it on purpose). */
    async settle() {
      pristine = await sb.snapshot();
    },
    /** Exit 2 saying `message` (in one line when `oneLine`), nothing printed on stdout, nothing changed. */
    async expectRefused(r: Result, message: string | RegExp, { oneLine = false } = {}) {
      expect(r.exitCode, r.stdout + r.stderr).toBe(2);
      const lines = r.stderr.split("\n").filter(Boolean);
      if (oneLine) expect(lines, r.stderr).toHaveLength(1);
      if (typeof message === "string") expect(r.stderr).toContain(message);
      else expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at |\[object Object\]/);
      expect(r.stdout).toBe("");
      await this.expectUnchanged();
    },
    /** The sandbox byte for byte as it was. */
    async expectUnchanged() {
      expect(await sb.snapshot()).toEqual(pristine);
    },
  };
}
