/**
 * The one place that builds AWS SDK clients. Every client gets the same region, retry mode,
 * user agent and call counter; endpoints follow the SDK's own AWS_ENDPOINT_URL* variables.
 * SDK modules are imported lazily, so an action that fails input validation never loads them.
 */
import type { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { ConfigurationError } from "../util/errors";

export interface AwsSettings {
  /** AWS region; the SDK's default chain (AWS_REGION) is used when absent. */
  region?: string | undefined;
  retryMode: "standard" | "adaptive";
  maxAttempts: number;
  /** Appended to the SDK user agent, e.g. `zero-downtime-actions/shift-traffic`. */
  userAgent: string;
}

/** Counts AWS operations per `Service.Operation`, attempts included, for logs and benchmarks. */
export class CallCounter {
  readonly counts = new Map<string, number>();
  record(service: string, operation: string): void {
    const key = `${service}.${operation}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
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
  };
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
      return counted(await regional(new ElasticLoadBalancingV2Client(config), settings), "ElasticLoadBalancingV2", calls);
    }),
    autoScaling: once(async () => {
      const { AutoScalingClient } = await import("@aws-sdk/client-auto-scaling");
      return counted(await regional(new AutoScalingClient(config), settings), "AutoScaling", calls);
    }),
    cloudWatch: once(async () => {
      const { CloudWatchClient } = await import("@aws-sdk/client-cloudwatch");
      return counted(await regional(new CloudWatchClient(config), settings), "CloudWatch", calls);
    }),
    ec2: once(async () => {
      const { EC2Client } = await import("@aws-sdk/client-ec2");
      return counted(await regional(new EC2Client(config), settings), "EC2", calls);
    }),
  };
}
