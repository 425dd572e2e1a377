/** A JSON view of the whole world for the control API and tests. */
import type { World } from "./world";
import { forwardTargets } from "./routing";

export function snapshot(world: World) {
  const now = world.clock.now();
  const tgName = (arn: string) => world.targetGroups.get(arn)?.name ?? arn;
  const weights = [...world.listeners.values()].flatMap((listener) => {
    const entries = [
      { listenerArn: listener.arn, ruleArn: listener.defaultRuleArn, isDefault: true, actions: listener.defaultActions },
      ...world.rulesOf(listener).map((r) => ({ listenerArn: listener.arn, ruleArn: r.arn, isDefault: false, actions: r.actions })),
    ];
    return entries.flatMap((e) =>
      e.actions
        .filter((a) => a.Type === "forward")
        .map((a) => ({
          listenerArn: e.listenerArn,
          ruleArn: e.ruleArn,
          isDefault: e.isDefault,
          stickiness: a.ForwardConfig?.TargetGroupStickinessConfig ?? { Enabled: false },
          groups: forwardTargets(a).map((t) => ({ targetGroupArn: t.TargetGroupArn, name: tgName(t.TargetGroupArn), weight: t.Weight })),
        })),
    );
  });

  const windowMs = world.clock.realMs(300);
  const sum = (metricName: string, dims: { name: string; value: string }[]) => {
    const series = world.metrics.query({
      namespace: "AWS/ApplicationELB",
      metricName,
      dimensions: dims,
      stat: "Sum",
      periodSeconds: 60,
      start: now - windowMs,
      end: now + 1,
      scanBy: "TimestampAscending",
    });
    return series.values.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  };

  return {
    at: now,
    region: world.region,
    accountId: world.accountId,
    timeScale: world.clock.timeScale,
    loadBalancers: [...world.loadBalancers.values()].map((lb) => ({
      name: lb.name,
      arn: lb.arn,
      dimension: lb.dimension,
      listeners: lb.listenerArns.map((arn) => {
        const l = world.listeners.get(arn)!;
        return {
          arn: l.arn,
          port: l.port,
          url: l.running?.url,
          /** Requests forwarded to each target and not yet answered, when the data plane reports it. */
          inFlight: (l.running as { inFlight?: () => Record<string, number> } | undefined)?.inFlight?.() ?? {},
          defaultActions: l.defaultActions,
          rules: world.rulesOf(l).map((r) => ({ arn: r.arn, priority: r.priority, conditions: r.conditions, actions: r.actions })),
        };
      }),
    })),
    weights,
    weightHistory: world.weightHistory,
    targetGroups: [...world.targetGroups.values()].map((tg) => {
      const views = new Map(tg.health.describe().map((v) => [v.id, v]));
      const counts = tg.health.counts();
      return {
        name: tg.name,
        arn: tg.arn,
        dimension: tg.dimension,
        healthy: counts.healthy,
        unhealthy: counts.unhealthy,
        attributes: Object.fromEntries(tg.attributes),
        targets: [...tg.targets.values()].map((t) => {
          const view = views.get(t.id);
          return { id: t.id, port: t.port, state: view?.state ?? "initial", reason: view?.reason, description: view?.description };
        }),
      };
    }),
    instances: [...world.instances.values()].map((i) => ({
      id: i.id,
      group: i.groupName,
      lifecycle: i.lifecycle,
      health: i.health,
      imageId: i.imageId,
      release: i.release,
      launchTemplate: { id: i.launchTemplateId, name: i.launchTemplateName, version: i.version },
      port: i.running.port,
      dead: i.running.dead,
      launchedAt: i.launchedAt,
    })),
    autoScalingGroups: [...world.groups.values()].map((g) => ({
      name: g.name,
      arn: g.arn,
      minSize: g.minSize,
      maxSize: g.maxSize,
      desiredCapacity: g.desiredCapacity,
      launchTemplate: g.launchTemplate,
      targetGroups: g.targetGroupArns.map(tgName),
      suspendedProcesses: [...g.suspended.keys()],
      instances: [...g.instances.keys()],
      tags: Object.fromEntries([...g.tags.values()].map((t) => [t.Key, t.Value])),
    })),
    launchTemplates: [...world.launchTemplates.values()].map((t) => ({
      id: t.id,
      name: t.name,
      defaultVersion: t.defaultVersion,
      versions: t.versions.map((v) => ({ number: v.number, imageId: v.imageId, description: v.description })),
    })),
    tags: Object.fromEntries([...world.tags].map(([arn, tags]) => [arn, Object.fromEntries(tags)])),
    activities: [...world.activities].sort((a, b) => b.StartTime - a.StartTime).slice(0, 100),
    metrics: {
      windowSeconds: 300,
      targetGroups: [...world.loadBalancers.values()].flatMap((lb) =>
        world.targetGroupsOf(lb).map((tg) => {
          const dims = [
            { name: "TargetGroup", value: tg.dimension },
            { name: "LoadBalancer", value: lb.dimension },
          ];
          return {
            loadBalancer: lb.name,
            targetGroup: tg.name,
            requests: sum("RequestCount", dims),
            target2xx: sum("HTTPCode_Target_2XX_Count", dims),
            target5xx: sum("HTTPCode_Target_5XX_Count", dims),
          };
        }),
      ),
    },
    instanceRefreshes: world.refreshes.all.map((r) => ({ id: r.id, group: r.groupName, status: r.status, percentageComplete: r.percentageComplete, statusReason: r.statusReason })),
    alarms: [...world.alarms.values()].map((a) => ({ name: a.definition.alarmName, state: a.state, reason: a.reason, updatedAt: a.stateUpdatedAt })),
    releases: Object.fromEntries(world.releases),
  };
}

export type SandboxState = ReturnType<typeof snapshot>;
