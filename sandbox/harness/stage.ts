/**
 * A stage for end-to-end runs: the sandbox with the environment of the CloudFormation template a
 * user deploys (infra/cloudformation/blue-green.template.json, tuned for fast runs by its
 * parameters), load on the listener, and the AWS variables the built actions need to reach it.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { defaultConfig, parseTemplate, startLoad, startSandbox, templateEnvironment, type LoadReport, type LoadRun, type Sandbox, type SandboxConfig } from "../aws";

export const REPO_ROOT = resolve(import.meta.dirname, "..", "..");
/** The synthesized template of infra/cdk (npm run synth). */
export const TEMPLATE_FILE = resolve(REPO_ROOT, "infra", "cloudformation", "blue-green.template.json");

export type ActionName = "deploy-green" | "health-gate" | "shift-traffic" | "canary-analyze" | "rollback" | "rolling-update" | "migration-guard";

/** The directory of one of the suite's actions (its action.yml points into `<root>/dist/`). */
export function actionDir(name: ActionName, root = REPO_ROOT): string {
  return resolve(root, "actions", name);
}

export interface StageOptions {
  /** Sandbox seconds per real second (default 25). */
  timeScale?: number;
  seed?: number;
  /** Requests per second on the listener (default 60); 0 starts no load. */
  rps?: number;
  /** Deregistration delay of both target groups, in seconds (default 2; the environment's is 10). */
  deregistrationDelaySeconds?: number;
  /** 5xx alarm threshold (Sum over one 60 s period) for both slots (default 5). */
  alarmThreshold?: number;
  /**
   * Tag blue as the stable slot on v1 (`deploy:role`, `deploy:version` on its target group and Auto
   * Scaling group), as an earlier deployment with these actions leaves it (default true). Without
   * the tags the environment is as first set up: blue live but untagged.
   */
  tagStable?: boolean;
  /** More tags on the stable slot (blue) with tagStable, e.g. the deploy:schema-version of v1. */
  stableTags?: Record<string, string>;
  /** Where the environment comes from: the synthesized template (default) or the sandbox's built-in one. */
  world?: "template" | "builtin";
  /**
   * A rolling environment: the built-in one with web-blue at this many instances (room for as many
   * again, a 30 s health check grace period), the only group the listener sends traffic to; the stage
   * waits until all are healthy.
   */
  rollingInstances?: number;
}

/**
 * stable-for for deploy-green and health-gate on a stage. The actions keep real time while the
 * sandbox runs `timeScale` times faster, so `auto` (20 s for its 5 s × 2 health checks) would wait
 * 20 real seconds. This is 60 sandbox seconds in whole real seconds: long enough to see a release
 * that crashes 20 sandbox seconds after boot (v5) go unhealthy.
 */
export function sandboxStableFor(stage: Pick<Stage, "sandbox">): string {
  return `${Math.ceil(60 / stage.sandbox.environment.timeScale)}s`;
}

/**
 * metrics-delay for the sandbox: a minute is served once it has ended plus the publication lag, so a
 * bake's last minute is readable one sandbox minute plus the lag after the bake: in whole real seconds.
 */
export function sandboxMetricsDelay(stage: Pick<Stage, "sandbox">): string {
  const { timeScale, metricPublicationLagSeconds } = stage.sandbox.environment;
  return `${Math.ceil((60 + metricPublicationLagSeconds) / timeScale)}s`;
}

/** propagation-delay for the sandbox: its listener-change propagation in whole real seconds (at least 1 when on). */
export function sandboxPropagationDelay(stage: Pick<Stage, "sandbox">): string {
  const { timeScale, propagationSeconds } = stage.sandbox.environment;
  return `${Math.ceil(propagationSeconds / timeScale)}s`;
}

export interface Stage {
  sandbox: Sandbox;
  load: LoadRun | undefined;
  /** When the live fleet was healthy and the load started (epoch ms): weight changes from here on are the run's. */
  readyAt: number;
  /** AWS_* variables that point the SDK at the sandbox. */
  awsEnv: Record<string, string>;
  /** Stops the load (returning its final report) and closes the sandbox. Safe to call twice. */
  close(): Promise<LoadReport | undefined>;
}

/** The environment from the template, as a stack created with these parameters would be (names web-blue, web-green, …). */
export function templateConfig(parameters: Record<string, string> = {}): SandboxConfig {
  const template = parseTemplate(readFileSync(TEMPLATE_FILE, "utf8"), TEMPLATE_FILE);
  return templateEnvironment(template, { parameters: { Name: "web", Environment: "sandbox", ...parameters } }).config;
}

