import { describe, expect, it } from "vitest";
import { describeRequest, findWaste, type RecordedCall } from "../recorder";

const call = (at: number, operation: string, params = "A=1", service = "elasticloadbalancing"): RecordedCall => ({ at, operation, params, service });

describe("describeRequest", () => {
  it("reads the operation of a query-form body and sorts its parameters", () => {
    const r = describeRequest({ "content-type": "application/x-www-form-urlencoded" }, "Version=2015-12-01&TargetGroupArn=arn%3Ax&Action=DescribeTargetHealth&B=2");
    expect(r).toEqual({ operation: "DescribeTargetHealth", params: "B=2&TargetGroupArn=arn:x" });
  });

  it("reads the operation of a JSON request from x-amz-target", () => {
    const r = describeRequest({ "x-amz-target": "GraniteServiceVersion20100801.DescribeAlarms" }, '{"AlarmNames":["a"]}');
    expect(r).toEqual({ operation: "DescribeAlarms", params: '{"AlarmNames":["a"]}' });
  });
});

describe("findWaste", () => {
  const step = () => "health-gate";

  it("flags an identical read repeated within the window", () => {
    const waste = findWaste([call(0, "DescribeTargetHealth"), call(400, "DescribeTargetHealth")], 1000, step);
    expect(waste).toEqual([{ operation: "DescribeTargetHealth", at: 400, previousAt: 0, gapMs: 400, step: "health-gate" }]);
  });

  it("does not flag reads further apart than the window, with other parameters, or writes", () => {
    const waste = findWaste(
      [call(0, "DescribeTargetHealth"), call(1500, "DescribeTargetHealth"), call(1600, "DescribeTargetHealth", "A=2"), call(1700, "ModifyListener"), call(1800, "ModifyListener")],
      1000,
      step,
    );
    expect(waste).toEqual([]);
  });

  it("names both steps when the repeat straddles two of them", () => {
    const waste = findWaste([call(0, "DescribeListeners"), call(300, "DescribeListeners")], 1000, (at) => (at < 100 ? "deploy-green" : "health-gate"));
    expect(waste[0]?.step).toBe("deploy-green→health-gate");
  });
});
