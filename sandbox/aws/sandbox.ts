/**
 * Programmatic entry: `startSandbox()` builds the world from a configuration (the default environment
 * unless told), starts the listeners, target health checks and Auto Scaling groups, and serves the
 * AWS APIs and the control API on one loopback port.
 */
import type { ReleaseBehaviour } from "./contracts";
import { createSandboxClock } from "./contracts";
import { defaultConfig, parseConfig, releaseSchema, type SandboxConfig } from "./config";
import { autoScaling } from "./api/autoscaling";
import { CallLog, type CallRecord, type ModelTally } from "./api/calls";
import { cloudWatch } from "./api/cloudwatch";
import { ec2 } from "./api/ec2";
import { elbv2 } from "./api/elbv2";
import { FaultInjector, type FaultSpec, type FaultSpecInput } from "./api/faults";
import { startAwsServer } from "./api/server";
import { ApiThrottle } from "./api/throttle";
import { TagReadLag } from "./api/tag-lag";
import { ControlError, controlHandler } from "./control/api";
import { startListener } from "./dataplane/listener-proxy";
import { createTargetGroupHealth } from "./dataplane/target-health";
import { launchInstance } from "./fleet/instance";
import { evaluateAlarm } from "./metrics/alarms";
import { createMetricsStore } from "./metrics/store";
import type { DataPlane } from "./world/dataplane";
import { seededRandom } from "./world/random";
import { snapshot, type SandboxState } from "./world/snapshot";
import { World } from "./world/world";

export interface StartSandboxOptions {
  config?: SandboxConfig;
  /** Sandbox seconds per real second (default 1). */
  timeScale?: number;
  /** Seed for ids and injected faults (default 1). */
  seed?: number;
  /** Port of the AWS endpoint (default: a free one). */
  port?: number;
}

export interface EnvironmentInfo {
  endpoint: string;
  region: string;
  accountId: string;
  timeScale: number;
  /** Sandbox seconds after a minute ends before CloudWatch serves it (config metricPublicationLagSeconds). */
  metricPublicationLagSeconds: number;
  /** Sandbox seconds a listener or rule change takes to reach every load balancer node (config propagationSeconds). */
  propagationSeconds: number;
  /** URL of the first listener of the first load balancer. */
  listenerUrl: string;
  loadBalancerArn: string;
  listenerArn: string;
  loadBalancers: {
    name: string;
    arn: string;
    dnsName: string;
    listeners: { arn: string; port: number; url: string; defaultRuleArn: string; ruleArns: string[] }[];
  }[];
  /** Target group ARN by name. */
  targetGroups: Record<string, string>;
  /** Auto Scaling group ARN and launch template by group name. */
  autoScalingGroups: Record<string, { arn: string; launchTemplateId: string; launchTemplateName: string }>;
  /** Launch template id by name. */
  launchTemplates: Record<string, string>;
  /** Image id by release version label (e.g. v1 → ami-…). */
  releases: Record<string, string>;
  alarms: string[];
}

export interface Sandbox {
  readonly endpoint: string;
  readonly region: string;
  readonly environment: EnvironmentInfo;
  state(): SandboxState;
  calls(): CallRecord[];
  resetCalls(): void;
  /** Requests checked against their API model since start (resetCalls keeps it), and the violating ones. */
  modelTally(): ModelTally;
  /** The ELBv2 tag read lag in wall-clock ms (0: off); setting it applies to writes from then on. */
  tagReadLagMs(): number;
  /** Calls answered with a throttling error by the API's token buckets (config apiThrottling) so far. */
  throttledCalls(): number;
  setTagReadLag(ms: number): number;
  injectFaults(spec: FaultSpecInput): FaultSpec;
  faults(): FaultSpec[];
  clearFaults(): void;
  killInstance(instanceId: string): void;
  /** EnterStandby/ExitStandby and SetInstanceProtection, which the suite never calls, for tests of an instance refresh. */
  setInstance(instanceId: string, state: { standby?: boolean; protectedFromScaleIn?: boolean }): void;
  /** Patches a release's behaviour (live instances of that image follow); a new image id needs a full behaviour. */
  setRelease(imageId: string, patch: Partial<ReleaseBehaviour>): ReleaseBehaviour;
  close(): Promise<void>;
}

export const dataPlane: DataPlane = { startListener, createTargetGroupHealth, launchInstance, createMetricsStore, evaluateAlarm };

