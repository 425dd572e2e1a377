/** Each supported resource type onto the sandbox configuration; every property read or refused by name. */
import type { SandboxConfig } from "../config";
import { TemplateError, type Resolved } from "./intrinsics";
import { at, defined, num, only, str, tags, type Ctx, type Props } from "./helpers";

type ActionConfig = NonNullable<SandboxConfig["loadBalancers"]>[number]["listeners"][number]["defaultAction"];

const TG = "AWS::ElasticLoadBalancingV2::TargetGroup";
const LB = "AWS::ElasticLoadBalancingV2::LoadBalancer";
const LISTENER = "AWS::ElasticLoadBalancingV2::Listener";
const LT = "AWS::EC2::LaunchTemplate";

/** The sandbox's name for a resource: its own Name property, else the logical id in the sandbox's alphabet. */
function sandboxName(given: string | undefined, id: string): string {
  return given ?? id.replace(/[^A-Za-z0-9-]/g, "").slice(0, 32);
}

function action(v: Resolved, where: string, ctx: Ctx): ActionConfig {
  const a = only(v as Props, ["Type", "ForwardConfig", "TargetGroupArn", "FixedResponseConfig", "Order"], where);
  if (a.Type === "forward") {
    if (a.TargetGroupArn !== undefined) return { type: "forward", targetGroups: [{ name: ctx.nameOf(a.TargetGroupArn, TG, `${where}.TargetGroupArn`), weight: 1 }] };
    const f = only(a.ForwardConfig as Props, ["TargetGroups", "TargetGroupStickinessConfig"], `${where}.ForwardConfig`);
    const groups = (f.TargetGroups as Props[]).map((g, i) => {
      only(g, ["TargetGroupArn", "Weight"], `${where}.ForwardConfig.TargetGroups[${i}]`);
      return { name: ctx.nameOf(g.TargetGroupArn, TG, `${where}.ForwardConfig.TargetGroups[${i}].TargetGroupArn`), weight: num(g.Weight, `${where}.ForwardConfig.TargetGroups[${i}].Weight`) ?? 1 };
    });
    const s = f.TargetGroupStickinessConfig as Props | undefined;
    if (s) only(s, ["Enabled", "DurationSeconds"], `${where}.ForwardConfig.TargetGroupStickinessConfig`);
    const stickiness = s ? defined({ enabled: s.Enabled === true || s.Enabled === "true", durationSeconds: num(s.DurationSeconds, `${where}.ForwardConfig.TargetGroupStickinessConfig.DurationSeconds`) }) : undefined;
    return { type: "forward", targetGroups: groups, ...(stickiness ? { stickiness } : {}) };
  }
  if (a.Type === "fixed-response") {
    const f = only((a.FixedResponseConfig ?? {}) as Props, ["StatusCode", "ContentType", "MessageBody"], `${where}.FixedResponseConfig`);
    return defined({ type: "fixed-response" as const, statusCode: num(f.StatusCode, `${where}.FixedResponseConfig.StatusCode`)!, contentType: str(f.ContentType, `${where}.ContentType`), body: str(f.MessageBody, `${where}.MessageBody`) });
  }
  throw new TemplateError(`${where}.Type: action type ${JSON.stringify(a.Type)} is not supported by the sandbox; supported: forward, fixed-response`);
}

function targetGroup(id: string, p: Props, ctx: Ctx): void {
  const name = sandboxName(str(p.Name, at(id, "Name")), id);
  const attrs: Record<string, string> = {};
  for (const [i, a] of ((p.TargetGroupAttributes ?? []) as Props[]).entries()) attrs[str(a.Key, at(id, `TargetGroupAttributes[${i}].Key`))!] = String(a.Value);
  const known = ["deregistration_delay.timeout_seconds", "stickiness.enabled", "stickiness.type", "stickiness.lb_cookie.duration_seconds"];
  for (const key of Object.keys(attrs)) if (!known.includes(key)) throw new TemplateError(`${at(id, "TargetGroupAttributes")}: attribute ${key} is not supported by the sandbox; supported: ${known.join(", ")}`);
  if (p.TargetType !== undefined && p.TargetType !== "instance") throw new TemplateError(`${at(id, "TargetType")}: the sandbox has instance targets only, got ${JSON.stringify(p.TargetType)}`);
  const matcher = p.Matcher as Props | undefined;
  if (matcher) only(matcher, ["HttpCode"], at(id, "Matcher"));
  const healthCheck = defined({
    enabled: p.HealthCheckEnabled === undefined ? undefined : p.HealthCheckEnabled === true || p.HealthCheckEnabled === "true",
    protocol: str(p.HealthCheckProtocol, at(id, "HealthCheckProtocol")) as "HTTP" | undefined,
    port: str(p.HealthCheckPort === undefined ? undefined : String(p.HealthCheckPort), at(id, "HealthCheckPort")),
    path: str(p.HealthCheckPath, at(id, "HealthCheckPath")),
    intervalSeconds: num(p.HealthCheckIntervalSeconds, at(id, "HealthCheckIntervalSeconds")),
    timeoutSeconds: num(p.HealthCheckTimeoutSeconds, at(id, "HealthCheckTimeoutSeconds")),
    healthyThreshold: num(p.HealthyThresholdCount, at(id, "HealthyThresholdCount")),
    unhealthyThreshold: num(p.UnhealthyThresholdCount, at(id, "UnhealthyThresholdCount")),
    matcher: matcher ? str(matcher.HttpCode, at(id, "Matcher.HttpCode")) : undefined,
  });
  const delay = attrs["deregistration_delay.timeout_seconds"];
  ctx.config.targetGroups.push(defined({
    name,
    port: num(p.Port, at(id, "Port")),
    protocol: str(p.Protocol, at(id, "Protocol")) as "HTTP" | undefined,
    healthCheck,
    deregistrationDelaySeconds: delay === undefined ? undefined : num(delay, at(id, "TargetGroupAttributes.deregistration_delay.timeout_seconds")),
    stickiness: attrs["stickiness.enabled"] === undefined ? undefined : defined({ enabled: attrs["stickiness.enabled"] === "true", durationSeconds: num(attrs["stickiness.lb_cookie.duration_seconds"], at(id, "TargetGroupAttributes")) }),
    tags: tags(p.Tags, at(id, "Tags")),
  }));
  ctx.names[id] = name;
}

