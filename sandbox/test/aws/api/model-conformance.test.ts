/**
 * The sandbox answers a request that breaks the official API model as AWS does: ValidationError, HTTP 400,
 * "N validation error(s) detected: Value '…' at '<path>' failed to satisfy constraint: …". For every
 * operation the suite calls, one request per constraint kind its model has goes through the real SDK.
 */
import * as AutoScaling from "@aws-sdk/client-auto-scaling";
import * as CloudWatch from "@aws-sdk/client-cloudwatch";
import * as EC2 from "@aws-sdk/client-ec2";
import * as ELBv2 from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import asgModel from "../../../aws/api/models/asg.json" with { type: "json" };
import cwModel from "../../../aws/api/models/cw.json" with { type: "json" };
import elbv2Model from "../../../aws/api/models/elbv2.json" with { type: "json" };
import { elbv2 } from "../../../aws/api/elbv2";
import { elbv2HandWritten } from "../../../aws/api/model-hand";
import type { VendoredModel } from "../../../aws/api/model-types";
import { modelViolations } from "../../../aws/api/model-validate";
import { defaultConfig } from "../../../aws/config";
import { startSandbox, type Sandbox } from "../../../aws/sandbox";
import { clientsFor, failure } from "./clients";
import { caseOf, KINDS, kindsIn } from "./model-cases";

const elbModel: VendoredModel = {
  ...(elbv2Model as unknown as VendoredModel),
  operations: { ...(elbv2Model as unknown as VendoredModel).operations, ...elbv2HandWritten.operations },
  shapes: { ...(elbv2Model as unknown as VendoredModel).shapes, ...elbv2HandWritten.shapes },
};

/** The operations the suite's adapters call (src/adapters/aws/*.ts), and the lock's CreateRule/DeleteRule once served. */
const SUITE = {
  elb: ["AddTags", "RemoveTags", "DescribeTags", "DescribeListeners", "DescribeRules", "ModifyListener", "ModifyRule", "DescribeTargetGroups", "DescribeTargetHealth", "DescribeTargetGroupAttributes"],
  asg: ["DescribeAutoScalingGroups", "UpdateAutoScalingGroup", "SuspendProcesses", "ResumeProcesses", "DescribeScalingActivities", "CreateOrUpdateTags"],
  cw: ["DescribeAlarms", "GetMetricData"],
};
const servedLockOps = ["CreateRule", "DeleteRule"].filter((op) => Object.hasOwn(elbv2.operations, op));

type Clients = ReturnType<typeof clientsFor>;
const SERVICES = {
  elb: { model: elbModel, pkg: ELBv2 as Record<string, unknown>, client: (c: Clients) => c.elb },
  asg: { model: asgModel as unknown as VendoredModel, pkg: AutoScaling as Record<string, unknown>, client: (c: Clients) => c.asg },
  cw: { model: cwModel as unknown as VendoredModel, pkg: CloudWatch as Record<string, unknown>, client: (c: Clients) => c.cw },
} as const;

type Sendable = { send(command: unknown): Promise<unknown> };
function command(pkg: Record<string, unknown>, operation: string, input: unknown): unknown {
  const Command = pkg[`${operation}Command`] as (new (input: unknown) => unknown) | undefined;
  if (!Command) throw new Error(`the SDK has no ${operation}Command`);
  return new Command(input);
}