function environmentOf(world: World, endpoint: string): EnvironmentInfo {
  const lbs = [...world.loadBalancers.values()].map((lb) => ({
    name: lb.name,
    arn: lb.arn,
    dnsName: lb.dnsName,
    listeners: lb.listenerArns.map((arn) => {
      const l = world.listeners.get(arn)!;
      return { arn, port: l.port, url: l.running?.url ?? "", defaultRuleArn: l.defaultRuleArn, ruleArns: [...l.ruleArns] };
    }),
  }));
  return {
    endpoint,
    region: world.region,
    accountId: world.accountId,
    timeScale: world.clock.timeScale,
    metricPublicationLagSeconds: world.metricPublicationLagSeconds,
    propagationSeconds: (world.propagation.delayMs * world.clock.timeScale) / 1000,
    listenerUrl: lbs[0]?.listeners[0]?.url ?? "",
    loadBalancerArn: lbs[0]?.arn ?? "",
    listenerArn: lbs[0]?.listeners[0]?.arn ?? "",
    loadBalancers: lbs,
    targetGroups: Object.fromEntries([...world.targetGroups.values()].map((t) => [t.name, t.arn])),
    autoScalingGroups: Object.fromEntries(
      [...world.groups.values()].map((g) => [g.name, { arn: g.arn, launchTemplateId: g.launchTemplate.id, launchTemplateName: g.launchTemplate.name }]),
    ),
    launchTemplates: Object.fromEntries([...world.launchTemplates.values()].map((t) => [t.name, t.id])),
    releases: Object.fromEntries([...world.releases].map(([imageId, b]) => [b.version, imageId])),
    alarms: [...world.alarms.keys()],
  };
}

export async function startSandbox(options: StartSandboxOptions = {}): Promise<Sandbox> {
  const config = parseConfig(options.config ?? defaultConfig());
  const clock = createSandboxClock(options.timeScale ?? 1);
  const seed = options.seed ?? 1;
  const world = new World({ config, dataPlane, clock, random: seededRandom(seed) });
  const calls = new CallLog();
  const faults = new FaultInjector(seededRandom(seed ^ 0x5bd1e995));
  const tagLag = new TagReadLag(() => clock.now(), config.tagReadLagMs);
  const throttle = new ApiThrottle(config.apiThrottling);
  let sandbox: Sandbox | undefined;
  try {
    await world.start();
    const server = await startAwsServer({
      world,
      services: [elbv2, autoScaling, ec2, cloudWatch],
      calls,
      faults,
      tagLag,
      throttle,
      ...(options.port !== undefined ? { port: options.port } : {}),
      control: controlHandler(() => sandbox!),
    });
    const environment = environmentOf(world, server.endpoint);
    let closing: Promise<void> | undefined;
    sandbox = {
      endpoint: server.endpoint,
      region: world.region,
      environment,
      state: () => snapshot(world),
      calls: () => calls.list(),
      resetCalls: () => calls.reset(),
      modelTally: () => calls.modelTally(),
      tagReadLagMs: () => tagLag.lagMs,
      throttledCalls: () => throttle.throttled,
      setTagReadLag(ms) {
        try {
          tagLag.lagMs = ms;
        } catch (error) {
          throw new ControlError(error instanceof Error ? error.message : String(error));
        }
        return tagLag.lagMs;
      },
      injectFaults: (spec) => faults.add(spec),
      faults: () => faults.list(),
      clearFaults: () => faults.clear(),
      killInstance(instanceId) {
        const instance = world.instances.get(instanceId);
        if (!instance) {
          const live = [...world.instances.values()].filter((i) => i.lifecycle !== "Terminated").map((i) => i.id);
          throw new ControlError(`no instance '${instanceId}'; instances: ${live.join(", ") || "none"}`, 404);
        }
        if (instance.running.dead) throw new ControlError(`instance '${instanceId}' is already dead`, 409);
        instance.running.kill();
      },
      setInstance(instanceId, state) {
        const instance = world.instances.get(instanceId);
        if (!instance) throw new ControlError(`no instance '${instanceId}'`, 404);
        if (state.protectedFromScaleIn !== undefined) instance.protectedFromScaleIn = state.protectedFromScaleIn;
        if (state.standby !== undefined) world.autoScaling.setStandby(instance, state.standby);
      },
      setRelease(imageId, patch) {
        const existing = world.releases.get(imageId);
        const result = releaseSchema.safeParse({ ...(existing ?? {}), ...patch });
        if (!result.success) {
          const detail = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
          throw new ControlError(`invalid release behaviour for ${imageId}${existing ? "" : " (a new image id needs a full behaviour)"}: ${detail}`);
        }
        const behaviour: ReleaseBehaviour = result.data;
        world.releases.set(imageId, behaviour);
        for (const instance of world.instances.values()) {
          if (instance.imageId === imageId && !instance.running.dead) instance.running.setBehaviour({ ...behaviour });
        }
        return behaviour;
      },
      close: () =>
        (closing ??= (async () => {
          await server.close();
          await world.close();
        })()),
    };
    return sandbox;
  } catch (error) {
    await world.close();
    throw error;
  }
}