/**
 * The environment with a shorter deregistration delay and a 5xx alarm on each slot
 * (`web-blue-target-5xx`, `web-green-target-5xx`), since the idle slot alternates between deploys.
 */
export function stageConfig(options: Pick<StageOptions, "deregistrationDelaySeconds" | "alarmThreshold" | "tagStable" | "stableTags" | "world" | "rollingInstances"> = {}): SandboxConfig {
  const delay = options.deregistrationDelaySeconds ?? 2;
  const threshold = options.alarmThreshold ?? 5;
  const builtin = options.world === "builtin" || options.rollingInstances !== undefined;
  const config = builtin ? builtinStage(delay, threshold) : templateConfig({ DeregistrationDelaySeconds: String(delay), Target5xxThreshold: String(threshold) });
  const n = options.rollingInstances;
  // A 30 s grace period: also the default warm-up of a refresh that gives none (a rollback's).
  if (n !== undefined) config.autoScalingGroups = (config.autoScalingGroups ?? []).map((g) => (g.name === "web-blue" ? { ...g, desiredCapacity: n, maxSize: 2 * n, healthCheckGracePeriodSeconds: 30 } : g));
  const stable: Record<string, string> = (options.tagStable ?? true) ? { "deploy:role": "stable", "deploy:version": "v1", ...options.stableTags } : {};
  const blueTags = (name: string, tags: Record<string, string> | undefined) => (name === "web-blue" ? { ...tags, ...stable } : tags);
  config.targetGroups = (config.targetGroups ?? []).map((tg) => ({ ...tg, tags: blueTags(tg.name, tg.tags) }));
  config.autoScalingGroups = (config.autoScalingGroups ?? []).map((g) => ({ ...g, tags: blueTags(g.name, g.tags) }));
  return config;
}

/** The sandbox's built-in environment, tuned as the template's parameters tune it. */
function builtinStage(delay: number, threshold: number): SandboxConfig {
  const config = defaultConfig();
  config.targetGroups = (config.targetGroups ?? []).map((tg) => ({ ...tg, deregistrationDelaySeconds: delay }));
  config.alarms = ["web-blue", "web-green"].map((slot) => ({
    alarmName: `${slot}-target-5xx`,
    metricName: "HTTPCode_Target_5XX_Count",
    loadBalancer: "web",
    targetGroup: slot,
    statistic: "Sum",
    periodSeconds: 60,
    evaluationPeriods: 1,
    threshold,
    comparisonOperator: "GreaterThanThreshold",
    treatMissingData: "notBreaching",
  }));
  return config;
}

/** Polls `probe` every 20 ms until it returns true; throws with `label` after `timeoutMs`. */
export async function waitFor(label: string, probe: () => boolean, timeoutMs = 10_000): Promise<number> {
  const started = Date.now();
  while (!probe()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - started;
}

export function healthyCount(sandbox: Sandbox, targetGroup: string): number {
  return sandbox.state().targetGroups.find((tg) => tg.name === targetGroup)?.healthy ?? 0;
}

/** Starts the sandbox, waits until the live fleet (blue, 2 instances) is healthy, then starts the load. */
export async function startStage(options: StageOptions = {}): Promise<Stage> {
  const sandbox = await startSandbox({ config: stageConfig(options), timeScale: options.timeScale ?? 25, seed: options.seed ?? 1 });
  let load: LoadRun | undefined;
  let readyAt: number;
  let closing: Promise<LoadReport | undefined> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const report = load ? await load.stop() : undefined;
      await sandbox.close();
      return report;
    })());
  try {
    const live = options.rollingInstances ?? 2;
    await waitFor(`web-blue to have ${live} healthy targets`, () => healthyCount(sandbox, "web-blue") >= live, 15_000);
    readyAt = Date.now();
    const rps = options.rps ?? 60;
    if (rps > 0) load = startLoad({ url: `${sandbox.environment.listenerUrl}/`, rps });
  } catch (error) {
    await close();
    throw error;
  }
  return {
    sandbox,
    load,
    readyAt,
    awsEnv: {
      AWS_ENDPOINT_URL: sandbox.endpoint,
      AWS_REGION: sandbox.region,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
    },
    close,
  };
}
