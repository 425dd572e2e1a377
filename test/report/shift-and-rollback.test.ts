import { describe, expect, it } from "vitest";
import { rollback } from "../../src/domain/rollback";
import { shiftTraffic } from "../../src/domain/shift-traffic";
import { TAG } from "../../src/domain/tags";
import { renderRollbackSummary } from "../../src/actions/rollback/summary";
import { renderShiftSummary } from "../../src/actions/shift-traffic/summary";
import { ManualClock } from "../../src/util/clock";
import { BLUE_ARN, FakeElb, GREEN_ARN, LISTENER_ARN } from "../support/fake-elb";
import { FakeFleet } from "../support/fake-fleet";

function world() {
  const clock = new ManualClock();
  const elb = new FakeElb();
  const fleet = new FakeFleet(clock);
  fleet.addGroup({ name: "web-blue", running: 2, targetGroupArns: [BLUE_ARN] });
  fleet.addGroup({ name: "web-green", running: 2, targetGroupArns: [GREEN_ARN] });
  elb.resourceTags.set(BLUE_ARN, { [TAG.role]: "stable", [TAG.version]: "v1" });
  elb.resourceTags.set(GREEN_ARN, { [TAG.role]: "candidate", [TAG.version]: "v2" });
  const ports = { router: elb, tags: elb.tags, locks: elb.locks, targetGroups: elb, discovery: elb, fleet: async () => fleet, alarms: async () => ({ read: async () => [] }) };
  return { clock, elb, ports };
}

const common = {
  environment: { kind: "listener" as const, arn: LISTENER_ARN },
  minHealthy: { kind: "count" as const, value: 1 },
  timeoutMs: 3_600_000,
  dryRun: false,
  lockOwner: "acme/web/actions/runs/1",
  lockTtlMs: 3_600_000,
};

/** A mermaid xychart block (after its init directive) whose labels are unique and whose every line series has one value per label. */
function assertValidChart(markdown: string): void {
  const block = /```mermaid\n([\s\S]*?)\n```/.exec(markdown)?.[1];
  expect(block, "a mermaid block").toBeDefined();
  const lines = block!.split("\n");
  expect(lines[0]).toMatch(/^%%\{init: \{"themeVariables":\{"xyChart":\{"plotColorPalette":"#[0-9a-f]{6}"\}\}\}\}%%$/);
  expect(lines[1]).toBe("xychart-beta");
  const labels = /x-axis "[^"]*" \[(.*)\]/.exec(block!)![1]!.split(", ");
  expect(new Set(labels).size).toBe(labels.length);
  expect(labels.length).toBeGreaterThanOrEqual(3);
  const series = lines.filter((l) => l.trim().startsWith("line ["));
  expect(series.length).toBeGreaterThan(0);
  for (const s of series) expect(/\[(.*)\]/.exec(s)![1]!.split(", ").length).toBe(labels.length);
  expect(/y-axis ".*" 0 --> [\d.]+/.test(block!)).toBe(true);
}

describe("step summaries", () => {
  it("shift-traffic: outcome, before → after per slot, the timeline, a valid chart and what happens next", async () => {
    const { clock, ports } = world();
    const result = await shiftTraffic(
      { ...common, to: "candidate", plan: { kind: "steps", percents: [10, 50, 100], intervalMs: 30_000 }, alarmNames: [], scaleInPrevious: false, scaleInDelayMs: 0, watchEveryMs: 2000 },
      { ports, gates: [], clock, random: () => 0.5, log: () => {}, warn: () => {} },
    );
    const md = renderShiftSummary(result, "https://github.com/acme/web/actions/runs/1");
    expect(md).toContain("### ✅ green (v2) promoted: 100% of traffic, verified");
    expect(md).toMatch(/\| \[green\]\(https:\/\/console\.aws\.amazon\.com\/ec2\/home\?region=us-east-1#TargetGroup:targetGroupArn=[^)]+\) \| v2 \| candidate → stable \| 0% → 100% \|/);
    expect(md).toMatch(/\| \[blue\]\([^)]+\) \| v1 \| stable → previous \| 100% → 0% \|/);
    expect(md).toContain("| +0.0s | 0% | start |");
    expect(md).toMatch(/\| \+30\.\ds \| 50% \| shift \| verified: blue 50%, green 50% \|/);
    expect(md).toContain("[workflow run](https://github.com/acme/web/actions/runs/1)");
    expect(md).toContain("**Next:** green is stable. If anything goes wrong, run the rollback workflow to return to blue (v1).");
    assertValidChart(md);
  });

  it("shift-traffic: an abort says why and that traffic was restored", async () => {
    const { clock, ports } = world();
    const result = await shiftTraffic(
      { ...common, to: "candidate", plan: { kind: "steps", percents: [10, 100], intervalMs: 30_000 }, alarmNames: [], scaleInPrevious: false, scaleInDelayMs: 0, watchEveryMs: 2000 },
      { ports, gates: [{ name: "canary analysis", check: async () => ({ ok: false, detail: "fail: error-rate high" }) }], clock, random: () => 0.5, log: () => {}, warn: () => {} },
    );
    const md = renderShiftSummary(result);
    expect(md).toContain("### ⛔ shift-traffic aborted at 10%: traffic restored to blue");
    expect(md).toContain("**Why it aborted:** canary analysis failed at 10%: fail: error-rate high");
    expect(md).toContain("| restore | 100% on blue, verified |");
  });

  it("rollback: who, why, before → after, health and time", async () => {
    const { clock, elb, ports } = world();
    elb.groups = [
      { targetGroupArn: BLUE_ARN, weight: 900 },
      { targetGroupArn: GREEN_ARN, weight: 100 },
    ];
    const result = await rollback({ ...common, reason: "p99 doubled", scaleInBad: false, actor: "oncall-alice" }, { ports, clock, random: () => 0.5, log: () => {}, warn: () => {} });
    const md = renderRollbackSummary(result, { actor: "oncall-alice", reason: "p99 doubled", runUrl: "https://github.com/acme/web/actions/runs/9" });
    expect(md).toContain("### ↩️ Rolled back to blue (v1)");
    expect(md).toContain("| Requested by | oncall-alice |");
    expect(md).toContain("| Reason | p99 doubled |");
    expect(md).toContain("| Traffic | blue 90% → 100%, green 10% → 0% (verified) |");
    expect(md).toContain("| Version | v2 → v1 |");
    expect(md).toContain("| Health of blue | web-blue: 2/2 healthy (1 required) |");
    expect(md).toContain("**Next:** blue serves all traffic. green is tagged failed; fix the release and deploy again.");
  });
});
