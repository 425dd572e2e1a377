/**
 * BlueGreenService: the environment the deployment actions expect, as one CDK construct. An ALB
 * listener (or a rule on an existing listener) forwards to a blue and a green target group, each fed
 * by an Auto Scaling group on a launch template with numbered versions, tagged the way the actions
 * find them, with a 5xx and a latency alarm per slot and, optionally, the GitHub OIDC deploy role.
 *
 * Weights belong to the deployer. The forward action is written once, at creation, from constants
 * (blue 1, green 0) and two target group references that never change: nothing a synthesis reads —
 * props, context, live tags — reaches it, so every later template carries it unchanged, and
 * CloudFormation, which compares a template with the last one, never sends it again
 * (infra/README.md explains the cases, and what still reaches the listener).
 */
import { CfnOutput, Fn, Stack } from "aws-cdk-lib";
import { CfnAutoScalingGroup } from "aws-cdk-lib/aws-autoscaling";
import { CfnAlarm } from "aws-cdk-lib/aws-cloudwatch";
import { CfnLaunchTemplate, CfnSecurityGroup, Vpc, type IVpc } from "aws-cdk-lib/aws-ec2";
import { CfnListener, CfnListenerRule, CfnLoadBalancer, CfnTargetGroup } from "aws-cdk-lib/aws-elasticloadbalancingv2";
import { Construct } from "constructs";
import { DeployRole, type DeployRoleProps } from "./deploy-role";

export const SLOTS = ["blue", "green"] as const;
export type SlotName = (typeof SLOTS)[number];

export interface HealthCheckProps {
  /** Default /health. */
  path?: string;
  /** Default 5 (the fastest ALB allows): a failing target is seen within 10 s. */
  intervalSeconds?: number;
  /** Default 4: under the interval, as ALB requires. */
  timeoutSeconds?: number;
  /** Default 2. */
  healthyThreshold?: number;
  /** Default 2. */
  unhealthyThreshold?: number;
  /** Default "200". */
  matcher?: string;
}

export interface BlueGreenServiceProps {
  /** Prefix of every name: `<name>` load balancer, `<name>-blue`/`<name>-green` target groups, groups, templates, alarms. */
  name: string;
  /** Tags every target group and Auto Scaling group carries (e.g. environment, service): what `environment-tags` matches. */
  environmentTags?: Record<string, string>;
  /** The VPC, imported by its attributes: no lookup, so the stack synthesizes offline. */
  vpc: { vpcId: string; availabilityZones: string[]; loadBalancerSubnetIds: string[]; instanceSubnetIds: string[] };
  /** A new internet-facing ALB with this listener (default: HTTP on 80; HTTPS when a certificate is given). */
  listener?: { port?: number; certificateArn?: string; sslPolicy?: string };
  /** Instead of a new ALB: a listener rule on an existing listener, which the actions get as `rule-arn`. */
  existingListener?: {
    listenerArn: string;
    /** 1-40000: the suite reserves 40001-50000 for deployment locks. */
    priority: number;
    pathPatterns?: string[];
    hostHeaders?: string[];
    loadBalancerSecurityGroupId: string;
    /** `app/<name>/<id>`, for the alarms' LoadBalancer dimension. */
    loadBalancerFullName: string;
  };
  /** Port the instances serve on (default 80). */
  targetPort?: number;
  healthCheck?: HealthCheckProps;
  /** Default 30 s: long enough for in-flight requests, short enough that scale-in follows promotion soon. */
  deregistrationDelaySeconds?: number;
  /** Stickiness of the forward action in seconds; 0 or absent: off. Set at creation only, like the weights. */
  stickinessSeconds?: number;
  /** The first release's image; later releases come from deploy-green (new launch template versions). */
  imageId: string;
  instanceType?: string;
  /** Instances of the live (blue) slot at creation; green starts at 0. Default 2. */
  desiredCapacity?: number;
  /** Default 10. */
  maxSize?: number;
  alarms?: { target5xxThreshold?: number; latencyP99Seconds?: number; periodSeconds?: number };
  /** The GitHub OIDC deploy role (omit for none). */
  github?: DeployRoleProps;
}

export class BlueGreenService extends Construct {
  readonly vpc: IVpc;
  /** What the actions take as `listener-arn` (or `rule-arn` with an existing listener). */
  readonly environmentArn: string;
  readonly targetGroups: Record<SlotName, CfnTargetGroup>;
  readonly autoScalingGroups: Record<SlotName, CfnAutoScalingGroup>;
  readonly forward: CfnListener | CfnListenerRule;
  readonly deployRole: DeployRole | undefined;

