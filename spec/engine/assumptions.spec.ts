// The why-run policy as data: what a resource reports missing is assumed only in why-run and only
// when an earlier resource of the run provides it.
import { describe, expect, test } from "vitest";
import { missingPolicy } from "../../engine/assumptions.js";
import { PreconditionError } from "../../engine/errors.js";

describe("missing things", () => {
  const provided = new Set(["user:app", "dir:/srv/app"]);

  test("in why-run, what an earlier resource provides is assumed and said so", () => {
    const said: string[] = [];
    const missing = missingPolicy(true, provided, (t) => said.push(t));
    missing("user:app", { assuming: "checked as a new account" });
    missing("dir:/srv/app", { hint: " (never shown)" });
    expect(said).toEqual([
      "user app would have been created: checked as a new account",
      "directory /srv/app would have been created",
    ]);
  });

  test("what nothing provides, or anything in a real run, is a precondition failure", () => {
    const said: string[] = [];
    const whyRun = missingPolicy(true, provided, (t) => said.push(t));
    expect(() => whyRun("group:app")).toThrow(new PreconditionError("group app does not exist"));
    const real = missingPolicy(false, provided, (t) => said.push(t));
    expect(() => real("dir:/srv/app", { hint: " (set recursive: true to create it)" })).toThrow(
      "directory /srv/app does not exist (set recursive: true to create it)",
    );
    expect(said).toEqual([]);
  });
});