export function mapResource(id: string, type: string, p: Props, ctx: Ctx): void {
  switch (type) {
    case TG:
      return targetGroup(id, p, ctx);
    case LB: {
      if (p.Type !== undefined && p.Type !== "application") throw new TemplateError(`${at(id, "Type")}: the sandbox has Application Load Balancers only, got ${JSON.stringify(p.Type)}`);
      const name = sandboxName(str(p.Name, at(id, "Name")), id);
      ctx.config.loadBalancers.push({ name, tags: tags(p.Tags, at(id, "Tags")), listeners: [] });
      ctx.names[id] = name;
      return;
    }
    case LISTENER: {
      const lbName = ctx.nameOf(p.LoadBalancerArn, LB, at(id, "LoadBalancerArn"));
      if (p.Protocol !== undefined && p.Protocol !== "HTTP") throw new TemplateError(`${at(id, "Protocol")}: the sandbox's listeners serve HTTP only, got ${JSON.stringify(p.Protocol)} (for a template with a certificate parameter, leave it empty)`);
      const actions = p.DefaultActions as Resolved[] | undefined;
      if (!Array.isArray(actions) || actions.length !== 1) throw new TemplateError(`${at(id, "DefaultActions")}: the sandbox takes exactly one default action`);
      const lb = ctx.config.loadBalancers.find((l) => l.name === lbName)!;
      lb.listeners.push({ port: num(p.Port, at(id, "Port")) ?? 80, defaultAction: action(actions[0]!, at(id, "DefaultActions[0]"), ctx) });
      ctx.names[id] = `${lbName}:${lb.listeners.length - 1}`;
      return;
    }
    case "AWS::ElasticLoadBalancingV2::ListenerRule": {
      const listener = p.ListenerArn as Resolved;
      const key = ctx.names[(listener as { resource?: string }).resource ?? ""];
      if (!key) throw new TemplateError(`${at(id, "ListenerArn")}: the listener must be one of the template's (the sandbox has nothing outside it), got ${JSON.stringify(listener)}`);
      const [lbName, index] = key.split(":");
      const l = ctx.config.loadBalancers.find((b) => b.name === lbName)!.listeners[Number(index)]!;
      const conditions = (p.Conditions ?? []) as Props[];
      const rule: { priority: number; pathPatterns?: string[]; hostHeaders?: string[]; action: ActionConfig } = { priority: num(p.Priority, at(id, "Priority"))!, action: action((p.Actions as Resolved[])[0]!, at(id, "Actions[0]"), ctx) };
      conditions.forEach((c, i) => {
        const where = at(id, `Conditions[${i}]`);
        only(c, ["Field", "PathPatternConfig", "HostHeaderConfig"], where);
        if (c.Field === "path-pattern") rule.pathPatterns = (c.PathPatternConfig as Props).Values as string[];
        else if (c.Field === "host-header") rule.hostHeaders = (c.HostHeaderConfig as Props).Values as string[];
        else throw new TemplateError(`${where}.Field: ${JSON.stringify(c.Field)} is not supported by the sandbox; supported: path-pattern, host-header`);
      });
      (l.rules ??= []).push(rule);
      return;
    }
    case LT: {
      const name = sandboxName(str(p.LaunchTemplateName, at(id, "LaunchTemplateName")), id);
      const d = only((p.LaunchTemplateData ?? {}) as Props, ["ImageId", "InstanceType", "SecurityGroupIds", "IamInstanceProfile", "UserData", "TagSpecifications"], at(id, "LaunchTemplateData"));
      const imageId = str(d.ImageId, at(id, "LaunchTemplateData.ImageId"));
      if (!imageId) throw new TemplateError(`${at(id, "LaunchTemplateData.ImageId")}: the sandbox needs an image id (one of its releases)`);
      ctx.config.launchTemplates.push({ name, versions: [defined({ imageId, instanceType: str(d.InstanceType, at(id, "LaunchTemplateData.InstanceType")), description: str(p.VersionDescription, at(id, "VersionDescription")) })] });
      ctx.names[id] = name;
      return;
    }
    case "AWS::AutoScaling::AutoScalingGroup":
      return autoScalingGroup(id, p, ctx);
    case "AWS::CloudWatch::Alarm":
      return alarm(id, p, ctx);
  }
}

