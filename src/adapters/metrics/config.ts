/**
 * The canary configuration: which metrics to judge, from which provider, and how. Written in
 * YAML (inline or a file in the repository), validated by one zod schema; errors name the
 * metric, the field, the bad value and what is valid. Secrets found in the configuration are
 * returned so the caller can mask them.
 */
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import * as z from "../../util/zod";
import { ConfigurationError, errorMessage } from "../../util/errors";
import { untrusted } from "../../util/untrusted";
import { describeIssue, yamlProblem } from "./config-errors";
import { secretsInText } from "./secrets";
import { insecureCredentialsProblem } from "./http";
import { CLOUDWATCH_PRESETS } from "./presets";

const name = z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit"));
const ratioAbove1 = z.number().check(z.gte(1, "must be a ratio >= 1 (1.1 allows +10%)"));
const ratioBelow1 = z.number().check(z.gt(0), z.lte(1, "must be a ratio in (0, 1] (0.9 allows -10%)"));

const effect = z
  .strictObject({
    allowedIncrease: z._default(ratioAbove1, 1.1),
    allowedDecrease: z._default(ratioBelow1, 0.9),
    criticalIncrease: z._default(ratioAbove1, 1.5),
    criticalDecrease: z._default(ratioBelow1, 0.5),
  })
  .check(
    z.refine((e) => e.criticalIncrease >= e.allowedIncrease && e.criticalDecrease <= e.allowedDecrease, {
      message: "critical effects must lie beyond the allowed effects (criticalIncrease >= allowedIncrease, criticalDecrease <= allowedDecrease)",
    }),
  );

/** A number, or a percentage such as "1%" (= 0.01) for rates. */
const limit = z.union([
  z.number(),
  z.pipe(
    z.string().check(z.regex(/^-?\d+(\.\d+)?%$/, 'must be a number or a percentage such as "1%"')),
    z.transform((text: string) => Number(text.slice(0, -1)) / 100),
  ),
]);
const thresholds = z
  .strictObject({ max: z.optional(limit), min: z.optional(limit) })
  .check(z.refine((t) => t.max !== undefined || t.min !== undefined, { message: "give max, min or both" }));

const common = {
  name,
  group: z.optional(z.string().check(z.minLength(1))),
  weight: z._default(z.number().check(z.positive("must be > 0")), 1),
  direction: z._default(z.enum(["increase", "decrease", "either"]), "increase"),
  critical: z._default(z.boolean(), false),
  mustHaveData: z._default(z.boolean(), false),
  /** An error measuring it (its provider failed) leaves it out, named in the reasons, instead of keeping the canary from passing. */
  optional: z._default(z.boolean(), false),
  nanStrategy: z._default(z.enum(["remove", "replace"]), "remove"),
  confidence: z.optional(z.number().check(z.gt(0.5), z.lt(1))),
  effect: z._default(effect, { allowedIncrease: 1.1, allowedDecrease: 0.9, criticalIncrease: 1.5, criticalDecrease: 0.5 }),
  thresholds: z.optional(thresholds),
  compare: z._default(z.boolean(), true),
};

const cloudWatchQuery = z.strictObject({
  namespace: z.string().check(z.minLength(1)),
  metric: z.string().check(z.minLength(1)),
  /** Dimension values may use {{canary}}, {{baseline}}, {{targetGroup}}, {{loadBalancer}}, ... */
  dimensions: z._default(z.record(z.string(), z.string()), {}),
  stat: z.string().check(z.regex(/^(SampleCount|Sum|Average|Minimum|Maximum|IQM|p\d+(\.\d+)?|tm\d+(\.\d+)?|wm\d+(\.\d+)?|tc\d+(\.\d+)?|ts\d+(\.\d+)?|(TM|WM|TC|TS|PR)\(.*\))$/, "must be a CloudWatch statistic such as Sum, Average, p99, tm90")),
  period: z._default(z.number().check(z.int(), z.positive(), z.multipleOf(60, "must be a multiple of 60 seconds")), 60),
  /** Multiplies every value (e.g. 1000 to turn seconds into ms). */
  scale: z._default(z.number().check(z.positive()), 1),
  unit: z.optional(z.string()),
  /** Value for periods without a data point (metrics CloudWatch only reports when non-zero, e.g. counts of 5xx). */
  fill: z.optional(z.number()),
});
export type CloudWatchQuery = z.infer<typeof cloudWatchQuery>;

