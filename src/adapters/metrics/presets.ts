/**
 * CloudWatch presets for AWS/ApplicationELB target-group metrics. Each side is queried with
 * its own TargetGroup dimension and the shared LoadBalancer dimension.
 */
export interface PresetQuery {
  metric: string;
  stat: string;
  /** Multiplier applied to values (seconds -> ms). */
  scale: number;
  unit?: string;
  /** Value of periods without a data point (CloudWatch omits zero counts). */
  fill?: number;
}

export type CloudWatchPreset = { kind: "samples"; query: PresetQuery } | { kind: "counts"; events: PresetQuery; total: PresetQuery };

const requests: PresetQuery = { metric: "RequestCount", stat: "Sum", scale: 1 };
const latency = (stat: string): CloudWatchPreset => ({ kind: "samples", query: { metric: "TargetResponseTime", stat, scale: 1000, unit: "ms" } });

export const CLOUDWATCH_PRESETS = {
  "error-rate": { kind: "counts", events: { metric: "HTTPCode_Target_5XX_Count", stat: "Sum", scale: 1 }, total: requests },
  "5xx-count": { kind: "samples", query: { metric: "HTTPCode_Target_5XX_Count", stat: "Sum", scale: 1, unit: "errors/period", fill: 0 } },
  "latency-p50": latency("p50"),
  "latency-p90": latency("p90"),
  "latency-p99": latency("p99"),
} satisfies Record<string, CloudWatchPreset>;

export type PresetName = keyof typeof CLOUDWATCH_PRESETS;

/** The CloudWatch `TargetGroup` dimension: the part of the ARN after the last ':' (targetgroup/<name>/<id>). */
export function targetGroupDimension(targetGroupArn: string): string {
  const value = targetGroupArn.slice(targetGroupArn.lastIndexOf(":") + 1);
  if (!/^targetgroup\/[^/]+\/[^/]+$/.test(value)) throw new RangeError(`not a target group ARN: ${targetGroupArn} (expected arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>)`);
  return value;
}

/** The CloudWatch `LoadBalancer` dimension: the part of the ARN after `loadbalancer/` (app/<name>/<id>). */
export function loadBalancerDimension(loadBalancerArn: string): string {
  const at = loadBalancerArn.indexOf(":loadbalancer/");
  const value = at >= 0 ? loadBalancerArn.slice(at + ":loadbalancer/".length) : "";
  if (!/^(app|net|gwy)\/[^/]+\/[^/]+$/.test(value)) throw new RangeError(`not a load balancer ARN: ${loadBalancerArn} (expected arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>)`);
  return value;
}
