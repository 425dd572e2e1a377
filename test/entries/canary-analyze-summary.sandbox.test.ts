/**
 * canary-analyze's step summary, from the entry against the sandbox: it names the canary and the
 * baseline (slot, version, target group), links CloudWatch in the ARN's region, and ends with the
 * next step. A fresh sandbox has no traffic, so the verdict is inconclusive (too few requests).
 */
import { AddTagsCommand, ElasticLoadBalancingV2Client, ModifyListenerCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultConfig, type Sandbox, startSandbox } from "../../sandbox/aws";
import { run as canaryAnalyze } from "../../src/actions/canary-analyze/index";
import { RecordingIO } from "../../src/adapters/github/io";

const ENV = ["AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"] as const;
const saved = new Map<string, string | undefined>();
let sandbox: Sandbox;

beforeAll(async () => {
  // The test writes the tags it reads right before the step: no tag read lag here (the suite's own writes are read later).
  sandbox = await startSandbox({ config: { ...defaultConfig(), tagReadLagMs: 0 }, timeScale: 30, seed: 9 });
  for (const name of ENV) saved.set(name, process.env[name]);
  Object.assign(process.env, { AWS_ENDPOINT_URL: sandbox.endpoint, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: sandbox.region });
});

afterAll(async () => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  process.exitCode = undefined;
  await sandbox?.close();
});

function runAnalysis(inputs: Record<string, string>) {
  const io = new RecordingIO({ window: "60s", ...inputs }, {}, { GITHUB_REPOSITORY: "acme/web", GITHUB_RUN_ID: "77", RUNNER_TEMP: process.env.TMPDIR ?? "/tmp" });
  return canaryAnalyze({ io, signal: new AbortController().signal }).then(() => io.summary);
}

describe("canary-analyze's summary", () => {
  it("names both sides, links CloudWatch and ends with the next step", async () => {
    const { targetGroups } = sandbox.environment;
    const [blue, green] = [targetGroups["web-blue"]!, targetGroups["web-green"]!];
    const md = await runAnalysis({ "canary-target-group-arn": green, "baseline-target-group-arn": blue });
    expect(md).toContain("## Canary analysis: ⚠️ inconclusive");
    expect(md).toContain("| Role | Slot | Version | Target group |");
    // Slot names from the target groups' names (no deploy:slot tag), no version tags yet.
    expect(md).toMatch(/\| canary \| green \| — \| \[web-green\]\(https:\/\/console\.aws\.amazon\.com\/ec2\/home\?region=us-east-1#TargetGroup:targetGroupArn=arn%3Aaws/);
    expect(md).toMatch(/\| baseline \| blue \| — \| \[web-blue\]\(/);
    const tg = green.slice(green.lastIndexOf(":") + 1);
    expect(md).toContain(`[CloudWatch metrics of the canary](https://console.aws.amazon.com/cloudwatch/home?region=${sandbox.region}#metricsV2:graph=~();namespace=AWS/ApplicationELB;search=${encodeURIComponent(tg)})`);
    expect(md.trimEnd().split("\n").at(-1)).toMatch(/^\*\*Next:\*\* Inconclusive: only 0 requests on the baseline, fewer than the minimum 500\. Do not promote on this result/);
  });

  it("found by the listener's tags and weights: the slots' names and versions", async () => {
    const { targetGroups, listenerArn } = sandbox.environment;
    const elb = new ElasticLoadBalancingV2Client({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    const tag = (arn: string, role: string, version: string) => elb.send(new AddTagsCommand({ ResourceArns: [arn], Tags: [{ Key: "deploy:role", Value: role }, { Key: "deploy:version", Value: version }] }));
    await tag(targetGroups["web-blue"]!, "stable", "v1");
    await tag(targetGroups["web-green"]!, "candidate", "v2");
    await elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: [{ Type: "forward", ForwardConfig: { TargetGroups: [{ TargetGroupArn: targetGroups["web-blue"]!, Weight: 90 }, { TargetGroupArn: targetGroups["web-green"]!, Weight: 10 }] } }] }));
    const md = await runAnalysis({ "listener-arn": listenerArn });
    expect(md).toMatch(/\| canary \| green \| v2 \| \[web-green\]\(/);
    expect(md).toMatch(/\| baseline \| blue \| v1 \| \[web-blue\]\(/);
    expect(md.trimEnd().split("\n").at(-1)).toMatch(/^\*\*Next:\*\* Inconclusive: /);
  });

  it("given by ARN, the versions come from the target groups' tags", async () => {
    const { targetGroups } = sandbox.environment;
    const md = await runAnalysis({ "canary-target-group-arn": targetGroups["web-green"]!, "baseline-target-group-arn": targetGroups["web-blue"]! });
    expect(md).toMatch(/\| canary \| green \| v2 \| \[web-green\]\(/);
    expect(md).toMatch(/\| baseline \| blue \| v1 \| \[web-blue\]\(/);
  });
});