const cloudwatch = z
  .strictObject({
    ...common,
    provider: z.literal("cloudwatch"),
    preset: z.optional(z.enum(Object.keys(CLOUDWATCH_PRESETS) as [string, ...string[]])),
    query: z.optional(cloudWatchQuery),
    events: z.optional(cloudWatchQuery),
    total: z.optional(cloudWatchQuery),
  })
  .check(
    z.refine((m) => [m.preset, m.query, m.events ?? m.total].filter((x) => x !== undefined).length === 1 && (m.events === undefined) === (m.total === undefined), {
      message: "give exactly one of preset, query, or events + total",
    }),
  );

const alarms = z.strictObject({
  ...common,
  provider: z.literal("cloudwatch-alarms"),
  alarms: z.array(z.string().check(z.minLength(1))).check(z.minLength(1), z.maxLength(100)),
});

/** A text query (PromQL, Datadog, NRQL) for samples, or a pair of them for counts. */
const textQueries = {
  query: z.optional(z.string().check(z.minLength(1))),
  baselineQuery: z.optional(z.string().check(z.minLength(1))),
  canaryQuery: z.optional(z.string().check(z.minLength(1))),
  events: z.optional(z.string().check(z.minLength(1))),
  total: z.optional(z.string().check(z.minLength(1))),
};
const oneTextQuery = (m: { query?: string | undefined; baselineQuery?: string | undefined; canaryQuery?: string | undefined; events?: string | undefined; total?: string | undefined }) => {
  const pair = m.baselineQuery !== undefined && m.canaryQuery !== undefined;
  const counts = m.events !== undefined && m.total !== undefined;
  const kinds = [m.query !== undefined, pair, counts].filter(Boolean).length;
  const stray = (m.baselineQuery !== undefined) !== (m.canaryQuery !== undefined) || (m.events !== undefined) !== (m.total !== undefined);
  return kinds === 1 && !stray;
};
const textQueryMessage = { message: "give exactly one of query, baselineQuery + canaryQuery, or events + total" };

const prometheus = z
  .strictObject({ ...common, ...textQueries, provider: z.literal("prometheus"), step: z._default(z.number().check(z.int(), z.positive()), 60), unit: z.optional(z.string()) })
  .check(z.refine(oneTextQuery, textQueryMessage));
const datadog = z.strictObject({ ...common, ...textQueries, provider: z.literal("datadog"), unit: z.optional(z.string()) }).check(z.refine(oneTextQuery, textQueryMessage));
const newrelic = z
  .strictObject({ ...common, ...textQueries, provider: z.literal("newrelic"), field: z.optional(z.string().check(z.minLength(1))), unit: z.optional(z.string()) })
  .check(z.refine(oneTextQuery, textQueryMessage));

/** A metric without a provider is a CloudWatch one. (zod/mini has no `z.preprocess`; this pipe is what it builds.) */
const metric = z.pipe(
  z.transform((raw: unknown): unknown => (raw && typeof raw === "object" && !Array.isArray(raw) && !("provider" in raw) ? { ...raw, provider: "cloudwatch" } : raw)),
  z.discriminatedUnion("provider", [cloudwatch, alarms, prometheus, datadog, newrelic]),
);
export type MetricConfig = z.infer<typeof metric>;

const timeout = z._default(z.number().check(z.positive(), z.lte(300)), 10);

