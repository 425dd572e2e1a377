/** Starting the sandbox for a part and reading what the bench needs from its state. */
import { AutoScalingClient, SetDesiredCapacityCommand } from "@aws-sdk/client-auto-scaling";
import { startSandbox, type Sandbox } from "../../sandbox/aws";
import { defaultConfig, type SandboxConfig } from "../../sandbox/aws";
import { waitFor } from "./context";

export { defaultConfig, RELEASE_IMAGES } from "../../sandbox/aws";
export type { Sandbox };

export interface World {
  sandbox: Sandbox;
  /** Target group ARN by name. */
  tg(name: string): string;
  /** Healthy and registered target counts of a target group. */
  health(name: string): { healthy: number; registered: number };
  setDesired(group: string, capacity: number): Promise<void>;
  /** Percent weight of each target group in the listener's default action, right now. */
  weights(): Record<string, number>;
  /** metrics-delay for this sandbox: one sandbox minute plus the publication lag, in whole real seconds. */
  metricsDelay(): string;
  /** propagation-delay for this sandbox: its propagation of listener changes in whole real seconds. */
  propagationDelay(): string;
  close(): Promise<void>;
}

/** Recorded AWS requests of every closed world re-validated against the API models (real AWS rejects violations). */
export const modelCheck = { checked: 0, violating: 0, violations: [] as string[] };

export async function startWorld(options: { timeScale: number; config?: SandboxConfig; seed?: number }): Promise<World> {
  const config = options.config ?? defaultConfig();
  const sandbox = await startSandbox({ timeScale: options.timeScale, seed: options.seed ?? 1, config });
  const autoScaling = new AutoScalingClient({ endpoint: sandbox.endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  const env = sandbox.environment;
  const world: World = {
    sandbox,
    tg(name) {
      const arn = env.targetGroups[name];
      if (!arn) throw new Error(`no target group "${name}" in the sandbox; known: ${Object.keys(env.targetGroups).join(", ")}`);
      return arn;
    },
    health(name) {
      const group = sandbox.state().targetGroups.find((g) => g.name === name);
      if (!group) throw new Error(`no target group "${name}" in the sandbox state`);
      return { healthy: group.targets.filter((t) => t.state === "healthy").length, registered: group.targets.filter((t) => t.state !== "draining").length };
    },
    async setDesired(group, capacity) {
      await autoScaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: group, DesiredCapacity: capacity }));
    },
    weights() {
      const entry = sandbox.state().weights.find((w) => w.listenerArn === env.listenerArn && w.isDefault);
      const groups = entry?.groups ?? [];
      const total = groups.reduce((s, g) => s + g.weight, 0) || 1;
      return Object.fromEntries(groups.map((g) => [g.name, (100 * g.weight) / total]));
    },
    propagationDelay: () => `${Math.ceil(env.propagationSeconds / env.timeScale)}s`,
    metricsDelay: () => `${Math.ceil((60 + env.metricPublicationLagSeconds) / env.timeScale)}s`,
    async close() {
      autoScaling.destroy();
      await sandbox.close();
      // The sandbox's own tally: parts reset the call log between steps, the tally counts every request.
      const tally = sandbox.modelTally();
      modelCheck.checked += tally.checked;
      modelCheck.violations.push(...tally.examples);
      modelCheck.violating += tally.violating;
    },
  };
  // Every group that starts with instances must be healthy before a part measures anything.
  const wanted = (config.autoScalingGroups ?? []).flatMap((g) => (g.desiredCapacity > 0 ? (g.targetGroups ?? []).map((t) => ({ t, n: g.desiredCapacity })) : []));
  await waitFor("the initial fleets to be healthy", () => (wanted.every(({ t, n }) => world.health(t).healthy >= n) ? true : undefined), 120_000, 50);
  return world;
}

/** Percent share of a group in a weight history entry. */
export function shareOf(entry: { groups: { name: string; weight: number }[] }, name: string): number {
  const total = entry.groups.reduce((s, g) => s + g.weight, 0) || 1;
  return (100 * (entry.groups.find((g) => g.name === name)?.weight ?? 0)) / total;
}

/**
 * The default environment with health-check timeouts of 4 sandbox seconds instead of 2 (the interval
 * stays 5). Under load on a small machine the sandbox, the load generator and the instances share one
 * event loop, and a 2-second timeout at a high time scale is only 100–200 real milliseconds.
 */
export function tolerantConfig(): SandboxConfig {
  const config = defaultConfig();
  for (const group of config.targetGroups ?? []) {
    if (group.healthCheck) group.healthCheck = { ...group.healthCheck, timeoutSeconds: 4 };
  }
  return config;
}
