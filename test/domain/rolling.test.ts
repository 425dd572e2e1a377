import { describe, expect, it } from "vitest";
import { chooseRollingTarget } from "../../src/domain/rollback-rolling";
import { rollingState, type RollingEnvironment } from "../../src/domain/rolling-environment";
import { checkpointDelaySeconds } from "../../src/domain/rolling-plan";
import { rollingUpdateAction } from "../../src/actions/rolling-update/definition";
import { parseInputs } from "../../src/inputs/define";

function env(tags: Record<string, string>, versions: string[] = ["1", "1"]): RollingEnvironment {
  return {
    group: {
      name: "web",
      minSize: 0,
      maxSize: 4,
      desiredCapacity: versions.length,
      instances: versions.map((v, i) => ({ id: `i-${i}`, lifecycleState: "InService", healthStatus: "Healthy", launchTemplateVersion: v })),
      launchTemplate: { id: "lt-1", version: "1" },
      targetGroupArns: ["arn:tg"],
      suspendedProcesses: [],
      tags,
    },
    targetGroupArn: "arn:tg",
    routing: { ref: { kind: "listener", arn: "arn:l" }, listenerArn: "arn:l", loadBalancerArn: "arn:lb", groups: [{ targetGroupArn: "arn:tg", weight: 1 }], stickiness: { enabled: false } },
    state: rollingState(tags),
  };
}

describe("rollback of a rolling environment: the last good version", () => {
  it("mid-update (candidate tagged): the version that served before the update", () => {
    const t = chooseRollingTarget(env({ "deploy:version": "v1", "deploy:launch-template-version": "1", "deploy:candidate-version": "v2", "deploy:candidate-launch-template-version": "2" }), undefined);
    expect(t).toEqual({ phase: "updating", good: { label: "v1", version: "1" }, bad: { label: "v2", version: "2" } });
  });

  it("after a finished update: the previous version", () => {
    const t = chooseRollingTarget(env({ "deploy:version": "v2", "deploy:launch-template-version": "2", "deploy:previous-version": "v1", "deploy:previous-launch-template-version": "1" }), undefined);
    expect(t.phase).toBe("updated");
    expect(t.good).toEqual({ label: "v1", version: "1" });
  });

  it("to-version names the good or the previous version; another is refused with the ones recorded", () => {
    const tags = { "deploy:version": "v2", "deploy:launch-template-version": "2", "deploy:previous-version": "v1", "deploy:previous-launch-template-version": "1" };
    expect(chooseRollingTarget(env(tags), "v2").good.version).toBe("2");
    expect(() => chooseRollingTarget(env(tags), "v9")).toThrow(/records no launch template version for "v9" \(good: v2, previous: v1\)/);
  });

  it("untagged: the one version every instance runs; mixed versions without tags are refused", () => {
    expect(chooseRollingTarget(env({}, ["3", "3"]), undefined)).toEqual({ phase: "steady", good: { label: undefined, version: "3" } });
    expect(() => chooseRollingTarget(env({}, ["3", "4"]), undefined)).toThrow(/Cannot tell the last good version of web/);
  });

  it("a candidate without the good version's tag is refused: nothing to go back to", () => {
    expect(() => chooseRollingTarget(env({ "deploy:candidate-version": "v2" }), undefined)).toThrow(/no deploy:launch-template-version/);
  });
});

describe("rolling-update's checkpoint pause", () => {
  it("auto: checkpoint-timeout + stable-for + bake + 60 s, at most AWS's 48 h; a given delay is kept", () => {
    expect(checkpointDelaySeconds({ checkpointTimeoutMs: 300_000, bakeMs: 120_000, checkpointDelaySeconds: undefined }, 20_000)).toBe(500);
    expect(checkpointDelaySeconds({ checkpointTimeoutMs: 6 * 3600_000, bakeMs: 6 * 3600_000, checkpointDelaySeconds: undefined }, 0)).toBe(43_260);
    expect(checkpointDelaySeconds({ checkpointTimeoutMs: 1, bakeMs: 1, checkpointDelaySeconds: 90 }, 0)).toBe(90);
  });
});

describe("rolling-update's inputs", () => {
  const base: Record<string, string> = { "auto-scaling-group-name": "web", "image-id": "ami-0123456789abcdef0", version: "v2" };
  const parse = (extra: Record<string, string>) => parseInputs(rollingUpdateAction, (name) => ({ ...base, ...extra })[name] ?? (rollingUpdateAction.inputs as Record<string, { default?: string }>)[name]?.default ?? "");

  it("defaults: checkpoints 10,50,100, min healthy 90, max healthy 100", () => {
    const s = parse({});
    expect([s.checkpoints, s["min-healthy-percentage"], s["max-healthy-percentage"]]).toEqual([[10, 50, 100], 90, 100]);
  });

  it("refuses checkpoints that do not rise or do not end at 100, and min/max more than 100 apart, naming the input", () => {
    expect(() => parse({ checkpoints: "50,10,100" })).toThrow(/checkpoints.*must increase/s);
    expect(() => parse({ checkpoints: "10,50" })).toThrow(/checkpoints.*last checkpoint must be 100/s);
    expect(() => parse({ "min-healthy-percentage": "0", "max-healthy-percentage": "150" })).toThrow(/may differ by at most 100/);
    expect(() => parse({ analysis: "true" })).toThrow(/cannot tell the two versions apart/);
  });
});
