/** Injected AWS API faults, per operation or for every operation ("*"), decided by a seeded generator. */
import { z } from "zod";
import type { Random } from "../world/random";

const rate = z.number().min(0).max(1);

export const faultSpecSchema = z
  .object({
    /** Operation name (e.g. "ModifyListener") or "*" for every operation. */
    operation: z.string().min(1).default("*"),
    /** Only calls to this service (ElasticLoadBalancingV2, AutoScaling, EC2, CloudWatch); all when absent. */
    service: z.enum(["ElasticLoadBalancingV2", "AutoScaling", "EC2", "CloudWatch"]).optional(),
    /** Fraction of calls answered 400 Throttling "Rate exceeded". */
    throttlingRate: rate.default(0),
    /** The next N matching calls are throttled, whatever the rate. */
    throttlingCount: z.number().int().min(0).default(0),
    /** Fraction of calls answered 503 ServiceUnavailable or 500 InternalFailure. */
    serverErrorRate: rate.default(0),
    /** The next N matching calls get a 5xx, whatever the rate. */
    serverErrorCount: z.number().int().min(0).default(0),
    /** Fraction of calls whose connection is reset without an answer. */
    connectionResetRate: rate.default(0),
    /** Real milliseconds added to every matching call. */
    latencyMs: z.number().min(0).max(60000).default(0),
    /** Fraction of calls that get a latency spike on top. */
    latencySpikeRate: rate.default(0),
    /** Length of a spike in real milliseconds. */
    latencySpikeMs: z.number().min(0).max(120000).default(2000),
  })
  .strict();

export type FaultSpecInput = z.input<typeof faultSpecSchema>;
export type FaultSpec = z.output<typeof faultSpecSchema>;

export type FaultDecision =
  | { kind: "none"; delayMs: number; spiked: boolean }
  | { kind: "throttle"; delayMs: number; spiked: boolean }
  | { kind: "server-error"; status: 500 | 503; delayMs: number; spiked: boolean }
  | { kind: "connection-reset"; delayMs: number; spiked: boolean };

export class FaultInjector {
  private specs: FaultSpec[] = [];

  constructor(private readonly random: Random) {}

  add(input: FaultSpecInput): FaultSpec {
    const result = faultSpecSchema.safeParse(input);
    if (!result.success) {
      throw new Error(`invalid fault: ${result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
    }
    this.specs = this.specs.filter((s) => !(s.operation === result.data.operation && s.service === result.data.service));
    this.specs.push(result.data);
    return result.data;
  }

  clear(): void {
    this.specs = [];
  }

  list(): FaultSpec[] {
    return this.specs.map((s) => ({ ...s }));
  }

  decide(service: string, operation: string): FaultDecision {
    const matching = this.specs.filter((s) => (s.operation === "*" || s.operation === operation) && (s.service === undefined || s.service === service));
    let delayMs = 0;
    let spiked = false;
    let kind: FaultDecision["kind"] = "none";
    for (const spec of matching) {
      delayMs += spec.latencyMs;
      if (spec.latencySpikeRate > 0 && this.random() < spec.latencySpikeRate) {
        delayMs += spec.latencySpikeMs;
        spiked = true;
      }
      if (kind !== "none") continue;
      if (spec.throttlingCount > 0) {
        spec.throttlingCount--;
        kind = "throttle";
      } else if (spec.serverErrorCount > 0) {
        spec.serverErrorCount--;
        kind = "server-error";
      } else if (spec.throttlingRate > 0 && this.random() < spec.throttlingRate) kind = "throttle";
      else if (spec.serverErrorRate > 0 && this.random() < spec.serverErrorRate) kind = "server-error";
      else if (spec.connectionResetRate > 0 && this.random() < spec.connectionResetRate) kind = "connection-reset";
    }
    if (kind === "server-error") return { kind, status: this.random() < 0.5 ? 503 : 500, delayMs, spiked };
    return { kind, delayMs, spiked };
  }
}
