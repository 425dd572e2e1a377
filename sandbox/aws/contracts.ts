/**
 * Contracts between the sandbox's control plane (AWS API emulator, world state, Auto Scaling,
 * control API) and its data plane (listener proxy, health checks, instances, metrics).
 *
 * Time: timestamps everywhere are real epoch milliseconds (what the SDK and the actions see).
 * Durations that AWS expresses in seconds (health-check interval, deregistration delay, boot time,
 * CloudWatch periods) are sandbox seconds, and last `1000 / timeScale` real milliseconds each.
 */

export interface SandboxClock {
  /** Sandbox seconds per real second (1 = real time; 20 = one sandbox second lasts 50 ms). */
  readonly timeScale: number;
  /** Real epoch milliseconds. */
  now(): number;
  /** Real milliseconds that `seconds` sandbox seconds last. */
  realMs(seconds: number): number;
  /** Runs `fn` after `seconds` sandbox seconds; returns a cancel function. */
  after(seconds: number, fn: () => void): () => void;
  /** Runs `fn` every `seconds` sandbox seconds; returns a cancel function. */
  every(seconds: number, fn: () => void): () => void;
}

export function createSandboxClock(timeScale = 1): SandboxClock {
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new Error(`time scale must be a positive number, got ${timeScale}`);
  const realMs = (seconds: number) => (seconds * 1000) / timeScale;
  return {
    timeScale,
    now: () => Date.now(),
    realMs,
    after(seconds, fn) {
      const timer = setTimeout(fn, realMs(seconds));
      timer.unref?.();
      return () => clearTimeout(timer);
    },
    every(seconds, fn) {
      const timer = setInterval(fn, Math.max(1, realMs(seconds)));
      timer.unref?.();
      return () => clearInterval(timer);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Releases and instances
// ---------------------------------------------------------------------------------------------

/** How an application release behaves. Mapped from an image id or launch-template version. */
export interface ReleaseBehaviour {
  /** Label served in the `x-sandbox-version` response header and the demo's tables, e.g. "v2". */
  version: string;
  /** Latency of ordinary requests, in real milliseconds. */
  latencyMs: { median: number; p99: number };
  /** Fraction (0–1) of ordinary requests answered with HTTP 500. */
  errorRate: number;
  /** What the health endpoint answers. */
  health: { path: string; status: number; body: unknown };
  /** Sandbox seconds from launch until the server listens (Pending until then). */
  bootSeconds: number;
  /** If set, the instance process dies this many sandbox seconds after it starts listening. */
  crashAfterSeconds?: number | undefined;
  /**
   * If set, the release's requests read and write the `users` table of a Postgres at `url` (the
   * sandbox's PGlite, ./database/), reading column `reads` and writing columns `writes`; its health
   * path answers 503 when that query fails. A request whose query fails is a 500.
   */
  database?: { url: string; reads: string; writes: string[] } | undefined;
}

export interface RunningInstance {
  readonly instanceId: string;
  readonly host: string;
  /** Loopback port; 0 until the instance has booted. */
  readonly port: number;
  readonly behaviour: ReleaseBehaviour;
  /** Resolves when the instance listens (after its boot time). */
  readonly ready: Promise<void>;
  /** True once killed, crashed or stopped. */
  readonly dead: boolean;
  /** Replace the behaviour live (e.g. make a release unhealthy). */
  setBehaviour(behaviour: ReleaseBehaviour): void;
  /** Abrupt death: close the listening socket and destroy every open connection. */
  kill(): void;
  /** Graceful stop: stop accepting, let in-flight requests finish. */
  stop(): Promise<void>;
  /** Called once when the instance dies on its own (crashAfterSeconds) or is killed. */
  onDeath(listener: () => void): void;
}

export type LaunchInstance = (instanceId: string, behaviour: ReleaseBehaviour) => RunningInstance;

// ---------------------------------------------------------------------------------------------
// Target health
// ---------------------------------------------------------------------------------------------

export type TargetState = "initial" | "healthy" | "unhealthy" | "unused" | "draining" | "unavailable";

export interface HealthCheckConfig {
  enabled: boolean;
  protocol: "HTTP" | "HTTPS";
  /** "traffic-port" or a number as a string, as in AWS. */
  port: string;
  path: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  /** ALB matcher, e.g. "200", "200,202" or "200-299". */
  matcher: string;
}

export interface TargetHealthView {
  id: string;
  port: number;
  state: TargetState;
  reason?: string | undefined;
  description?: string | undefined;
}

/** Where a registered target can be reached; port 0 means nothing listens (yet). */
export interface TargetEndpoint {
  id: string;
  port: number;
  host: string;
}

/**
 * Runs active health checks for one target group and tracks registration and draining.
 * The control plane owns registration; this owns the states and reason codes.
 */
export interface TargetGroupHealth {
  register(target: TargetEndpoint): void;
  /** Starts draining: no new requests; removed after the delay (sandbox seconds). Resolves on removal. */
  deregister(targetId: string, delaySeconds: number): Promise<void>;
  /** Update where a target listens (instances get their port when they boot). */
  updateEndpoint(target: TargetEndpoint): void;
  setConfig(config: HealthCheckConfig): void;
  describe(): TargetHealthView[];
  /** Targets that may receive new requests: healthy ones, or every non-draining one when none is healthy (fail-open). */
  routable(): TargetEndpoint[];
  counts(): { healthy: number; unhealthy: number };
  /** Set false when no listener uses the group: targets then report `unused` / `Target.NotInUse`. */
  setInUse(inUse: boolean): void;
  close(): void;
}

// ---------------------------------------------------------------------------------------------
// Routing
// ---------------------------------------------------------------------------------------------

export interface ForwardGroup {
  targetGroupArn: string;
  /** CloudWatch dimension value, `targetgroup/<name>/<id>`. */
  targetGroupDimension: string;
  weight: number;
  health: TargetGroupHealth;
}

export type RoutePlan =
  | {
      kind: "forward";
      /** CloudWatch dimension value, `app/<name>/<id>`. */
      loadBalancerDimension: string;
      groups: ForwardGroup[];
      /**
       * `beatsWeight` (default true, as on AWS): a client with a valid stickiness cookie keeps its group
       * even at weight 0 while stickiness is on; false honours the cookie only while the group has weight.
       */
      stickiness: { enabled: boolean; durationSeconds: number; beatsWeight?: boolean };
    }
  | { kind: "fixed-response"; status: number; contentType: string; body: string }
  | { kind: "redirect"; status: number; location: string };

export interface IncomingRequest {
  method: string;
  host: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
}

/** Resolves a request to a plan by evaluating the listener's rules in priority order, then its default action. */
export type RouteResolver = (request: IncomingRequest) => RoutePlan;

export interface RunningListener {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------------------------

export interface RequestRecord {
  loadBalancerDimension: string;
  targetGroupDimension: string;
  /** HTTP status the target returned, or undefined when the connection to it failed. */
  status: number | undefined;
  /** Target response time in real milliseconds. */
  latencyMs: number;
  /** Real epoch ms when the response finished. */
  at: number;
}

export interface MetricQuery {
  namespace: string;
  metricName: string;
  dimensions: { name: string; value: string }[];
  /** CloudWatch stat: Sum, Average, Minimum, Maximum, SampleCount, pNN(.NN), tmNN, TM(a%:b%). */
  stat: string;
  /** Period in sandbox seconds (AWS rules: a multiple of 60). */
  periodSeconds: number;
  /** Real epoch ms, inclusive. */
  start: number;
  /** Real epoch ms, exclusive. */
  end: number;
  scanBy: "TimestampDescending" | "TimestampAscending";
}

export interface MetricSeries {
  /** Real epoch ms of each period's start. */
  timestamps: number[];
  values: number[];
}

export interface MetricsStore {
  recordRequest(record: RequestRecord): void;
  /** Sampled by the control plane once per sandbox second per (load balancer, target group). */
  recordHostCounts(loadBalancerDimension: string, targetGroupDimension: string, healthy: number, unhealthy: number, at: number): void;
  /** Custom metrics from PutMetricData. */
  put(namespace: string, metricName: string, dimensions: { name: string; value: string }[], value: number, at: number): void;
  query(query: MetricQuery): MetricSeries;
}

// ---------------------------------------------------------------------------------------------
// Alarms
// ---------------------------------------------------------------------------------------------

export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";

export interface AlarmDefinition {
  alarmName: string;
  namespace: string;
  metricName: string;
  dimensions: { name: string; value: string }[];
  /** Sum, Average, … or an extended statistic such as p99. */
  statistic: string;
  /** Sandbox seconds. */
  periodSeconds: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
  comparisonOperator: "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold" | "LessThanOrEqualToThreshold";
  treatMissingData: "missing" | "notBreaching" | "breaching" | "ignore";
}

export interface AlarmEvaluation {
  state: AlarmState;
  /** Human-readable, in the style of CloudWatch's StateReason. */
  reason: string;
}

// ---------------------------------------------------------------------------------------------
// Factories the data plane exports (implemented under sandbox/aws/dataplane, fleet, metrics)
// ---------------------------------------------------------------------------------------------
//
// sandbox/aws/dataplane/listener-proxy.ts:
//   startListener(options: { port?: number; resolve: RouteResolver; metrics: MetricsStore;
//     clock: SandboxClock; random: () => number }): Promise<RunningListener>
// sandbox/aws/dataplane/target-health.ts:
//   createTargetGroupHealth(options: { config: HealthCheckConfig; clock: SandboxClock;
//     onChange?: (view: TargetHealthView) => void }): TargetGroupHealth
// sandbox/aws/fleet/instance.ts:
//   launchInstance(options: { instanceId: string; behaviour: ReleaseBehaviour; clock: SandboxClock;
//     random: () => number }): RunningInstance
// sandbox/aws/metrics/store.ts:
//   createMetricsStore(clock: SandboxClock): MetricsStore
// sandbox/aws/metrics/alarms.ts:
//   evaluateAlarm(alarm: AlarmDefinition, store: MetricsStore, now: number): AlarmEvaluation
// sandbox/aws/load.ts:
//   startLoad(options: { url: string; rps: number; random?: () => number; headers?: Record<string,string> }): LoadRun
//   (LoadRun: snapshot(): LoadReport; stop(): Promise<LoadReport>; LoadReport counts responses by status
//    and by x-sandbox-version, connection errors, non-2xx, and latency percentiles, with a timeline.)
