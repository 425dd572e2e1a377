/**
 * The one place that builds AWS SDK clients. Every client gets the same region, retry mode,
 * user agent and call counter; endpoints follow the SDK's own AWS_ENDPOINT_URL* variables.
 * SDK modules are imported lazily, so an action that fails input validation never loads them.
 */
import type { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { ConfigurationError, SuiteError } from "../../util/errors";

export interface AwsSettings {
  /** AWS region; the SDK's default chain (AWS_REGION) is used when absent. */
  region?: string | undefined;
  retryMode: "standard" | "adaptive";
  maxAttempts: number;
  /** Appended to the SDK user agent, e.g. `zero-downtime-actions/shift-traffic`. */
  userAgent: string;
  /** The signal of each call, read when it is sent: aborting it aborts the call, its retries and their waits. */
  signal?: (() => AbortSignal | undefined) | undefined;
}

/**
 * Time limits of every HTTP request to AWS. An endpoint that accepts a connection and never answers
 * fails the attempt after REQUEST_TIMEOUT_MS (then the SDK retries); one that never accepts fails
 * after CONNECTION_TIMEOUT_MS. The step's signal bounds the whole call, retries included.
 */
export const CONNECTION_TIMEOUT_MS = 3_000;
export const REQUEST_TIMEOUT_MS = 15_000;

/**
 * Retries of every client: adaptive (client-side rate limiting once throttled) with 8 attempts, so a
 * burst over an account's shared API budget (ELB: Describe* 40, refill 10 per second) is waited out
 * with backoff instead of failing the step. AWS_RETRY_MODE=standard and AWS_MAX_ATTEMPTS override.
 */
export const DEFAULT_RETRY = { mode: "adaptive", maxAttempts: 8 } as const;

/** The retry settings from the SDK's own variables, else DEFAULT_RETRY. */
export function retrySettings(env: (name: string) => string | undefined): Pick<AwsSettings, "retryMode" | "maxAttempts"> {
  const attempts = Number(env("AWS_MAX_ATTEMPTS") ?? "");
  return {
    retryMode: env("AWS_RETRY_MODE") === "standard" ? "standard" : DEFAULT_RETRY.mode,
    maxAttempts: Number.isInteger(attempts) && attempts > 0 ? attempts : DEFAULT_RETRY.maxAttempts,
  };
}

/** Counts AWS operations per `Service.Operation`, attempts included, for logs and benchmarks. */
export class CallCounter {
  readonly counts = new Map<string, number>();
  /** When the first and the latest call were sent (epoch ms). */
  first: number | undefined;
  last: number | undefined;
  record(service: string, operation: string, at = Date.now()): void {
    const key = `${service}.${operation}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.first ??= at;
    this.last = at;
  }
  /** One line for the step log: the total, the rate per minute over the step, and the busiest operations. */
  describe(elapsedMs: number): string {
    const total = this.total;
    const perMinute = total / Math.max(1, elapsedMs / 60_000);
    const top = [...this.counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 6);
    return `AWS calls: ${total} in ${Math.round(elapsedMs / 1000)}s (${perMinute.toFixed(1)} per minute, attempts included)${top.length ? `: ${top.map(([k, n]) => `${k.replace(/^ElasticLoadBalancingV2\./, "ELB.")} ${n}`).join(", ")}` : ""}`;
  }
  get total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }
  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}

export interface AwsClients {
  readonly calls: CallCounter;
  elbv2(): Promise<ElasticLoadBalancingV2Client>;
  autoScaling(): Promise<AutoScalingClient>;
  cloudWatch(): Promise<CloudWatchClient>;
  ec2(): Promise<EC2Client>;
}

interface MiddlewareHost {
  middlewareStack: {
    add(
      middleware: (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => Promise<unknown>,
      options: { step: "finalizeRequest"; name: string },
    ): void;
  };
}

function commonConfig(settings: AwsSettings) {
  return {
    ...(settings.region ? { region: settings.region } : {}),
    retryMode: settings.retryMode,
    maxAttempts: settings.maxAttempts,
    customUserAgent: settings.userAgent,
    requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true, socketTimeout: REQUEST_TIMEOUT_MS },
  };
}

interface Sender {
  send(command: unknown, options?: unknown, callback?: unknown): Promise<unknown>;
}

/** Why a call ended early: the reason its signal was aborted with, named as a call that was stopped. */
export class AwsCallAbortedError extends SuiteError {
  static override readonly kind: string = "AwsCallAbortedError";
  override readonly name = "AwsCallAbortedError";
  constructor(service: string, operation: string | undefined, reason: unknown) {
    super(`AWS call ${service}${operation ? `.${operation}` : ""} was stopped: ${reason instanceof Error ? reason.message : String(reason ?? "aborted")}`, { cause: reason });
  }
}

/** The operation of a command, when its class keeps its name (minified bundles rename it). */
function operationOf(command: unknown): string | undefined {
  const name = (command as { constructor?: { name?: string } } | undefined)?.constructor?.name;
  return name && /^[A-Z]\w*Command$/.test(name) ? name.replace(/Command$/, "") : undefined;
}

/** Every `send` gets the current signal (unless it brings its own); an aborted call names its reason. */
function cancellable<T>(client: T, service: string, signal: AwsSettings["signal"]): T {
  if (!signal) return client;
  const sender = client as unknown as Sender;
  const send = sender.send.bind(sender);
  sender.send = (command, options, callback) => {
    if (typeof options === "function" || callback !== undefined) return send(command, options, callback);
    const current = (options as { abortSignal?: AbortSignal } | undefined)?.abortSignal ?? signal();
    if (!current) return send(command, options);
    const operation = operationOf(command);
    if (current.aborted) return Promise.reject(new AwsCallAbortedError(service, operation, current.reason));
    return send(command, { ...(options as object | undefined), abortSignal: current }).catch((error: unknown) => {
      throw current.aborted ? new AwsCallAbortedError(service, operation, current.reason) : error;
    });
  };
  return client;
}

function counted<T>(client: T, service: string, calls: CallCounter): T {
  (client as unknown as MiddlewareHost).middlewareStack.add(
    (next, context) => async (args) => {
      calls.record(service, (context.commandName ?? "Unknown").replace(/Command$/, ""));
      return next(args);
    },
    { step: "finalizeRequest", name: "zdaCallCounter" },
  );
  return client;
}

interface RegionHost {
  config: { region: () => Promise<string> };
}

export const REGION_MISSING =
  "No AWS region: give the aws-region input, or set AWS_REGION (aws-actions/configure-aws-credentials sets it). " +
  "With listener-arn, rule-arn or a target group ARN the region of the ARN is used; environment-tags names none.";

/** With no region given, the SDK looks in its own chain (AWS_REGION, the shared config file); a miss names the input. */
async function regional<T>(client: T, settings: AwsSettings): Promise<T> {
  if (settings.region) return client;
  try {
    await (client as unknown as RegionHost).config.region();
  } catch {
    throw new ConfigurationError(REGION_MISSING);
  }
  return client;
}

function once<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= make());
}

export function createAwsClients(settings: AwsSettings, calls = new CallCounter()): AwsClients {
  const config = commonConfig(settings);
  return {
    calls,
    elbv2: once(async () => {
      const { ElasticLoadBalancingV2Client } = await import("@aws-sdk/client-elastic-load-balancing-v2");
      return cancellable(counted(await regional(new ElasticLoadBalancingV2Client(config), settings), "ElasticLoadBalancingV2", calls), "ElasticLoadBalancingV2", settings.signal);
    }),
    autoScaling: once(async () => {
      const { AutoScalingClient } = await import("@aws-sdk/client-auto-scaling");
      return cancellable(counted(await regional(new AutoScalingClient(config), settings), "AutoScaling", calls), "AutoScaling", settings.signal);
    }),
    cloudWatch: once(async () => {
      const { CloudWatchClient } = await import("@aws-sdk/client-cloudwatch");
      return cancellable(counted(await regional(new CloudWatchClient(config), settings), "CloudWatch", calls), "CloudWatch", settings.signal);
    }),
    ec2: once(async () => {
      const { EC2Client } = await import("@aws-sdk/client-ec2");
      return cancellable(counted(await regional(new EC2Client(config), settings), "EC2", calls), "EC2", settings.signal);
    }),
  };
}
