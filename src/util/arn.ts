/** Parsing and display of the ARNs the suite works with. Pure; no AWS calls. */

export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

const ARN = /^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|):(.+)$/;

export function parseArn(arn: string): ParsedArn | undefined {
  const m = ARN.exec(arn);
  if (!m) return undefined;
  return { partition: m[1]!, service: m[2]!, region: m[3]!, account: m[4]!, resource: m[5]! };
}

export const ARN_PATTERNS = {
  listener: /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener\/(app|net)\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}\/[0-9a-f]{16}$/,
  rule: /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener-rule\/(app|net)\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}\/[0-9a-f]{16}\/[0-9a-f]{16}$/,
  targetGroup: /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/,
  loadBalancer: /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/(app|net)\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/,
} as const;

/** `targetgroup/<name>/<id>`, the CloudWatch TargetGroup dimension. */
export function targetGroupDimension(arn: string): string {
  return arn.slice(arn.lastIndexOf(":") + 1);
}

/** `app/<name>/<id>`, the CloudWatch LoadBalancer dimension, from a load balancer, listener or rule ARN. */
export function loadBalancerDimension(arn: string): string {
  const m = /:(?:loadbalancer|listener|listener-rule)\/((?:app|net)\/[^/]+\/[0-9a-f]+)/.exec(arn);
  return m ? m[1]! : arn;
}

export function loadBalancerArnOf(listenerOrRuleArn: string): string {
  const m = /^(arn:[^:]+:elasticloadbalancing:[^:]*:\d*:)(?:listener|listener-rule)\/((?:app|net)\/[^/]+\/[0-9a-f]+)/.exec(listenerOrRuleArn);
  return m ? `${m[1]}loadbalancer/${m[2]}` : listenerOrRuleArn;
}

/** The target group's name, from its ARN. */
export function targetGroupName(arn: string): string {
  return /:targetgroup\/([^/]+)\//.exec(arn)?.[1] ?? arn;
}

export function regionOf(arn: string): string | undefined {
  return parseArn(arn)?.region;
}

/** AWS console links for a step summary. */
export const consoleUrl = {
  targetGroup: (arn: string) =>
    `https://console.aws.amazon.com/ec2/home?region=${regionOf(arn)}#TargetGroup:targetGroupArn=${encodeURIComponent(arn)}`,
  loadBalancer: (arn: string) =>
    `https://console.aws.amazon.com/ec2/home?region=${regionOf(arn)}#LoadBalancer:loadBalancerArn=${encodeURIComponent(loadBalancerArnOf(arn))}`,
  autoScalingGroup: (region: string, name: string) =>
    `https://console.aws.amazon.com/ec2/home?region=${region}#AutoScalingGroupDetails:id=${encodeURIComponent(name)}`,
  alarms: (region: string) => `https://console.aws.amazon.com/cloudwatch/home?region=${region}#alarmsV2:`,
};
