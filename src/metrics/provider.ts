/** One interface for every metrics source. Providers return error measurements; they never throw. */
import type { Measurement } from "../judge/types";
import { errorMessage } from "../util/errors";
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

/** Runs a measurement and turns any throw into an error measurement with context. */
export async function guarded(label: string, run: () => Promise<Measurement>): Promise<Measurement> {
  try {
    return await run();
  } catch (error) {
    return { kind: "error", message: `${label}: ${errorMessage(error)}` };
  }
}
