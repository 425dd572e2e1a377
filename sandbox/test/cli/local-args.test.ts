import { describe, expect, it } from "vitest";
import { UsageError } from "../../cli/cli-args";
import { parseDotEnv, parseLocalArgs, planLocalRun } from "../../cli/local-args";

const DECLARED = ["listener-arn", "to", "steps", "dry-run"];

describe("npm run local: arguments", () => {
  it("takes an action (name or actions/<name>), one env file and inputs as name=value", () => {
    expect(parseLocalArgs(["actions/shift-traffic/", ".env", "to=candidate", "steps=10,50,100", "analysis-config=minRequests: 20"])).toEqual({
      action: "shift-traffic",
      envFile: ".env",
      inputs: { to: "candidate", steps: "10,50,100", "analysis-config": "minRequests: 20" },
    });
    expect(parseLocalArgs(["rollback"])).toEqual({ action: "rollback", inputs: {} });
  });

  it("names the valid actions, and refuses a second env file or a flag", () => {
    expect(() => parseLocalArgs(["shift"])).toThrow(/unknown action "shift"; valid: deploy-green, health-gate, shift-traffic, canary-analyze, rollback/);
    expect(() => parseLocalArgs([])).toThrow(/no action given/);
    expect(() => parseLocalArgs(["rollback", "a.env", "b.env"])).toThrow(/two env files given \("a.env" and "b.env"\)/);
    expect(() => parseLocalArgs(["rollback", "--port", "4566"])).toThrow(UsageError);
  });
});

describe("npm run local: env file", () => {
  it("reads KEY=VALUE lines with comments, export and quotes", () => {
    const text = ["# comment", "", "export AWS_REGION=us-east-1", 'INPUT_TO="candidate"', "INPUT_STEPS=10,50 # inline comment", "INPUT_DRY-RUN='true'", "EMPTY="].join("\n");
    expect(parseDotEnv(text, ".env")).toEqual({ AWS_REGION: "us-east-1", INPUT_TO: "candidate", INPUT_STEPS: "10,50", "INPUT_DRY-RUN": "true", EMPTY: "" });
    expect(() => parseDotEnv("AWS_REGION=us-east-1\nnot a line", ".env")).toThrow('.env:2: expected KEY=VALUE with a KEY of letters, digits, _ . -; got "not a line"');
  });

  it("splits inputs from the environment; the command line wins; runner variables are ignored, saying why", () => {
    const vars = { AWS_REGION: "us-east-1", "INPUT_LISTENER-ARN": "arn:l", INPUT_TO: "stable", GITHUB_STEP_SUMMARY: ".tmp/s.md", ACTIONS_STEP_DEBUG: "true", GITHUB_SHA: "abc" };
    expect(planLocalRun("shift-traffic", DECLARED, vars, { to: "candidate", "dry-run": "true" })).toEqual({
      env: { AWS_REGION: "us-east-1" },
      inputs: { "listener-arn": "arn:l", to: "candidate", "dry-run": "true" },
      summaryFile: ".tmp/s.md",
      debug: true,
      ignored: ["GITHUB_SHA: the runner sets it for each run"],
    });
  });

  it("refuses an input the action does not take, naming the ones it does", () => {
    expect(() => planLocalRun("shift-traffic", DECLARED, { "INPUT_IMAGE-ID": "ami-1" }, {}, ".env")).toThrow(
      ".env: INPUT_IMAGE-ID is not an input of shift-traffic; the inputs of shift-traffic: listener-arn, to, steps, dry-run",
    );
    expect(() => planLocalRun("shift-traffic", DECLARED, {}, { stepz: "10" })).toThrow('"stepz=10": stepz is not an input of shift-traffic');
  });
});
