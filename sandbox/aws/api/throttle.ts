/**
 * API throttling as AWS applies it: a token bucket per account (this sandbox) and API class. ELB:
 * "the token bucket size for non-mutating API actions is 40 tokens … refill rate of 10 tokens per
 * second", mutating actions have smaller buckets ("Request throttling for the ELB API"); a throttled
 * call is answered `ThrottlingException` / "Rate exceeded". The other classes' figures are the nearest
 * documented or commonly reported ones (see the config's defaults and docs/FIDELITY.md). Buckets run on
 * wall-clock time, not the time scale: the actions that call them keep real time.
 */
import type { ResolvedConfig } from "../config";
import { AwsError } from "./errors";

export interface BucketSpec {
  burst: number;
  perSecond: number;
}

class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly spec: BucketSpec,
    now: number,
  ) {
    this.tokens = spec.burst;
    this.last = now;
  }

  take(now: number): boolean {
    this.tokens = Math.min(this.spec.burst, this.tokens + ((now - this.last) / 1000) * this.spec.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

type Throttling = ResolvedConfig["apiThrottling"];

/** The bucket a call draws from: `Describe*`/`List*`/`Get*` are non-mutating; CloudWatch's data and alarm reads have their own. */
export function apiClass(service: string, operation: string): keyof Omit<Throttling, "enabled"> | undefined {
  const reads = /^(Describe|List|Get)/.test(operation);
  switch (service) {
    case "ElasticLoadBalancingV2":
      return reads ? "elbDescribe" : "elbMutating";
    case "AutoScaling":
      return reads ? "autoScalingDescribe" : "autoScalingMutating";
    case "EC2":
      return reads ? "ec2Describe" : "ec2Mutating";
    case "CloudWatch":
      return operation === "GetMetricData" ? "cloudWatchGetMetricData" : operation === "DescribeAlarms" ? "cloudWatchDescribeAlarms" : "cloudWatchOther";
    default:
      return undefined;
  }
}

/** The throttling error in each service's own words (the wire form comes from the protocol). */
export function throttlingError(service: string): AwsError {
  if (service === "EC2") return new AwsError("RequestLimitExceeded", "Request limit exceeded.", 503);
  // ELB's guide names ThrottlingException; Auto Scaling and CloudWatch answer Throttling (both retried by the SDK).
  return new AwsError(service === "ElasticLoadBalancingV2" ? "ThrottlingException" : "Throttling", "Rate exceeded", 400);
}

export class ApiThrottle {
  private readonly buckets = new Map<string, TokenBucket>();
  private throttledCount = 0;

  constructor(
    private readonly config: Throttling,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.config.enabled;
  }

  /** Calls answered with a throttling error so far. */
  get throttled(): number {
    return this.throttledCount;
  }

  /** Takes a token for the call; the error to answer with when the bucket is empty. */
  admit(service: string, operation: string): AwsError | undefined {
    if (!this.config.enabled) return undefined;
    const cls = apiClass(service, operation);
    if (!cls) return undefined;
    let bucket = this.buckets.get(cls);
    if (!bucket) this.buckets.set(cls, (bucket = new TokenBucket(this.config[cls], this.now())));
    if (bucket.take(this.now())) return undefined;
    this.throttledCount++;
    return throttlingError(service);
  }
}
