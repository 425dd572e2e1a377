/** What an input error says: the input, the bad value (one line, capped, never a command) and what is valid. */
import { describe, expect, it } from "vitest";
import { parseInputs, type ActionDefinition } from "../../src/inputs/define";
import { healthGateAction } from "../../src/actions/health-gate/definition";
import { rollbackAction } from "../../src/actions/rollback/definition";
import { shiftTrafficAction } from "../../src/actions/shift-traffic/definition";
import { canaryAnalyzeAction } from "../../src/actions/canary-analyze/definition";
import { ConfigurationError } from "../../src/util/errors";

const LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function failure(definition: ActionDefinition<any>, inputs: Record<string, string>): string {
  try {
    parseInputs(definition, (name) => (inputs[name] ?? "").trim());
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error("expected the inputs to be refused");
}

describe("single-line text inputs refuse line breaks", () => {
  it("a rollback reason with a newline is refused, naming the input, with the value on one line", () => {
    const message = failure(rollbackAction, { "listener-arn": LISTENER, reason: "bad release\n::error title=forged::all fine" });
    expect(message).toBe(
      'Input reason: "bad release\\n::error title=forged::all fine" is not valid (must be one line: it contains a line break (CR or LF)). Valid: 1 to 200 characters on one line.',
    );
  });

  it("a CR alone is a line break too, and so is the Unicode line separator; NEL is refused as a control character", () => {
    for (const reason of ["a\rb", "a\u2028b"]) expect(failure(rollbackAction, { "listener-arn": LISTENER, reason })).toMatch(/^Input reason: .*must be one line/);
    expect(failure(rollbackAction, { "listener-arn": LISTENER, reason: "a\u0085b" })).toBe('Input reason: "a\\u0085b" is not valid (contains control characters). Valid: 1 to 200 characters on one line.');
    expect(failure(shiftTrafficAction, { "listener-arn": LISTENER, weight: "10", to: "blue\ngreen" })).toMatch(/^Input to: "blue\\ngreen" is not valid \(must be one line/);
  });

  it("YAML inputs keep their lines", () => {
    const s = parseInputs(canaryAnalyzeAction, (name) => ({ "listener-arn": LISTENER, config: "metrics:\n  - { name: e, preset: error-rate }" })[name as "config"] ?? "");
    expect(s.config).toContain("\n");
  });
});

describe("union inputs say why", () => {
  it("steps=50,10 says the steps must increase, not 'Invalid input'", () => {
    expect(failure(shiftTrafficAction, { "listener-arn": LISTENER, steps: "50,10" })).toBe(
      'Input steps: "50,10" is not valid (steps must increase). Valid: comma-separated ascending percentages above 0, e.g. 1,10,50,100.',
    );
  });

  it("weight, stickiness-duration and stable-for name the reason of the branch that fits the value", () => {
    expect(failure(shiftTrafficAction, { "listener-arn": LISTENER, weight: "150" })).toContain("(not a percentage from 0 to 100 with at most one decimal)");
    expect(failure(shiftTrafficAction, { "listener-arn": LISTENER, weight: "10", "stickiness-duration": "soon" })).toContain("(not a duration)");
    expect(failure(healthGateAction, { urls: "http://127.0.0.1/health", "stable-for": "5x" })).toContain('Input stable-for: "5x" is not valid (not a duration)');
  });
});

describe("header values HTTP cannot carry are refused at validation", () => {
  it("a value beyond Latin-1 names the input, the line and the header, never the value", () => {
    const message = failure(healthGateAction, { urls: "http://127.0.0.1/health", headers: "Host: app.example.com\nAuthorization: Bearer tökén-€-secret" });
    expect(message).toMatch(/^Input headers: the value given is not valid \(line 2 \(Authorization\): the value has characters beyond Latin-1/);
    expect(message).not.toContain("secret");
  });

  it("Latin-1 values pass", () => {
    const s = parseInputs(healthGateAction, (name) => ({ urls: "http://127.0.0.1/health", headers: "X-Name: Müller" })[name as "urls"] ?? "");
    expect(s.headers).toEqual([{ name: "X-Name", value: "Müller", sensitive: false }]);
  });
});

describe("an expect-json error quotes a capped, one-line excerpt", () => {
  it("a 120 KB line without an operator is refused with at most a 120-character excerpt", () => {
    const line = `a${" ".repeat(120_000)}b`;
    const message = failure(healthGateAction, { urls: "http://127.0.0.1/health", "expect-json": line });
    expect(message.length).toBeLessThan(600);
    expect(message).toMatch(/^Input expect-json: "a {52}… \(119949 more characters\)" is not valid \("a {92}… \(119909 more characters\)" is not path operator value/);
  });
});
