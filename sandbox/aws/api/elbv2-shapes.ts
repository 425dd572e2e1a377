/** ELBv2 output shapes, as Describe* and Modify* answer them. */
import type { World } from "../world/world";
import type { Listener, LoadBalancer, Rule, TargetGroup } from "../world/model";

export function lbOut(world: World, lb: LoadBalancer) {
  return {
    LoadBalancerArn: lb.arn,
    DNSName: lb.dnsName,
    CanonicalHostedZoneId: "Z35SXDOTRQ7X7K",
    CreatedTime: new Date(lb.createdAt),
    LoadBalancerName: lb.name,
    Scheme: "internet-facing",
    VpcId: "vpc-0a1b2c3d4e5f67890",
    State: { Code: "active" },
    Type: "application",
    AvailabilityZones: ["a", "b"].map((z, i) => ({ ZoneName: `${world.region}${z}`, SubnetId: `subnet-0${i}1b2c3d4e5f6a7b8` })),
    SecurityGroups: ["sg-0a1b2c3d4e5f67890"],
    IpAddressType: "ipv4",
  };
}

export function listenerOut(listener: Listener) {
  return {
    ListenerArn: listener.arn,
    LoadBalancerArn: listener.loadBalancerArn,
    Port: listener.port,
    Protocol: listener.protocol,
    DefaultActions: listener.defaultActions,
  };
}

export function ruleOut(rule: Rule) {
  return { RuleArn: rule.arn, Priority: String(rule.priority), Conditions: rule.conditions, Actions: rule.actions, IsDefault: false };
}

export function defaultRuleOut(listener: Listener) {
  return { RuleArn: listener.defaultRuleArn, Priority: "default", Conditions: [], Actions: listener.defaultActions, IsDefault: true };
}

export function tgOut(world: World, tg: TargetGroup) {
  const hc = tg.healthCheck;
  return {
    TargetGroupArn: tg.arn,
    TargetGroupName: tg.name,
    Protocol: tg.protocol,
    Port: tg.port,
    VpcId: "vpc-0a1b2c3d4e5f67890",
    HealthCheckProtocol: hc.protocol,
    HealthCheckPort: hc.port,
    HealthCheckEnabled: hc.enabled,
    HealthCheckIntervalSeconds: hc.intervalSeconds,
    HealthCheckTimeoutSeconds: hc.timeoutSeconds,
    HealthyThresholdCount: hc.healthyThreshold,
    UnhealthyThresholdCount: hc.unhealthyThreshold,
    HealthCheckPath: hc.path,
    Matcher: { HttpCode: hc.matcher },
    LoadBalancerArns: world.loadBalancersOf(tg).map((lb) => lb.arn),
    TargetType: "instance",
    ProtocolVersion: "HTTP1",
    IpAddressType: "ipv4",
  };
}

export function attributesOut(tg: TargetGroup) {
  return [...tg.attributes].map(([Key, Value]) => ({ Key, Value }));
}