  constructor(scope: Construct, id: string, props: BlueGreenServiceProps) {
    super(scope, id);
    const { name } = props;
    const env = props.environmentTags ?? {};
    this.vpc = Vpc.fromVpcAttributes(this, "Vpc", { vpcId: props.vpc.vpcId, availabilityZones: props.vpc.availabilityZones, publicSubnetIds: props.vpc.loadBalancerSubnetIds, privateSubnetIds: props.vpc.instanceSubnetIds });
    const port = props.targetPort ?? 80;
    const lb = props.existingListener ? undefined : this.loadBalancer(props);
    const lbSecurityGroupId = props.existingListener?.loadBalancerSecurityGroupId ?? lb!.securityGroupId;
    const instances = new CfnSecurityGroup(this, "InstanceSecurityGroup", {
      vpcId: props.vpc.vpcId,
      groupDescription: "Instances behind the load balancer",
      securityGroupIngress: [{ ipProtocol: "tcp", fromPort: port, toPort: port, sourceSecurityGroupId: lbSecurityGroupId, description: "from the load balancer" }],
    });
    instances.overrideLogicalId("InstanceSecurityGroup");

    const hc = props.healthCheck ?? {};
    const groups = {} as Record<SlotName, CfnTargetGroup>;
    const fleets = {} as Record<SlotName, CfnAutoScalingGroup>;
    for (const slot of SLOTS) {
      const Slot = slot === "blue" ? "Blue" : "Green";
      const slotTags = { ...env, "deploy:slot": slot };
      const tg = new CfnTargetGroup(this, `${Slot}TargetGroup`, {
        name: `${name}-${slot}`,
        vpcId: props.vpc.vpcId,
        port,
        protocol: "HTTP",
        targetType: "instance",
        healthCheckEnabled: true,
        healthCheckProtocol: "HTTP",
        healthCheckPath: hc.path ?? "/health",
        healthCheckIntervalSeconds: hc.intervalSeconds ?? 5,
        healthCheckTimeoutSeconds: hc.timeoutSeconds ?? 4,
        healthyThresholdCount: hc.healthyThreshold ?? 2,
        unhealthyThresholdCount: hc.unhealthyThreshold ?? 2,
        matcher: { httpCode: hc.matcher ?? "200" },
        targetGroupAttributes: [{ key: "deregistration_delay.timeout_seconds", value: String(props.deregistrationDelaySeconds ?? 30) }],
        tags: Object.entries(slotTags).map(([key, value]) => ({ key, value })),
      });
      tg.overrideLogicalId(`${Slot}TargetGroup`);
      groups[slot] = tg;
      const template = new CfnLaunchTemplate(this, `${Slot}LaunchTemplate`, {
        launchTemplateName: `${name}-${slot}`,
        versionDescription: "the first release; deploy-green adds the next versions",
        launchTemplateData: { imageId: props.imageId, instanceType: props.instanceType ?? "t3.micro", securityGroupIds: [instances.attrGroupId] },
      });
      template.overrideLogicalId(`${Slot}LaunchTemplate`);
      const asg = new CfnAutoScalingGroup(this, `${Slot}AutoScalingGroup`, {
        autoScalingGroupName: `${name}-${slot}`,
        minSize: "0",
        maxSize: String(props.maxSize ?? 10),
        desiredCapacity: slot === "blue" ? String(props.desiredCapacity ?? 2) : "0",
        launchTemplate: { launchTemplateId: template.ref, version: template.attrLatestVersionNumber },
        targetGroupArns: [tg.ref],
        vpcZoneIdentifier: props.vpc.instanceSubnetIds,
        healthCheckType: "EC2",
        healthCheckGracePeriod: 60,
        tags: Object.entries({ ...slotTags, Name: `${name}-${slot}` }).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
      });
      asg.overrideLogicalId(`${Slot}AutoScalingGroup`);
      fleets[slot] = asg;
    }
    this.targetGroups = groups;
    this.autoScalingGroups = fleets;
    this.forward = this.forwardAction(props, lb, groups);
    this.environmentArn = this.forward.ref;
    const lbFullName = props.existingListener?.loadBalancerFullName ?? lb!.loadBalancer.attrLoadBalancerFullName;
    for (const slot of SLOTS) this.alarmsFor(name, slot, groups[slot], lbFullName, props.alarms ?? {});
    this.deployRole = props.github ? new DeployRole(this, "Deploy", props.github) : undefined;
    this.outputs(props);
  }

  private loadBalancer(props: BlueGreenServiceProps): { loadBalancer: CfnLoadBalancer; securityGroupId: string } {
    const listenPort = props.listener?.port ?? (props.listener?.certificateArn ? 443 : 80);
    const sg = new CfnSecurityGroup(this, "LoadBalancerSecurityGroup", {
      vpcId: props.vpc.vpcId,
      groupDescription: "The load balancer: open to the internet on the listener port",
      securityGroupIngress: [{ ipProtocol: "tcp", fromPort: listenPort, toPort: listenPort, cidrIp: "0.0.0.0/0", description: "clients" }],
    });
    sg.overrideLogicalId("LoadBalancerSecurityGroup");
    const lb = new CfnLoadBalancer(this, "LoadBalancer", {
      name: props.name,
      type: "application",
      scheme: "internet-facing",
      subnets: props.vpc.loadBalancerSubnetIds,
      securityGroups: [sg.attrGroupId],
      tags: Object.entries(props.environmentTags ?? {}).map(([key, value]) => ({ key, value })),
    });
    lb.overrideLogicalId("LoadBalancer");
    return { loadBalancer: lb, securityGroupId: sg.attrGroupId };
  }

