/** Shared scope and metric builders for provider tests. */
import { parseCanaryConfig, type CanaryConfig, type MetricConfig } from "../../src/adapters/metrics/config";
import type { Scope } from "../../src/adapters/metrics/provider";

export const LB = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188";
export const BLUE = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue/73e2d6bc24d8a067";
export const GREEN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/green/0a1b2c3d4e5f6a7b";

export const scope: Scope = {
  baseline: { targetGroupArn: BLUE, loadBalancerArn: LB, version: "v1" },
  canary: { targetGroupArn: GREEN, loadBalancerArn: LB, version: "v2" },
  window: { start: new Date(Date.UTC(2026, 0, 1, 12, 0)), end: new Date(Date.UTC(2026, 0, 1, 12, 10)) },
};

export function config(yaml: string): CanaryConfig {
  return parseCanaryConfig(yaml, "test");
}

export function metric(yaml: string, name: string): MetricConfig {
  const m = config(yaml).metrics.find((x) => x.name === name);
  if (!m) throw new Error(`no metric ${name}`);
  return m;
}
