/** The sandbox's state: what AWS would hold for the load balancer, Auto Scaling, EC2 and CloudWatch. */
import type {
  AlarmDefinition,
  AlarmState,
  HealthCheckConfig,
  ReleaseBehaviour,
  RunningInstance,
  RunningListener,
  TargetGroupHealth,
} from "../contracts";

export interface ForwardTarget {
  TargetGroupArn: string;
  Weight: number;
}

export interface Stickiness {
  Enabled: boolean;
  DurationSeconds?: number | undefined;
}

/** An ELBv2 action in the API's own shape; configs the sandbox does not act on are kept verbatim. */
export interface Action {
  Type: string;
  Order?: number | undefined;
  TargetGroupArn?: string | undefined;
  ForwardConfig?: { TargetGroups: ForwardTarget[]; TargetGroupStickinessConfig?: Stickiness | undefined } | undefined;
  FixedResponseConfig?: { StatusCode: string; ContentType?: string | undefined; MessageBody?: string | undefined } | undefined;
  RedirectConfig?:
    | { StatusCode: string; Protocol?: string | undefined; Port?: string | undefined; Host?: string | undefined; Path?: string | undefined; Query?: string | undefined }
    | undefined;
  AuthenticateOidcConfig?: Record<string, unknown> | undefined;
  AuthenticateCognitoConfig?: Record<string, unknown> | undefined;
}

export interface Condition {
  Field?: string | undefined;
  Values?: string[] | undefined;
  PathPatternConfig?: { Values: string[] } | undefined;
  HostHeaderConfig?: { Values: string[] } | undefined;
  HttpHeaderConfig?: { HttpHeaderName: string; Values: string[] } | undefined;
  HttpRequestMethodConfig?: { Values: string[] } | undefined;
  QueryStringConfig?: { Values: { Key?: string | undefined; Value: string }[] } | undefined;
  SourceIpConfig?: { Values: string[] } | undefined;
}

export interface LoadBalancer {
  arn: string;
  name: string;
  /** `app/<name>/<id>`: the CloudWatch dimension value. */
  dimension: string;
  dnsName: string;
  createdAt: number;
  listenerArns: string[];
}

export interface Listener {
  arn: string;
  loadBalancerArn: string;
  port: number;
  protocol: "HTTP";
  bindPort: number;
  defaultActions: Action[];
  defaultRuleArn: string;
  ruleArns: string[];
  running?: RunningListener | undefined;
}

export interface Rule {
  arn: string;
  listenerArn: string;
  priority: number;
  conditions: Condition[];
  actions: Action[];
}

export interface RegisteredTarget {
  id: string;
  /** The port as registered through the API (the instance's real loopback port may differ). */
  port: number;
  /** Set while deregistration drains; the entry goes away when draining ends. */
  draining: boolean;
}

export interface TargetGroup {
  arn: string;
  name: string;
  /** `targetgroup/<name>/<id>`: the CloudWatch dimension value. */
  dimension: string;
  port: number;
  protocol: "HTTP" | "HTTPS";
  healthCheck: HealthCheckConfig;
  attributes: Map<string, string>;
  targets: Map<string, RegisteredTarget>;
  health: TargetGroupHealth;
}

export interface LaunchTemplateVersion {
  number: number;
  description?: string | undefined;
  createdAt: number;
  imageId: string;
  instanceType: string;
}

export interface LaunchTemplate {
  id: string;
  name: string;
  createdAt: number;
  defaultVersion: number;
  versions: LaunchTemplateVersion[];
}

export type LifecycleState = "Pending" | "InService" | "Standby" | "Terminating" | "Terminated";

export interface Instance {
  id: string;
  groupName: string;
  launchTemplateId: string;
  launchTemplateName: string;
  /** The version the instance was launched from, as a number string. */
  version: string;
  imageId: string;
  instanceType: string;
  availabilityZone: string;
  lifecycle: LifecycleState;
  health: "Healthy" | "Unhealthy";
  launchedAt: number;
  /** When the instance entered InService (real ms); an instance refresh's warm-up counts from here. */
  inServiceAt?: number | undefined;
  /** Scale-in protection (SetInstanceProtection; set directly on the world in tests). */
  protectedFromScaleIn?: boolean | undefined;
  release: string;
  running: RunningInstance;
}

export interface AsgTag {
  Key: string;
  Value: string;
  PropagateAtLaunch: boolean;
}

export const SCALING_PROCESSES = [
  "Launch",
  "Terminate",
  "AddToLoadBalancer",
  "AlarmNotification",
  "AZRebalance",
  "HealthCheck",
  "InstanceRefresh",
  "ReplaceUnhealthy",
  "ScheduledActions",
] as const;

export interface AutoScalingGroup {
  name: string;
  arn: string;
  createdAt: number;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  launchTemplate: { id: string; name: string; version: string };
  targetGroupArns: string[];
  healthCheckType: "EC2" | "ELB";
  healthCheckGracePeriod: number;
  tags: Map<string, AsgTag>;
  suspended: Map<string, string>;
  instances: Map<string, Instance>;
  /** Why the desired capacity last changed, quoted in activity causes. */
  lastCapacityCause?: string | undefined;
  /** No launch is attempted before this time (real ms) after a failed launch. */
  launchBackoffUntil: number;
}

export interface Activity {
  ActivityId: string;
  AutoScalingGroupName: string;
  AutoScalingGroupARN: string;
  Description: string;
  Cause: string;
  StartTime: number;
  EndTime?: number | undefined;
  StatusCode: string;
  StatusMessage?: string | undefined;
  Progress: number;
  Details: string;
}

export interface Alarm {
  definition: AlarmDefinition;
  arn: string;
  actionsEnabled: boolean;
  alarmActions: string[];
  okActions: string[];
  insufficientDataActions: string[];
  description?: string | undefined;
  unit?: string | undefined;
  state: AlarmState;
  reason: string;
  stateUpdatedAt: number;
  configurationUpdatedAt: number;
}

export interface WeightHistoryEntry {
  /** Real epoch ms. */
  at: number;
  listenerArn: string;
  /** Set when the forward action belongs to a (non-default) rule. */
  ruleArn?: string | undefined;
  groups: { targetGroupArn: string; name: string; weight: number; healthy: number; unhealthy: number }[];
}

export interface Release {
  imageId: string;
  behaviour: ReleaseBehaviour;
}
