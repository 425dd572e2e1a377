/**
 * Least privilege, proven: each action's scenarios run on the sandbox, the AWS operations the
 * sandbox recorded are mapped to IAM action names, and the action's policy in docs/iam must grant
 * exactly those (not a superset), plus only the permissions AWS checks implicitly for a recorded
 * call (ec2:RunInstances, ec2:CreateTags and iam:PassRole behind an Auto Scaling group's launch
 * template), kept in statements whose Sid starts with "Implied". combined.json is the union.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pointSdkAt, runInProcess, type EntryName } from "../../bench/lib/safety-inproc";
import { sandboxMetricsDelay, sandboxPropagationDelay, startStage, type Stage } from "../../sandbox/harness";

const SERVICE_PREFIX: Record<string, string> = { ElasticLoadBalancingV2: "elasticloadbalancing", AutoScaling: "autoscaling", EC2: "ec2", CloudWatch: "cloudwatch" };
/** Permissions AWS checks on behalf of a recorded call, and the calls that need them. */
const IMPLIED: Record<string, string[]> = {
  "ec2:RunInstances": ["autoscaling:UpdateAutoScalingGroup"],
  "ec2:CreateTags": ["autoscaling:UpdateAutoScalingGroup"],
  "iam:PassRole": ["autoscaling:UpdateAutoScalingGroup", "ec2:CreateLaunchTemplateVersion"],
};

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: unknown;
}
interface Policy {
  Version: string;
  Statement: Statement[];
}

function policy(name: string): Policy {
  return JSON.parse(readFileSync(`docs/iam/${name}.json`, "utf8")) as Policy;
}
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
function granted(p: Policy, implied: boolean): string[] {
  return [...new Set(p.Statement.filter((s) => (s.Sid ?? "").startsWith("Implied") === implied).flatMap((s) => list(s.Action)))].sort();
}

const ACTIONS: EntryName[] = ["deploy-green", "health-gate", "shift-traffic", "canary-analyze", "rollback", "migration-guard", "rolling-update"];
const recorded = new Map<EntryName, Set<string>>(ACTIONS.map((a) => [a, new Set<string>()]));

let stage: Stage;
let restore: () => void;

