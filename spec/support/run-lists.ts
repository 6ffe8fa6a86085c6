// Building run-lists and reading converge's output, shared by the resource and engine specs.
import { expect } from "vitest";
import type { Result } from "./sandbox.js";

export interface Entry {
  type: string;
  name: string;
  action: "create" | "remove";
  properties: Record<string, unknown>;
}

/** One inline resource entry; `action` defaults to create, as in a run-list. */
export function entry(type: string, name: string, properties: object = {}, action: Entry["action"] = "create"): Entry {
  return { type, name, action, properties: properties as Record<string, unknown> };
}

/** A run-list document of these entries. */
export const runList = (...entries: (Entry | string)[]) => ({ run_list: entries });

/** The counts of the doc format's closing line ("converge: 1/3 resources updated ..."). */
export function summaryOf(r: Result): { changed: number; total: number } {
  const m = /^converge: (\d+)\/(\d+) resources /m.exec(r.stdout);
  expect(m, `no summary line in:\n${r.stdout}\n${r.stderr}`).not.toBeNull();
  return { changed: Number(m![1]), total: Number(m![2]) };
}

/** Asserts a real run succeeded and changed `changed` resources; returns its stdout for more checks. */
export function expectConverged(r: Result, changed: number): string {
  expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
  expect(summaryOf(r).changed, r.stdout).toBe(changed);
  return r.stdout;
}

/** The --format json document, with its shape (CONTRACT.md) checked on the way. */
export interface JsonReport {
  why_run: boolean;
  resources: {
    type: string;
    name: string;
    action: string;
    status: string;
    changes: { summary: string; diff?: string }[];
    duration_ms: number;
    assumptions?: string[];
    error?: string;
  }[];
  summary: { total: number; updated: number; failed: number };
}

export function jsonReport(r: Result): JsonReport {
  return JSON.parse(r.stdout) as JsonReport;
}