function autoScalingGroup(id: string, p: Props, ctx: Ctx): void {
  const lt = only((p.LaunchTemplate ?? {}) as Props, ["LaunchTemplateId", "LaunchTemplateName", "Version"], at(id, "LaunchTemplate"));
  const ltName = lt.LaunchTemplateId !== undefined ? ctx.nameOf(lt.LaunchTemplateId, LT, at(id, "LaunchTemplate.LaunchTemplateId")) : str(lt.LaunchTemplateName, at(id, "LaunchTemplate.LaunchTemplateName"));
  if (!ltName) throw new TemplateError(`${at(id, "LaunchTemplate")}: the sandbox needs a launch template of the template`);
  const v = lt.Version;
  // The template's own launch template has one version when the sandbox builds it: its latest and default.
  const version = typeof v === "object" && v !== null && (v as { attribute?: string }).attribute?.endsWith("VersionNumber") ? "1" : str(v === undefined ? "$Default" : String(v), at(id, "LaunchTemplate.Version"))!;
  const name = sandboxName(str(p.AutoScalingGroupName, at(id, "AutoScalingGroupName")), id);
  const min = num(p.MinSize, at(id, "MinSize"))!;
  ctx.config.autoScalingGroups.push(defined({
    name,
    minSize: min,
    maxSize: num(p.MaxSize, at(id, "MaxSize"))!,
    desiredCapacity: num(p.DesiredCapacity, at(id, "DesiredCapacity")) ?? min,
    launchTemplate: { name: ltName, version },
    targetGroups: ((p.TargetGroupARNs ?? []) as Resolved[]).map((t, i) => ctx.nameOf(t, TG, at(id, `TargetGroupARNs[${i}]`))),
    healthCheckType: str(p.HealthCheckType, at(id, "HealthCheckType")) as "EC2" | "ELB" | undefined,
    healthCheckGracePeriodSeconds: num(p.HealthCheckGracePeriod, at(id, "HealthCheckGracePeriod")),
    tags: tags(((p.Tags ?? []) as Props[]).map((t) => ({ Key: t.Key, Value: t.Value }) as Resolved), at(id, "Tags")),
  }));
  ctx.names[id] = name;
}

function alarm(id: string, p: Props, ctx: Ctx): void {
  let loadBalancer: string | undefined;
  let targetGroup: string | undefined;
  const dimensions: { name: string; value: string }[] = [];
  ((p.Dimensions ?? []) as Props[]).forEach((d, i) => {
    const where = at(id, `Dimensions[${i}]`);
    only(d, ["Name", "Value"], where);
    if (d.Name === "LoadBalancer" && typeof d.Value === "object") loadBalancer = ctx.nameOf(d.Value, LB, `${where}.Value`);
    else if (d.Name === "TargetGroup" && typeof d.Value === "object") targetGroup = ctx.nameOf(d.Value, TG, `${where}.Value`);
    else dimensions.push({ name: str(d.Name, `${where}.Name`)!, value: str(d.Value, `${where}.Value`)! });
  });
  ctx.config.alarms.push(defined({
    alarmName: str(p.AlarmName, at(id, "AlarmName")) ?? id,
    namespace: str(p.Namespace, at(id, "Namespace")),
    metricName: str(p.MetricName, at(id, "MetricName"))!,
    loadBalancer,
    targetGroup,
    dimensions,
    statistic: str(p.ExtendedStatistic, at(id, "ExtendedStatistic")) ?? str(p.Statistic, at(id, "Statistic")),
    periodSeconds: num(p.Period, at(id, "Period")),
    evaluationPeriods: num(p.EvaluationPeriods, at(id, "EvaluationPeriods")),
    datapointsToAlarm: num(p.DatapointsToAlarm, at(id, "DatapointsToAlarm")),
    threshold: num(p.Threshold, at(id, "Threshold"))!,
    comparisonOperator: str(p.ComparisonOperator, at(id, "ComparisonOperator")) as "GreaterThanThreshold",
    treatMissingData: str(p.TreatMissingData, at(id, "TreatMissingData")) as "notBreaching" | undefined,
  }));
}