beforeAll(async () => {
  stage = await startStage({ rps: 0, timeScale: 30, seed: 5 });
  restore = pointSdkAt(stage.sandbox.endpoint);
  const { environment } = stage.sandbox;
  const listener = environment.listenerArn;
  const tags = "environment=sandbox\nservice=web";
  const tg = environment.targetGroups;
  const scenario = async (name: EntryName, inputs: Record<string, string>, mustSucceed = true, env: Record<string, string> = {}, signal?: AbortSignal) => {
    stage.sandbox.resetCalls();
    const result = await runInProcess(name, inputs, env, signal);
    if (process.env.IAM_DEBUG) console.log(name, result.ok, result.log.slice(-600));
    if (mustSucceed && !result.ok) throw new Error(`${name} ${JSON.stringify(inputs)} failed:\n${result.log}`);
    for (const call of stage.sandbox.calls()) recorded.get(name)!.add(`${SERVICE_PREFIX[call.service] ?? call.service}:${call.operation}`);
  };
  // Read-only variants that find the environment from its Auto Scaling groups' tags.
  await scenario("deploy-green", { "environment-tags": tags, "image-id": environment.releases.v2!, version: "v2", "dry-run": "true" });
  await scenario("shift-traffic", { "environment-tags": tags, weight: "10", "dry-run": "true" });
  await scenario("rollback", { "environment-tags": tags, "dry-run": "true" }, false);
  // stable-for auto reads the target group's health check settings (DescribeTargetGroups): 20 s here.
  await scenario("health-gate", { "target-group-arns": tg["web-blue"]!, timeout: "40s", "stable-for": "auto" });
  // A release that never becomes healthy: deploy-green fails and gives its lock back (RemoveTags).
  await scenario("deploy-green", { "listener-arn": listener, "image-id": environment.releases.v4!, version: "v4", timeout: "30s", "stable-for": "1s" }, false);
  // A whole release: deploy (over the failed slot, clearing its old tags), gate, analyse, canary with
  // alarms and analysis to 100% with scale-in, then roll back.
  await scenario("deploy-green", { "listener-arn": listener, "image-id": environment.releases.v2!, version: "v2", timeout: "60s", "stable-for": "2s", "schema-version": "2" });
  await scenario("health-gate", { "listener-arn": listener, slot: "candidate", timeout: "30s", "stable-for": "1s" });
  await scenario("health-gate", { "environment-tags": tags, slot: "candidate", timeout: "30s", "stable-for": "1s" });
  await scenario("canary-analyze", { "listener-arn": listener, window: "1m", "fail-on": "never" });
  await scenario("canary-analyze", { "canary-target-group-arn": tg["web-green"]!, "baseline-target-group-arn": tg["web-blue"]!, window: "1m", "fail-on": "never" });
  await scenario("shift-traffic", {
    "listener-arn": listener,
    steps: "50,100",
    interval: "1s",
    "alarm-names": "web-green-target-5xx",
    analysis: "true",
    "analysis-config": "minRequests: 0\n",
    "analysis-inconclusive": "continue",
    "metrics-delay": sandboxMetricsDelay(stage),
    "propagation-delay": sandboxPropagationDelay(stage),
    "stickiness-duration": "60s",
    "scale-in-previous": "true",
  });
  // The previous fleet is scaled in, so the contract of schema 1 may run: the gate records it on the listener (AddTags).
  const workspace = mkdtempSync(join(tmpdir(), "iam-migrations-"));
  writeFileSync(join(workspace, "002_drop_email.sql"), "-- migration: contract after 1\nSET lock_timeout = '2s';\nALTER TABLE users DROP COLUMN email;\n");
  await scenario("migration-guard", { mode: "gate", migrations: ".", "listener-arn": listener }, true, { GITHUB_WORKSPACE: workspace });
  await scenario("migration-guard", { mode: "gate", migrations: ".", "environment-tags": tags }, true, { GITHUB_WORKSPACE: workspace });
  await scenario("rollback", { "listener-arn": listener, "scale-in-bad": "true", timeout: "60s" });
  // The next release, over the slot just rolled back from: its role and version tags are cleared (RemoveTags).
  await scenario("deploy-green", { "listener-arn": listener, "image-id": environment.releases.v2!, version: "v3", timeout: "60s", "stable-for": "1s" });
  restore();
  await stage.close();
  await rollingScenarios((name, inputs, mustSucceed, signal) => scenario(name, inputs, mustSucceed, {}, signal));
}, 360_000);

/**
 * A rolling environment (one group of 4): a dry run, a good release with alarms and analysis, a
 * never-healthy release that rolls back, a rollback of the good release, and a rollback of a
 * refresh a stopped job left running.
 */
async function rollingScenarios(scenario: (name: EntryName, inputs: Record<string, string>, mustSucceed?: boolean, signal?: AbortSignal) => Promise<void>): Promise<void> {
  stage = await startStage({ rps: 20, timeScale: 30, seed: 6, rollingInstances: 4, alarmThreshold: 1000 });
  restore = pointSdkAt(stage.sandbox.endpoint);
  const releases = stage.sandbox.environment.releases;
  const rolling = (version: "v2" | "v4") => ({
    "auto-scaling-group-name": "web-blue",
    "image-id": releases[version]!,
    version,
    checkpoints: "50,100",
    "min-healthy-percentage": "75",
    "instance-warmup": "5s",
    "stable-for": "1s",
    bake: "1s",
    "checkpoint-timeout": "2s",
    "checkpoint-delay": "100s",
    timeout: "2m",
  });
  await scenario("rolling-update", { ...rolling("v2"), "dry-run": "true" });
  await scenario("rolling-update", {
    ...rolling("v2"),
    "alarm-names": "web-blue-target-5xx",
    analysis: "true",
    "analysis-config": "minRequests: 0\nmetrics:\n  - name: error-rate\n    preset: error-rate\n    compare: false\n    thresholds: { max: 0.05 }\n",
  });
  await scenario("rolling-update", rolling("v4"), false);
  await scenario("rollback", { "auto-scaling-group-name": "web-blue", reason: "v2 breaks checkout", timeout: "90s" });
  // A job stopped mid-refresh: AWS is asked to roll back; the rollback step finishes and verifies.
  const stop = new AbortController();
  setTimeout(() => stop.abort(new Error("cancelled")), 1_500);
  await scenario("rolling-update", rolling("v2"), false, stop.signal);
  await scenario("rollback", { "auto-scaling-group-name": "web-blue", reason: "stopped job", timeout: "90s" });
  // A job killed mid-refresh (kill -9 leaves the refresh running and the candidate tagged): the rollback rolls the refresh back.
  await leaveRefreshRunning(stage);
  await scenario("rollback", { "auto-scaling-group-name": "web-blue", reason: "killed job", timeout: "90s" });
}