/** A provider's URL: http(s), without a user name or password in it (they would be logged; the credential fields are masked). */
const providerUrl = () =>
  z.url({ protocol: /^https?$/ }).check(
    z.refine((u: string) => !/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(u), {
      message: "must not carry credentials (a user name or password before @); give them in the provider's credential fields (bearerToken, username + password, apiKey), which are masked",
    }),
  );
const providers = z._default(
  z.strictObject({
    prometheus: z.optional(
      z
        .strictObject({
          url: providerUrl(),
          bearerToken: z.optional(z.string().check(z.minLength(1))),
          username: z.optional(z.string().check(z.minLength(1))),
          password: z.optional(z.string().check(z.minLength(1))),
          timeoutSeconds: timeout,
        })
        .check(
          z.refine((p) => !(p.bearerToken && p.username), { message: "give bearerToken or username + password, not both" }),
          z.refine((p) => (p.username === undefined) === (p.password === undefined), { message: "basic auth needs both username and password" }),
        ),
    ),
    datadog: z.optional(
      z.strictObject({ url: z._default(providerUrl(), "https://api.datadoghq.com"), apiKey: z.string().check(z.minLength(1)), applicationKey: z.string().check(z.minLength(1)), timeoutSeconds: timeout }),
    ),
    newrelic: z.optional(
      z.strictObject({ url: z._default(providerUrl(), "https://api.newrelic.com/graphql"), apiKey: z.string().check(z.minLength(1)), accountId: z.number().check(z.int(), z.positive()), timeoutSeconds: timeout }),
    ),
  }),
  {},
);
export type ProvidersConfig = z.infer<typeof providers>;

const canaryConfigSchema = z.strictObject({
  /** Confidence over the whole analysis plan (all looks), Kayenta's default 0.98. */
  confidence: z._default(z.number().check(z.gt(0.5), z.lt(1)), 0.98),
  passScore: z._default(z.number().check(z.gte(0), z.lte(100)), 75),
  marginalScore: z._default(z.number().check(z.gte(0), z.lte(100)), 50),
  /** Minimum requests per side before a verdict other than inconclusive (0 = off). */
  minRequests: z._default(z.number().check(z.int(), z.gte(0)), 500),
  /** Largest fraction of metrics without a result (no data or error) before inconclusive. */
  maxNoDataFraction: z._default(z.number().check(z.gte(0), z.lte(1)), 0.5),
  /** The counts metric whose trials are the requests per side (default: the first counts metric). */
  requestsMetric: z.optional(name),
  /** How alpha is spent over repeated looks. */
  spending: z._default(z.enum(["obrien-fleming", "pocock"]), "obrien-fleming"),
  /** Split each look's alpha over the compared metrics (Bonferroni) so the canary's false-fail rate, not each metric's, is bounded. */
  familywise: z._default(z.boolean(), true),
  /** During shift-traffic's bakes, watch the counts metrics at every tick with an always-valid sequential test. */
  monitor: z._default(z.boolean(), true),
  providers,
  metrics: z._default(z.array(metric), []),
});

export type CanaryConfigInput = z.input<typeof canaryConfigSchema>;
export type CanaryConfig = z.infer<typeof canaryConfigSchema> & {
  /** Secret values found in the configuration (tokens, keys, passwords), to mask in logs. */
  secrets: string[];
  /** Where the configuration came from, for messages. */
  source: string;
};

/** The metrics used when none are configured: CloudWatch error rate (critical), p99 and p50 latency. */
export const DEFAULT_METRICS: CanaryConfigInput["metrics"] = [
  { name: "error-rate", preset: "error-rate", critical: true, mustHaveData: true, group: "errors" },
  { name: "latency-p99", preset: "latency-p99", group: "latency" },
  { name: "latency-p50", preset: "latency-p50", group: "latency" },
];

