import { describe, expect, it } from "vitest";
import { checkRegion } from "../../src/entries/runtime";
import { RecordingIO } from "../../src/github/io";
import { LISTENER_ARN } from "../support/fake-elb";

describe("checkRegion", () => {
  it("refuses an ARN in another region than AWS_REGION, naming the input and both regions", () => {
    const io = new RecordingIO({}, {}, { AWS_REGION: "eu-west-1" });
    expect(() => checkRegion({ "listener-arn": LISTENER_ARN }, io)).toThrow(
      "Input listener-arn: the ARN is in region us-east-1, but AWS_REGION is eu-west-1. Give aws-region: us-east-1, or configure credentials for us-east-1.",
    );
  });

  it("checks lists of ARNs, and the aws-region input before the environment", () => {
    const io = new RecordingIO({}, {}, { AWS_REGION: "us-east-1" });
    expect(() => checkRegion({ "aws-region": "us-west-2", "target-group-arns": [LISTENER_ARN] }, io)).toThrow(/Input target-group-arns: .* but input aws-region is us-west-2/);
  });

  it("accepts matching regions, and ARNs when no region is configured", () => {
    expect(() => checkRegion({ "listener-arn": LISTENER_ARN }, new RecordingIO({}, {}, { AWS_REGION: "us-east-1" }))).not.toThrow();
    expect(() => checkRegion({ "listener-arn": LISTENER_ARN }, new RecordingIO())).not.toThrow();
  });
});