/** What a killed rolling-update leaves: its refresh to version 2 paused at a checkpoint, and the group tagged with the candidate. */
async function leaveRefreshRunning(stage: Stage): Promise<void> {
  const { AutoScalingClient, CreateOrUpdateTagsCommand, DescribeInstanceRefreshesCommand, StartInstanceRefreshCommand } = await import("@aws-sdk/client-auto-scaling");
  const client = new AutoScalingClient({ endpoint: stage.sandbox.endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  const tag = (Key: string, Value: string) => ({ ResourceId: "web-blue", ResourceType: "auto-scaling-group", Key, Value, PropagateAtLaunch: false });
  await client.send(new CreateOrUpdateTagsCommand({ Tags: [tag("deploy:candidate-version", "v2"), tag("deploy:candidate-launch-template-version", "2")] }));
  await client.send(
    new StartInstanceRefreshCommand({
      AutoScalingGroupName: "web-blue",
      DesiredConfiguration: { LaunchTemplate: { LaunchTemplateId: stage.sandbox.environment.launchTemplates["web-blue"]!, Version: "2" } },
      Preferences: { MinHealthyPercentage: 75, InstanceWarmup: 0, CheckpointPercentages: [50, 100], CheckpointDelay: 3600, SkipMatching: true },
    }),
  );
  for (let i = 0; i < 200; i++) {
    const r = (await client.send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: "web-blue" }))).InstanceRefreshes![0]!;
    if ((r.PercentageComplete ?? 0) >= 50) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  client.destroy();
}

afterAll(async () => {
  // IAM_RECORDED=<file> writes what was recorded, to review a policy change.
  if (process.env.IAM_RECORDED) writeFileSync(process.env.IAM_RECORDED, JSON.stringify(Object.fromEntries([...recorded].map(([k, v]) => [k, [...v].sort()])), null, 2));
  restore?.();
  await stage?.close();
});

describe.each(ACTIONS)("docs/iam/%s.json", (name) => {
  it("grants exactly the operations the action's scenarios made", () => {
    const ops = [...recorded.get(name)!].sort();
    expect(ops.length).toBeGreaterThan(2);
    expect(granted(policy(name), false)).toEqual(ops);
  });

  it("is a valid policy whose implied permissions belong to a recorded call", () => {
    const p = policy(name);
    expect(p.Version).toBe("2012-10-17");
    for (const s of p.Statement) {
      expect(s.Effect).toBe("Allow");
      expect(list(s.Action).every((a) => /^[a-z0-9-]+:[A-Za-z]+$/.test(a)), JSON.stringify(s.Action)).toBe(true);
    }
    const ops = recorded.get(name)!;
    for (const action of granted(p, true)) {
      expect(Object.keys(IMPLIED), action).toContain(action);
      expect(IMPLIED[action]!.some((needs) => ops.has(needs)), `${action} is implied by none of the recorded calls`).toBe(true);
    }
  });
});

describe("docs/iam/combined.json", () => {
  it("is the union of the per-action policies", () => {
    const union = (implied: boolean) => [...new Set(ACTIONS.flatMap((a) => granted(policy(a), implied)))].sort();
    const combined = policy("combined");
    expect(combined.Version).toBe("2012-10-17");
    expect(granted(combined, false)).toEqual(union(false));
    expect(granted(combined, true)).toEqual(union(true));
  });
});
