/** One interface for every metrics source. Providers return error measurements; they never throw. */
import type { Measurement } from "../../ports/metrics";
import { errorMessage } from "../../util/errors";
import { untrusted } from "../../util/untrusted";
import type { MetricConfig } from "./config";

export interface Target {
  targetGroupArn: string;
  loadBalancerArn: string;
  version?: string | undefined;
}

export interface Window {
  start: Date;
  end: Date;
}

/** What is being compared, and over which window. */
export interface Scope {
  baseline: Target;
  canary: Target;
  window: Window;
}

export interface MetricProvider {
  measure(metric: MetricConfig, scope: Scope): Promise<Measurement>;
}

export type ProviderName = MetricConfig["provider"];
export type ProviderSet = Partial<Record<ProviderName, MetricProvider>>;

/**
 * What a provider said, made safe to print: an error's message (which carries the provider's own
 * words, an HTTP body or an `error` field) and alarms' StateReason go through `untrusted()`.
 */
export function sanitised(m: Measurement): Measurement {
  if (m.kind === "error") return { kind: "error", message: untrusted(m.message) };
  if (m.kind === "alarms") return { ...m, alarms: m.alarms.map((a) => ({ ...a, name: untrusted(a.name, 255), reason: untrusted(a.reason, 500) })) };
  return m;
}

/** Runs a measurement and turns any throw into an error measurement with context; what comes back is sanitised. */
export async function guarded(label: string, run: () => Promise<Measurement>): Promise<Measurement> {
  try {
    return sanitised(await run());
  } catch (error) {
    return { kind: "error", message: untrusted(`${label}: ${errorMessage(error)}`) };
  }
}
