/**
 * A CloudFormation template as a sandbox environment: each resource type the BlueGreenService
 * construct uses maps onto the sandbox's configuration (sandbox/aws/config.ts). A resource type or a
 * property the sandbox does not know is an error naming the logical id and the property, never
 * skipped; security groups and IAM resources are checked and reported as not modelled.
 */
import { readFile } from "node:fs/promises";
import { defaultConfig, RELEASE_IMAGES, type SandboxConfig } from "../config";
import { isResourceValue, resolve, TemplateError, type Resolved } from "./intrinsics";
import type { Config, Props } from "./helpers";
import { mapResource } from "./resources";
import { parseTemplate, resolveParameters, templateScope, type Template } from "./parse";


/** Properties each resource type may have; anything else is an error. Types mapped to nothing are listed in NOT_MODELLED. */
const PROPERTIES: Record<string, string[]> = {
  "AWS::ElasticLoadBalancingV2::LoadBalancer": ["Name", "Type", "Scheme", "Subnets", "SecurityGroups", "IpAddressType", "Tags"],
  "AWS::ElasticLoadBalancingV2::TargetGroup": ["Name", "VpcId", "Port", "Protocol", "TargetType", "HealthCheckEnabled", "HealthCheckProtocol", "HealthCheckPort", "HealthCheckPath", "HealthCheckIntervalSeconds", "HealthCheckTimeoutSeconds", "HealthyThresholdCount", "UnhealthyThresholdCount", "Matcher", "TargetGroupAttributes", "Tags"],
  "AWS::ElasticLoadBalancingV2::Listener": ["LoadBalancerArn", "Port", "Protocol", "DefaultActions", "Certificates", "SslPolicy"],
  "AWS::ElasticLoadBalancingV2::ListenerRule": ["ListenerArn", "Priority", "Conditions", "Actions"],
  "AWS::EC2::LaunchTemplate": ["LaunchTemplateName", "VersionDescription", "LaunchTemplateData"],
  "AWS::AutoScaling::AutoScalingGroup": ["AutoScalingGroupName", "MinSize", "MaxSize", "DesiredCapacity", "LaunchTemplate", "TargetGroupARNs", "VPCZoneIdentifier", "HealthCheckType", "HealthCheckGracePeriod", "Tags"],
  "AWS::CloudWatch::Alarm": ["AlarmName", "AlarmDescription", "Namespace", "MetricName", "Dimensions", "Statistic", "ExtendedStatistic", "Period", "EvaluationPeriods", "DatapointsToAlarm", "Threshold", "ComparisonOperator", "TreatMissingData"],
  "AWS::EC2::SecurityGroup": ["GroupDescription", "GroupName", "VpcId", "SecurityGroupIngress", "SecurityGroupEgress", "Tags"],
  "AWS::IAM::Role": ["AssumeRolePolicyDocument", "Description", "ManagedPolicyArns", "MaxSessionDuration", "Path", "PermissionsBoundary", "Policies", "RoleName", "Tags"],
  "AWS::IAM::OIDCProvider": ["Url", "ClientIdList", "ThumbprintList", "Tags"],
};
const NOT_MODELLED = new Set(["AWS::EC2::SecurityGroup", "AWS::IAM::Role", "AWS::IAM::OIDCProvider"]);
const RESOURCE_KEYS = new Set(["Type", "Properties", "Condition", "DependsOn", "Metadata", "DeletionPolicy", "UpdateReplacePolicy", "UpdatePolicy", "CreationPolicy"]);

export interface TemplateEnvironment {
  config: SandboxConfig;
  /** Logical ids of resources the sandbox checked but does not model (security groups, IAM). */
  notModelled: string[];
  /** Logical id → the sandbox name of what it became. */
  names: Record<string, string>;
}

export interface TemplateOptions {
  parameters?: Record<string, string>;
  region?: string;
  accountId?: string;
}

export async function loadTemplateFile(file: string, options: TemplateOptions = {}): Promise<TemplateEnvironment> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new TemplateError(`template ${file} cannot be read: ${(error as Error).message}`);
  }
  return templateEnvironment(parseTemplate(text, file), options);
}

export function templateEnvironment(template: Template, options: TemplateOptions = {}): TemplateEnvironment {
  const base = defaultConfig();
  const region = options.region ?? base.region!;
  const accountId = options.accountId ?? base.accountId!;
  const parameters = resolveParameters(template, options.parameters ?? {}, RELEASE_IMAGES.v1);
  const scope = templateScope(template, parameters, { region, accountId });
  const config: Config = { targetGroups: [], loadBalancers: [], launchTemplates: [], autoScalingGroups: [], alarms: [] };
  const names: Record<string, string> = {};
  const notModelled: string[] = [];
  const entries = Object.entries(template.Resources ?? {});
  const resolved = new Map<string, { type: string; props: Props }>();
  for (const [id, resource] of entries) {
    for (const key of Object.keys(resource)) if (!RESOURCE_KEYS.has(key)) throw new TemplateError(`Resources.${id}: unknown key ${key}; valid: ${[...RESOURCE_KEYS].join(", ")}`);
    const type = String(resource.Type);
    const allowed = PROPERTIES[type];
    if (!allowed) throw new TemplateError(`Resources.${id}: resource type ${type} is not supported by the sandbox; supported: ${Object.keys(PROPERTIES).join(", ")}`);
    if (!scope.resources.has(id)) continue;
    const props = resolve(resource.Properties ?? {}, scope, `Resources.${id}.Properties`) as Props;
    for (const key of Object.keys(props)) if (!allowed.includes(key)) throw new TemplateError(`Resources.${id}: property ${key} of ${type} is not supported by the sandbox; supported: ${allowed.join(", ")}`);
    resolved.set(id, { type, props });
  }
  const nameOf = (v: Resolved | undefined, type: string, where: string): string => {
    if (!isResourceValue(v) || (v.attribute !== undefined && !/(Name|FullName|Arn)$/.test(v.attribute))) throw new TemplateError(`${where}: expected a reference to a ${type} of the template, got ${JSON.stringify(v)}`);
    const target = resolved.get(v.resource);
    if (!target || target.type !== type) throw new TemplateError(`${where}: ${v.resource} is not a ${type} of the template (the sandbox has nothing outside it)`);
    return names[v.resource]!;
  };
  const order = ["AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancingV2::ListenerRule", "AWS::EC2::LaunchTemplate", "AWS::AutoScaling::AutoScalingGroup", "AWS::CloudWatch::Alarm"];
  for (const type of order) {
    for (const [id, r] of resolved) if (r.type === type) mapResource(id, r.type, r.props, { config, names, nameOf, scope });
  }
  for (const [id, r] of resolved) if (NOT_MODELLED.has(r.type)) notModelled.push(id);
  const releases = { ...base.releases };
  return { config: { region, accountId, releases, ...config }, notModelled, names };
}