function collectSecrets(config: z.infer<typeof canaryConfigSchema>): string[] {
  const p = config.providers;
  return [p.prometheus?.bearerToken, p.prometheus?.password, p.datadog?.apiKey, p.datadog?.applicationKey, p.newrelic?.apiKey].filter((s): s is string => !!s);
}

function check(config: z.infer<typeof canaryConfigSchema>, source: string): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const m of config.metrics) {
    if (seen.has(m.name)) problems.push(`metric "${m.name}": the name is used twice; names must be unique`);
    seen.add(m.name);
    if ((m.provider === "prometheus" || m.provider === "datadog" || m.provider === "newrelic") && !config.providers[m.provider]) {
      problems.push(`metric "${m.name}": provider ${m.provider} is not configured; add providers.${m.provider} with its url and credentials`);
    }
    if (!m.compare && !m.thresholds && m.provider !== "cloudwatch-alarms") problems.push(`metric "${m.name}": compare is false and there are no thresholds, so nothing would be judged`);
  }
  const p = config.providers;
  for (const [provider, url, credentials] of [
    ["prometheus", p.prometheus?.url, !!(p.prometheus?.bearerToken || p.prometheus?.username)],
    ["datadog", p.datadog?.url, true],
    ["newrelic", p.newrelic?.url, true],
  ] as const) {
    const problem = url && credentials ? insecureCredentialsProblem(url) : undefined;
    if (problem) problems.push(`providers.${provider}.url ${problem}`);
  }
  if (config.marginalScore > config.passScore) problems.push(`marginalScore ${config.marginalScore} must not exceed passScore ${config.passScore}`);
  if (config.requestsMetric && !seen.has(config.requestsMetric)) problems.push(`requestsMetric "${config.requestsMetric}" is not one of the metrics (${[...seen].join(", ")})`);
  if (problems.length > 0) throw new ConfigurationError(`Invalid canary configuration in ${source}:\n- ${problems.join("\n- ")}`);
}

/**
 * Parses and validates YAML (or JSON) text. Throws ConfigurationError naming what to fix. Secrets
 * found in the raw text are given to `mask` before anything is parsed, so no error can print them.
 */
export function parseCanaryConfig(text: string, source: string, mask: (secret: string) => void = () => {}): CanaryConfig {
  const rawSecrets = secretsInText(text);
  for (const secret of rawSecrets) mask(secret);
  let raw: unknown;
  try {
    // logLevel "error": YAML warnings, which quote the source too, are not printed.
    raw = text.trim() === "" ? {} : parseYaml(text, { logLevel: "error" });
  } catch (error) {
    throw new ConfigurationError(`Invalid canary configuration in ${source}: not valid YAML: ${yamlProblem(error)}`);
  }
  if (raw === null || raw === undefined) raw = {};
  if (Array.isArray(raw)) raw = { metrics: raw };
  const result = canaryConfigSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => describeIssue(raw, issue));
    throw new ConfigurationError(`Invalid canary configuration in ${source}:\n- ${lines.join("\n- ")}`);
  }
  const config = result.data;
  if (config.metrics.length === 0) config.metrics = canaryConfigSchema.shape.metrics.parse(DEFAULT_METRICS);
  check(config, source);
  const secrets = [...new Set([...collectSecrets(config), ...rawSecrets])];
  for (const secret of secrets) if (!rawSecrets.includes(secret)) mask(secret);
  return { ...config, secrets, source };
}

/** Reads a configuration file (a path in the repository). */
export async function loadCanaryConfigFile(path: string, read: (path: string) => Promise<string> = (p) => readFile(p, "utf8"), mask?: (secret: string) => void): Promise<CanaryConfig> {
  let text: string;
  try {
    text = await read(path);
  } catch (error) {
    throw new ConfigurationError(`Cannot read the canary configuration file ${untrusted(path, 200)}: ${errorMessage(error)}`);
  }
  return parseCanaryConfig(text, untrusted(path, 200), mask);
}
