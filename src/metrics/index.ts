/** Metric providers and the canary configuration: public API. */
export { DEFAULT_METRICS, loadCanaryConfigFile, parseCanaryConfig, type CanaryConfig, type MetricConfig } from "./config";
export { loadBalancerDimension, targetGroupDimension } from "./presets";
export type { MetricProvider, ProviderSet, Scope, Target, Window } from "./provider";
export { createProviders, type ProviderDeps } from "./providers";