describe("requests that break the API models are rejected as AWS rejects them", () => {
  let sandbox: Sandbox;
  let c: Clients;
  let tgArn: string;
  beforeAll(async () => {
    // Dozens of calls a second: the API's throttling (api/throttle.test.ts) would answer some of them first.
    sandbox = await startSandbox({ config: { ...defaultConfig(), apiThrottling: { enabled: false }, tagReadLagMs: 0 }, timeScale: 50, seed: 3 });
    c = clientsFor(sandbox, 1);
    tgArn = sandbox.environment.targetGroups["web-blue"]!;
  });
  afterAll(async () => {
    c?.destroy();
    await sandbox?.close();
  });

  const cases = (Object.keys(SUITE) as (keyof typeof SUITE)[]).flatMap((svc) =>
    [...SUITE[svc], ...(svc === "elb" ? servedLockOps : [])].flatMap((operation) =>
      KINDS.map((kind) => ({ svc, operation, kind, found: caseOf(SERVICES[svc].model, operation, kind) })).filter((x) => x.found !== undefined),
    ),
  );

  it("has a case for every constraint kind each of the suite's operations has", () => {
    for (const svc of Object.keys(SUITE) as (keyof typeof SUITE)[]) {
      for (const operation of [...SUITE[svc], ...(svc === "elb" ? servedLockOps : [])]) {
        const covered = cases.filter((x) => x.operation === operation).map((x) => x.kind);
        expect(covered.sort(), operation).toEqual([...kindsIn(SERVICES[svc].model, operation)].sort());
      }
    }
    expect(new Set(cases.map((x) => x.kind))).toEqual(new Set(KINDS));
  });

  it.each(cases.map((x) => [`${x.operation} ${x.kind} at ${x.found!.path}`, x] as const))("%s", async (_name, x) => {
    const service = SERVICES[x.svc];
    const before = sandbox.calls().length;
    const error = await failure((service.client(c) as unknown as Sendable).send(command(service.pkg, x.operation, x.found!.input)));
    // Query services: e.name is the code; CloudWatch's JSON protocol carries it in x-amzn-query-error (e.Code).
    expect(x.svc === "cw" ? (error as unknown as { Code?: string }).Code : error.name).toBe("ValidationError");
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toMatch(/^[0-9]+ validation errors? detected: /);
    expect(error.message).toContain(x.found!.expect);
    const logged = sandbox.calls().slice(before).find((r) => r.operation === x.operation)!;
    expect(logged.status).toBe(400);
    expect(logged.violations).toBeGreaterThanOrEqual(1);
    expect(sandbox.modelTally().examples.length).toBeGreaterThan(0);
  });

  it("answers AddTags with a pattern-breaking value in AWS's exact words", async () => {
    const error = await failure(c.elb.send(new ELBv2.AddTagsCommand({ ResourceArns: [tgArn], Tags: [{ Key: "zda:lock", Value: "owner=x;expires=2026-01-01T00:00:00.000Z" }] })));
    expect(error.name).toBe("ValidationError");
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toBe(
      "1 validation error detected: Value 'owner=x;expires=2026-01-01T00:00:00.000Z' at 'tags.1.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$",
    );
    const tags = await c.elb.send(new ELBv2.DescribeTagsCommand({ ResourceArns: [tgArn] }));
    expect(tags.TagDescriptions![0]!.Tags!.map((t) => t.Key)).not.toContain("zda:lock");
  });

  it.each([
    ["the old lock value", "owner=x;expires=2026-01-01T00:00:00.000Z"],
    ["a rollback reason with the actor in parentheses", "bad release (by alice)"],
    ["a bot actor's name", "github-actions[bot]"],
  ])("rejects %s in an ELBv2 tag value", async (_what, value) => {
    const error = await failure(c.elb.send(new ELBv2.AddTagsCommand({ ResourceArns: [tgArn], Tags: [{ Key: "zda:test", Value: value }] })));
    expect(error.name).toBe("ValidationError");
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toContain(`Value '${value}' at 'tags.1.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern:`);
  });

  it("accepts the allowed characters: letters, digits, spaces and _ . : / = + - @ (any script)", async () => {
    const value = "owner 4242/7 expires 2026-01-01T00:00:00.000Z by github-actions@bot é ü 日本 +=_.:";
    await c.elb.send(new ELBv2.AddTagsCommand({ ResourceArns: [tgArn], Tags: [{ Key: "zda:ok", Value: value }] }));
    const tags = await c.elb.send(new ELBv2.DescribeTagsCommand({ ResourceArns: [tgArn] }));
    expect(tags.TagDescriptions![0]!.Tags!.find((t) => t.Key === "zda:ok")?.Value).toBe(value);
  });

  it("lists several violations in one message, counted, joined with '; '", async () => {
    const error = await failure(c.elb.send(new ELBv2.ModifyListenerCommand({ ListenerArn: undefined as never, Port: 0 })));
    expect(error.message).toBe(
      "2 validation errors detected: Value null at 'listenerArn' failed to satisfy constraint: Member must not be null; Value '0' at 'port' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
  });

  it("counts string length in code points, not UTF-16 units", async () => {
    const key = "𝒜".repeat(128); // a letter outside the BMP: 128 code points, 256 UTF-16 units
    await c.elb.send(new ELBv2.AddTagsCommand({ ResourceArns: [tgArn], Tags: [{ Key: key, Value: "" }] }));
    const error = await failure(c.elb.send(new ELBv2.AddTagsCommand({ ResourceArns: [tgArn], Tags: [{ Key: `${key}𝒜`, Value: "" }] })));
    expect(error.message).toContain("at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128");
  });

  it("answers CloudWatch's JSON protocol with the query-compatible ValidationError", async () => {
    const error = await failure(c.cw.send(new CloudWatch.DescribeAlarmsCommand({ MaxRecords: 101 })));
    expect((error as unknown as { Code?: string }).Code).toBe("ValidationError");
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toBe("1 validation error detected: Value '101' at 'maxRecords' failed to satisfy constraint: Member must have value less than or equal to 100");
  });

  it("ignores members the model does not know (the SDK is newer than the model)", async () => {
    const out = await c.asg.send(new AutoScaling.DescribeScalingActivitiesCommand({ AutoScalingGroupName: "web-blue", Filters: [{ Name: "Status", Values: ["Successful"] }] } as never));
    expect(out.Activities).toBeDefined();
  });

  it("holds the hand-written CreateRule and DeleteRule constraints (ELBv2 API reference)", () => {
    expect(modelViolations("ElasticLoadBalancingV2", "CreateRule", { Priority: "50001", Tags: "" })).toEqual([
      "Value null at 'listenerArn' failed to satisfy constraint: Member must not be null",
      "Value null at 'conditions' failed to satisfy constraint: Member must not be null",
      "Value '50001' at 'priority' failed to satisfy constraint: Member must have value less than or equal to 50000",
      "Value null at 'actions' failed to satisfy constraint: Member must not be null",
      "Value '[]' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1",
    ]);
    expect(modelViolations("ElasticLoadBalancingV2", "CreateRule", { ListenerArn: "l", Conditions: [], Priority: "1", Actions: [], Tags: [{ Key: "k", Value: "a;b" }] })).toEqual([
      "Value 'a;b' at 'tags.1.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$",
    ]);
    expect(modelViolations("ElasticLoadBalancingV2", "DeleteRule", {})).toEqual(["Value null at 'ruleArn' failed to satisfy constraint: Member must not be null"]);
  });

  describe("EC2 launch templates (documented constraints, EC2's own error codes)", () => {
    const template = () => sandbox.environment.autoScalingGroups["web-blue"]!.launchTemplateName;
    it.each([
      ["a name shorter than 3", { LaunchTemplateName: "ab", LaunchTemplateData: {} }, "InvalidLaunchTemplateName.Malformed"],
      ["a name with ';'", { LaunchTemplateName: "web;blue", LaunchTemplateData: {} }, "InvalidLaunchTemplateName.Malformed"],
      ["a name longer than 128", { LaunchTemplateName: "a".repeat(129), LaunchTemplateData: {} }, "InvalidLaunchTemplateName.Malformed"],
      ["a description longer than 255", { LaunchTemplateName: "web-blue", VersionDescription: "d".repeat(256), LaunchTemplateData: {} }, "InvalidParameterValue"],
      ["a client token longer than 128", { LaunchTemplateName: "web-blue", ClientToken: "t".repeat(129), LaunchTemplateData: {} }, "InvalidParameterValue"],
      ["no launch template data", { LaunchTemplateName: "web-blue" }, "MissingParameter"],
    ])("CreateLaunchTemplateVersion rejects %s", async (_what, input, code) => {
      const error = await failure(c.ec2.send(new EC2.CreateLaunchTemplateVersionCommand(input as never)));
      expect(error.name).toBe(code);
      expect(error.$metadata.httpStatusCode).toBe(400);
    });

    it("DescribeLaunchTemplateVersions rejects MaxResults outside 1–200 and a malformed name", async () => {
      const big = await failure(c.ec2.send(new EC2.DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: template(), MaxResults: 201 })));
      expect(big.name).toBe("InvalidParameterValue");
      expect(big.message).toContain("MaxResults");
      const name = await failure(c.ec2.send(new EC2.DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: "x" })));
      expect(name.name).toBe("InvalidLaunchTemplateName.Malformed");
      expect(name.message).toBe("A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.");
    });
  });
});
