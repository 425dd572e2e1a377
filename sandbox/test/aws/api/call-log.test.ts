/** The call log keeps the newest calls, and the decoded input of the newest 20,000 only. */
import { describe, expect, it } from "vitest";
import { CALL_INPUT_LIMIT, CALL_LOG_LIMIT, CallLog, type CallRecord } from "../../../aws/api/calls";
import { recheckCalls } from "../../../aws/api/model-validate";

const call = (i: number, input: unknown = { ResourceArns: [`arn:${i}`] }): CallRecord => ({
  at: i,
  service: "ElasticLoadBalancingV2",
  operation: "DescribeTags",
  status: 200,
  durationMs: 1,
  requestId: `r${i}`,
  input,
});

describe("CallLog", () => {
  it("drops the input of calls older than the newest 20,000 and is cut back to 100,000 records", () => {
    const log = new CallLog();
    const total = CALL_LOG_LIMIT + CALL_LOG_LIMIT / 10;
    for (let i = 0; i < total; i++) log.add(call(i));
    const records = log.list();
    expect(records).toHaveLength(CALL_LOG_LIMIT);
    expect(records.at(-1)!.requestId).toBe(`r${total - 1}`);
    expect(records.filter((r) => r.input !== undefined)).toHaveLength(CALL_INPUT_LIMIT);
    expect(records.at(-CALL_INPUT_LIMIT)!.input).toBeDefined();
    expect(records.at(-CALL_INPUT_LIMIT - 1)!.input).toBeUndefined();
  });

  it("tallies the requests checked against a model, and the violating ones, across resets", () => {
    const log = new CallLog();
    log.add(call(1), []);
    log.add(call(2), ["Value null at 'resourceArns' failed to satisfy constraint: Member must not be null"]);
    log.add({ ...call(3), operation: "NotModeled" });
    log.reset();
    log.add(call(4), []);
    expect(log.list()).toHaveLength(1);
    expect(log.modelTally()).toEqual({
      checked: 3,
      violating: 1,
      examples: ["ElasticLoadBalancingV2.DescribeTags: Value null at 'resourceArns' failed to satisfy constraint: Member must not be null"],
    });
  });

  it("re-validates recorded inputs, counting those checked, those too old and each violation", () => {
    const records = [call(1), call(2, { ResourceArns: [] }), call(3, {}), { ...call(4), input: undefined }, { ...call(5), operation: "NotModeled" }];
    const result = recheckCalls(records);
    expect(result.checked).toBe(3);
    expect(result.unchecked).toBe(1);
    expect(result.violations).toEqual([
      { operation: "ElasticLoadBalancingV2.DescribeTags", requestId: "r3", message: "1 validation error detected: Value null at 'resourceArns' failed to satisfy constraint: Member must not be null" },
    ]);
  });
});
