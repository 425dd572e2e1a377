/** Which region the AWS clients get: aws-region, AWS_REGION, AWS_DEFAULT_REGION, then the ARN's region. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAwsClients, REGION_MISSING } from "../../src/adapters/aws/clients";
import { checkRegion, regionFrom } from "../../src/runtime/region";
import { RecordingIO } from "../../src/adapters/github/io";

const LISTENER = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2";
const RULE = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee";
const TG_US = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-blue/73e2d6bc24d8a067";
const io = (env: Record<string, string> = {}) => new RecordingIO({}, {}, env);

describe("regionFrom", () => {
  it("takes the input first, then AWS_REGION, then AWS_DEFAULT_REGION", () => {
    const env = { AWS_REGION: "eu-central-1", AWS_DEFAULT_REGION: "ap-south-1" };
    expect(regionFrom({ "aws-region": "us-west-2", "listener-arn": LISTENER }, io(env))).toBe("us-west-2");
    expect(regionFrom({ "listener-arn": LISTENER }, io(env))).toBe("eu-central-1");
    expect(regionFrom({ "listener-arn": LISTENER }, io({ AWS_DEFAULT_REGION: "ap-south-1" }))).toBe("ap-south-1");
  });

  it("falls back to the region of the ARN input, whichever ARN input the action has", () => {
    expect(regionFrom({ "listener-arn": LISTENER }, io())).toBe("eu-west-1");
    expect(regionFrom({ "rule-arn": RULE, "environment-tags": {} }, io())).toBe("eu-west-1");
    expect(regionFrom({ "listener-arn": undefined, "canary-target-group-arn": TG_US }, io())).toBe("us-east-1");
    expect(regionFrom({ "target-group-arns": [TG_US] }, io())).toBe("us-east-1");
  });

  it("prefers the action's own hint to the first ARN, and empty variables count as unset", () => {
    expect(regionFrom({ "listener-arn": LISTENER }, io({ AWS_REGION: "" }), "us-east-1")).toBe("us-east-1");
    expect(regionFrom({ "listener-arn": LISTENER }, io({ AWS_REGION: "", AWS_DEFAULT_REGION: "" }))).toBe("eu-west-1");
  });

  it("has none for environment-tags with nothing configured", () => {
    expect(regionFrom({ "environment-tags": { service: "web" }, "aws-region": undefined }, io())).toBeUndefined();
  });
});

describe("checkRegion without a configured region", () => {
  it("accepts ARNs that agree, and refuses ARNs in two regions, naming both inputs", () => {
    expect(() => checkRegion({ "listener-arn": LISTENER, "rule-arn": RULE }, io())).not.toThrow();
    expect(() => checkRegion({ "rule-arn": RULE, "canary-target-group-arn": TG_US }, io())).toThrow(
      "Input canary-target-group-arn: the ARN is in region us-east-1, but the ARN of input rule-arn is in eu-west-1. Every ARN of a step must be in the step's one region.",
    );
  });
});

describe("the client factory with no region anywhere", () => {
  const names = ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"];
  const saved = new Map<string, string | undefined>();
  beforeEach(() => {
    for (const name of names) saved.set(name, process.env[name]);
    for (const name of names) delete process.env[name];
    process.env.AWS_CONFIG_FILE = "/nonexistent/aws-config";
    process.env.AWS_SHARED_CREDENTIALS_FILE = "/nonexistent/aws-credentials";
  });
  afterEach(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it("says to give aws-region (not the SDK's bare 'Region is missing') for every client", async () => {
    const clients = createAwsClients({ retryMode: "standard", maxAttempts: 1, userAgent: "test" });
    for (const make of [clients.elbv2, clients.autoScaling, clients.cloudWatch, clients.ec2]) {
      await expect(make()).rejects.toMatchObject({ name: "ConfigurationError", message: REGION_MISSING });
    }
    expect(REGION_MISSING).toContain("aws-region");
  });

  it("leaves the SDK's own chain in charge when it finds a region (AWS_REGION read by the SDK)", async () => {
    process.env.AWS_REGION = "eu-north-1";
    const client = await createAwsClients({ retryMode: "standard", maxAttempts: 1, userAgent: "test" }).elbv2();
    expect(await client.config.region()).toBe("eu-north-1");
  });

  it("uses the region it is given", async () => {
    const client = await createAwsClients({ region: "ap-southeast-2", retryMode: "standard", maxAttempts: 1, userAgent: "test" }).elbv2();
    expect(await client.config.region()).toBe("ap-southeast-2");
  });
});
