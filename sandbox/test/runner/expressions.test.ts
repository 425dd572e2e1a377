import { describe, expect, it } from "vitest";
import { evaluateCondition, evaluateExpression, evaluateValue, ExpressionError, interpolate, type ExpressionScope } from "../../runner";

const scope: ExpressionScope = {
  contexts: {
    github: { event_name: "workflow_dispatch", ref: "refs/heads/main", event: { inputs: { environment: "staging", "dry-run": "false" } } },
    inputs: { environment: "staging", "dry-run": false, replicas: 3, strategy: "canary" },
    steps: { plan: { outputs: { weights: "[10,50,100]", config: '{"a":{"b":[1,2]}}' }, outcome: "success", conclusion: "success" } },
    needs: { build: { result: "success", outputs: { version: "1.2.3" } } },
    env: { APP: "shop", EMPTY: "" },
    vars: { REGION: "eu-west-1" },
    secrets: { TOKEN: "s3cr3t" },
  },
  status: { success: true, failure: false, cancelled: false },
};

const evaluate = (source: string) => evaluateExpression(source, scope);

describe("expression evaluation", () => {
  it.each([
    // literals
    ["null", null],
    ["true", true],
    ["-9.5", -9.5],
    ["0xff", 255],
    ["'it''s'", "it's"],
    // loose equality: strings ignore case, mixed types compare as numbers
    ["'ABC' == 'abc'", true],
    ["1 == '1'", true],
    ["'' == 0", true],
    ["null == 0", true],
    ["null == ''", true],
    ["true == 1", true],
    ["true == '1'", true],
    ["false == ''", true],
    ["'abc' == 0", false],
    ["'x' != 'X'", false],
    ["NaN == NaN", false],
    ["fromJSON('[1]') == fromJSON('[1]')", false],
    // comparison
    ["1 < 2", true],
    ["'a' < 'B'", true],
    ["'10' > 9", true],
    ["'abc' < 1", false],
    ["2 >= '2'", true],
    ["null <= 0", true],
    // logic returns operand values, as GitHub does
    ["'' || 'fallback'", "fallback"],
    ["'a' && 'b'", "b"],
    ["0 && 'b'", 0],
    ["!''", true],
    ["!'false'", false],
    ["!0", true],
    ["!fromJSON('{}')", false],
    ["(1 == 1) && (2 == 3 || 'yes')", "yes"],
    // contexts, case-insensitive, missing properties are null
    ["inputs.environment", "staging"],
    ["INPUTS.Environment", "staging"],
    ["inputs['dry-run']", false],
    ["inputs.dry-run == false", true],
    ["github.event.inputs.dry-run == 'false'", true],
    ["steps.plan.outputs.missing", null],
    ["steps.nope.outputs.x", null],
    ["needs.build.outputs.version", "1.2.3"],
    ["needs.build.result == 'success'", true],
    ["env.EMPTY || env.APP", "shop"],
    ["vars.REGION", "eu-west-1"],
    ["fromJSON(steps.plan.outputs.config).a.b[1]", 2],
    ["fromJSON(steps.plan.outputs.weights)[2]", 100],
    ["fromJSON('{\"x\":{\"n\":1},\"y\":{\"n\":2}}').*.n", [1, 2]],
    // functions
    ["contains('Hello World', 'WORLD')", true],
    ["contains(fromJSON('[\"a\",\"b\"]'), 'B')", true],
    ["contains(fromJSON('[1,2]'), '2')", true],
    ["contains(fromJSON('[\"a\"]'), 'c')", false],
    ["startsWith(github.ref, 'REFS/heads/')", true],
    ["endsWith('deploy.yml', '.YML')", true],
    ["format('{0}-{1}-{{literal}}', inputs.strategy, 7)", "canary-7-{literal}"],
    ["join(fromJSON('[1,2,3]'), '+')", "1+2+3"],
    ["join(fromJSON('[\"a\",\"b\"]'))", "a,b"],
    ["join('solo', '+')", "solo"],
    ["toJSON(needs.build.outputs)", '{\n  "version": "1.2.3"\n}'],
    ["toJSON(inputs.replicas)", "3"],
    ["fromJSON('true')", true],
    ["success() && !failure() && !cancelled() && always()", true],
  ])("%s → %j", (source, expected) => {
    expect(evaluate(source)).toEqual(expected);
  });

  it.each([
    ["foo.bar", "Unrecognized named-value: 'foo'"],
    ["hashFiles('x')", "Unrecognized function: 'hashFiles'"],
    ["contains('a')", "takes 2 argument(s), got 1"],
    ["1 ==", "Unexpected end of expression"],
    ["'open", "Unterminated string literal"],
    ["fromJSON('not json')", "fromJSON() got text that is not JSON"],
    ["format('{1}', 'a')", "placeholder {1} has no argument"],
  ])("%s is refused with a clear error", (source, message) => {
    expect(() => evaluate(source)).toThrow(ExpressionError);
    expect(() => evaluate(source)).toThrow(message);
    expect(() => evaluate(source)).toThrow(`in expression: ${source}`);
  });

  it("refuses status functions outside conditions", () => {
    expect(() => evaluateExpression("success()", { contexts: {} })).toThrow("only available in 'if' conditions");
  });
});

describe("if conditions", () => {
  const at = (status: { success: boolean; failure: boolean; cancelled: boolean }) => ({ ...scope, status });
  const ok = at({ success: true, failure: false, cancelled: false });
  const failed = at({ success: false, failure: true, cancelled: false });
  const cancelled = at({ success: false, failure: false, cancelled: true });

  it.each([
    [undefined, ok, true],
    [undefined, failed, false],
    ["inputs.environment == 'staging'", ok, true],
    // without a status function a condition means success() && (...)
    ["inputs.environment == 'staging'", failed, false],
    ["${{ inputs.environment == 'staging' }}", ok, true],
    ["always()", cancelled, true],
    ["failure()", failed, true],
    ["failure()", ok, false],
    ["cancelled()", cancelled, true],
    ["!cancelled()", failed, true],
    ["!cancelled()", cancelled, false],
    ["success() || failure()", cancelled, false],
    ["${{ always() && inputs.dry-run }}", cancelled, false],
    [false, ok, false],
    [true, failed, false],
    ["'false'", ok, true],
  ])("if %j → %s", (condition, status, expected) => {
    expect(evaluateCondition(condition, status)).toBe(expected);
  });
});

describe("templates", () => {
  it("substitutes each ${{ }} as text, null as empty", () => {
    expect(interpolate("deploy ${{ inputs.environment }} x${{ inputs.replicas }} ${{ steps.a.outputs.b }}!", scope)).toBe("deploy staging x3 !");
  });

  it("keeps }} inside a string literal", () => {
    expect(interpolate("${{ format('{0}}}', 'a') }}", scope)).toBe("a}");
  });

  it("keeps the type of a lone expression", () => {
    expect(evaluateValue("${{ inputs.replicas }}", scope)).toBe(3);
    expect(evaluateValue(" ${{ inputs.dry-run }} ", scope)).toBe(false);
    expect(evaluateValue("n=${{ inputs.replicas }}", scope)).toBe("n=3");
  });

  it("names an unclosed expression", () => {
    expect(() => interpolate("a ${{ inputs.x", scope)).toThrow("Unclosed '${{'");
  });
});
