/** Builds the provider set. AWS clients are created lazily, on the first CloudWatch measurement. */
import type { AwsClients } from "../aws/clients";
import { createAlarmsProvider, createCloudWatchProvider } from "./cloudwatch";
import { createAlarmReader } from "../aws/alarms";
import { createMetricDataReader } from "../aws/metric-data";
import type { ProvidersConfig } from "./config";
import { createDatadogProvider } from "./datadog";
import { type Fetch, providerFetch } from "./http";
import { createNewRelicProvider } from "./newrelic";
import { createPrometheusProvider } from "./prometheus";
import type { ProviderSet } from "./provider";

export interface ProviderDeps {
  clients: AwsClients;
  /** HTTP settings of Prometheus, Datadog and New Relic: `config.providers`. */
  settings?: ProvidersConfig | undefined;
  fetch?: Fetch | undefined;
  /** Cancels provider requests in flight (the step is cancelled). */
  signal?: AbortSignal | undefined;
}

export function createProviders(deps: ProviderDeps): ProviderSet {
  const fetchImpl = deps.fetch ?? providerFetch;
  const s = deps.settings ?? {};
  return {
    cloudwatch: createCloudWatchProvider(createMetricDataReader(deps.clients)),
    "cloudwatch-alarms": createAlarmsProvider(createAlarmReader(deps.clients)),
    ...(s.prometheus ? { prometheus: createPrometheusProvider(s.prometheus, fetchImpl, deps.signal) } : {}),
    ...(s.datadog ? { datadog: createDatadogProvider(s.datadog, fetchImpl, deps.signal) } : {}),
    ...(s.newrelic ? { newrelic: createNewRelicProvider(s.newrelic, fetchImpl, deps.signal) } : {}),
  };
}
