import { describe, expect, it } from "vitest";
import type { GateResult } from "../../src/domain/health-gate";
import { renderHealthGateSummary } from "../../src/actions/health-gate/summary";
import { GREEN_ARN } from "../support/fake-elb";

function result(overrides: Partial<GateResult> = {}): GateResult {
  return {
    healthy: false,
    healthyCount: 1,
    checks: [
      { kind: "target-group", target: GREEN_ARN, ok: false, detail: "1/2 healthy, 1 required and all registered — i-u0000:80 unhealthy (Target.Timeout: Request timed out)" },
      { kind: "http", target: "https://app.example.com/health?a=1|2", ok: false, detail: 'status 500, expected 200; body: <script>alert(1)</script> [click](https://evil.example) | *x*' },
    ],
    targetGroups: [],
    elapsedMs: 61_234,
    polls: 70,
    timeoutMs: 60_000,
    stableForMs: 0,
    stableForWhy: "stable-for 0s: the first passing poll is enough",
    lapses: [],
    reason: "not healthy",
    ...overrides,
  };
}

describe("renderHealthGateSummary", () => {
  it("shows the verdict, the time taken, and one row per check with a console link for target groups", () => {
    const md = renderHealthGateSummary(result({ targetGroups: [{} as never] }));
    expect(md).toContain("### Health gate: ❌ not healthy");
    expect(md).toContain("took 61.2 s (timeout 60.0 s) · 70 poll(s) · 1 healthy target(s)");
    expect(md).toContain("| check | target | result | detail |");
    expect(md).toContain(`| target health | [web-green](https://console.aws.amazon.com/ec2/home?region=us-east-1#TargetGroup:targetGroupArn=${encodeURIComponent(GREEN_ARN)}) | ❌ fail | 1/2 healthy`);
    expect(md).toContain("Target.Timeout: Request timed out");
  });

  it("shows response bodies as text: no HTML, no links, no table breaks", () => {
    const md = renderHealthGateSummary(result());
    const row = md.split("\n").find((l) => l.startsWith("| HTTP"))!;
    expect(row).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(row).not.toContain("<script>");
    expect(row).toContain("\\[click\\](https://evil.example)");
    expect(row).toContain("\\*x\\*");
    expect(row.split(/(?<!\\)\|/).length).toBe(6);
  });

  it("leaves out the healthy count when no target group was checked", () => {
    const md = renderHealthGateSummary(result({ healthy: true, healthyCount: 0, checks: [{ kind: "http", target: "http://127.0.0.1/health", ok: true, detail: "200 in 3 ms (3/3 in a row)" }] }));
    expect(md).toContain("### Health gate: ✅ healthy");
    expect(md).not.toContain("healthy target(s)");
    expect(md).toContain("| HTTP | `http://127.0.0.1/health` | ✅ pass | 200 in 3 ms (3/3 in a row) |");
  });

  it("says how long health had to hold, and when it passed and then failed again", () => {
    const lapses = [1, 2, 3, 4].map((n) => ({ heldMs: n * 1000, status: `web-green: 1/2 healthy <b>#${n}</b>` }));
    const md = renderHealthGateSummary(result({ stableForMs: 10_000, lapses }));
    expect(md).toContain("had to hold 10.0 s once passing · passed and failed again 4 time(s)");
    expect(md).toContain("**Health did not hold:** after 2.0 s: web-green: 1/2 healthy &lt;b&gt;#2&lt;/b&gt;; after 3.0 s:");
    expect(md).toContain("(last 3 of 4)");
    expect(md).not.toContain("after 1.0 s");
    expect(renderHealthGateSummary(result())).not.toContain("had to hold");
  });
});