  /**
   * The weighted forward action, from constants only: blue 1, green 0, stickiness as created. The
   * same on every synthesis, so CloudFormation never sends it again after the first deploy.
   */
  private forwardAction(props: BlueGreenServiceProps, lb: { loadBalancer: CfnLoadBalancer } | undefined, groups: Record<SlotName, CfnTargetGroup>): CfnListener | CfnListenerRule {
    const sticky = props.stickinessSeconds ?? 0;
    const forward = {
      type: "forward",
      forwardConfig: {
        targetGroups: [
          { targetGroupArn: groups.blue.ref, weight: 1 },
          { targetGroupArn: groups.green.ref, weight: 0 },
        ],
        targetGroupStickinessConfig: sticky > 0 ? { enabled: true, durationSeconds: sticky } : { enabled: false },
      },
    };
    if (props.existingListener) {
      const e = props.existingListener;
      const conditions = [
        ...(e.pathPatterns ? [{ field: "path-pattern", pathPatternConfig: { values: e.pathPatterns } }] : []),
        ...(e.hostHeaders ? [{ field: "host-header", hostHeaderConfig: { values: e.hostHeaders } }] : []),
      ];
      if (conditions.length === 0) throw new Error("existingListener needs pathPatterns or hostHeaders: a rule without a condition cannot be created");
      const rule = new CfnListenerRule(this, "Rule", { listenerArn: e.listenerArn, priority: e.priority, conditions, actions: [forward] });
      rule.overrideLogicalId("EnvironmentRule");
      return rule;
    }
    const cert = props.listener?.certificateArn;
    const listener = new CfnListener(this, "Listener", {
      loadBalancerArn: lb!.loadBalancer.ref,
      port: props.listener?.port ?? (cert ? 443 : 80),
      protocol: cert ? "HTTPS" : "HTTP",
      ...(cert ? { certificates: [{ certificateArn: cert }], sslPolicy: props.listener?.sslPolicy ?? "ELBSecurityPolicy-TLS13-1-2-2021-06" } : {}),
      defaultActions: [forward],
    });
    listener.overrideLogicalId("Listener");
    return listener;
  }

  private alarmsFor(name: string, slot: SlotName, tg: CfnTargetGroup, lbFullName: string, a: NonNullable<BlueGreenServiceProps["alarms"]>): void {
    const Slot = slot === "blue" ? "Blue" : "Green";
    const dimensions = [
      { name: "LoadBalancer", value: lbFullName },
      { name: "TargetGroup", value: tg.attrTargetGroupFullName },
    ];
    const common = { namespace: "AWS/ApplicationELB", dimensions, period: a.periodSeconds ?? 60, evaluationPeriods: 1, comparisonOperator: "GreaterThanThreshold", treatMissingData: "notBreaching" };
    new CfnAlarm(this, `${Slot}Target5xx`, {
      ...common,
      alarmName: `${name}-${slot}-target-5xx`,
      alarmDescription: `5xx answers of the ${slot} slot's targets (shift-traffic's alarm-names)`,
      metricName: "HTTPCode_Target_5XX_Count",
      statistic: "Sum",
      threshold: a.target5xxThreshold ?? 5,
    }).overrideLogicalId(`${Slot}Target5xxAlarm`);
    new CfnAlarm(this, `${Slot}Latency`, {
      ...common,
      alarmName: `${name}-${slot}-latency-p99`,
      alarmDescription: `p99 response time of the ${slot} slot's targets, in seconds`,
      metricName: "TargetResponseTime",
      extendedStatistic: "p99",
      threshold: a.latencyP99Seconds ?? 1,
    }).overrideLogicalId(`${Slot}LatencyAlarm`);
  }

  private outputs(props: BlueGreenServiceProps): void {
    const stack = Stack.of(this);
    const out = (id: string, value: string, description: string) => new CfnOutput(stack, id, { value, description });
    out(props.existingListener ? "RuleArn" : "ListenerArn", this.environmentArn, props.existingListener ? "RULE_ARN: the actions' rule-arn" : "LISTENER_ARN: the actions' listener-arn");
    for (const slot of SLOTS) {
      const Slot = slot === "blue" ? "Blue" : "Green";
      out(`${Slot}TargetGroupName`, this.targetGroups[slot].attrTargetGroupName, `the ${slot} slot's target group`);
      out(`${Slot}AutoScalingGroupName`, this.autoScalingGroups[slot].ref, `the ${slot} slot's Auto Scaling group`);
    }
    if (this.deployRole) out("DeployRoleArn", this.deployRole.roleArn, "DEPLOY_ROLE_ARN: configure-aws-credentials' role-to-assume");
    out("Region", Fn.ref("AWS::Region"), "AWS_REGION");
  }
}
