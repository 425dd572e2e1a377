/** Metric providers and the canary configuration: public API. */
export { DEFAULT_METRICS, loadCanaryConfigFile, parseCanaryConfig, type CanaryConfig, type MetricConfig } from "../adapters/metrics/config";
export { loadBalancerDimension, targetGroupDimension } from "../adapters/metrics/presets";
export type { MetricProvider, ProviderSet, Scope, Target, Window } from "../adapters/metrics/provider";
export { createProviders, type ProviderDeps } from "../adapters/metrics/providers";
