/**
 * The canary configuration: which metrics to judge, from which provider, and how. Written in
 * YAML (inline or a file in the repository), validated by one zod schema; errors name the
 * metric, the field, the bad value and what is valid. Secrets found in the configuration are
 * returned so the caller can mask them.
 */
import { readFile } from "node:fs/promises";
import { parse as parseYaml, YAMLParseError } from "yaml";
import * as z from "zod";
import { ConfigurationError } from "../util/errors";
import { CLOUDWATCH_PRESETS } from "./presets";

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit");
const ratioAbove1 = z.number().min(1, "must be a ratio >= 1 (1.1 allows +10%)");
const ratioBelow1 = z.number().gt(0).max(1, "must be a ratio in (0, 1] (0.9 allows -10%)");

const effect = z
  .strictObject({
    allowedIncrease: ratioAbove1.default(1.1),
    allowedDecrease: ratioBelow1.default(0.9),
    criticalIncrease: ratioAbove1.default(1.5),
    criticalDecrease: ratioBelow1.default(0.5),
  })
  .refine((e) => e.criticalIncrease >= e.allowedIncrease && e.criticalDecrease <= e.allowedDecrease, {
    message: "critical effects must lie beyond the allowed effects (criticalIncrease >= allowedIncrease, criticalDecrease <= allowedDecrease)",
  });

/** A number, or a percentage such as "1%" (= 0.01) for rates. */
const limit = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+(\.\d+)?%$/, 'must be a number or a percentage such as "1%"')
    .transform((text) => Number(text.slice(0, -1)) / 100),
]);
const thresholds = z
  .strictObject({ max: limit.optional(), min: limit.optional() })
  .refine((t) => t.max !== undefined || t.min !== undefined, { message: "give max, min or both" });

const common = {
  name,
  group: z.string().min(1).optional(),
  weight: z.number().positive("must be > 0").default(1),
  direction: z.enum(["increase", "decrease", "either"]).default("increase"),
  critical: z.boolean().default(false),
  mustHaveData: z.boolean().default(false),
  nanStrategy: z.enum(["remove", "replace"]).default("remove"),
  confidence: z.number().gt(0.5).lt(1).optional(),
  effect: effect.default({ allowedIncrease: 1.1, allowedDecrease: 0.9, criticalIncrease: 1.5, criticalDecrease: 0.5 }),
  thresholds: thresholds.optional(),
  compare: z.boolean().default(true),
};

const cloudWatchQuery = z.strictObject({
  namespace: z.string().min(1),
  metric: z.string().min(1),
  /** Dimension values may use {{canary}}, {{baseline}}, {{targetGroup}}, {{loadBalancer}}, ... */
  dimensions: z.record(z.string(), z.string()).default({}),
  stat: z.string().regex(/^(SampleCount|Sum|Average|Minimum|Maximum|IQM|p\d+(\.\d+)?|tm\d+(\.\d+)?|wm\d+(\.\d+)?|tc\d+(\.\d+)?|ts\d+(\.\d+)?|(TM|WM|TC|TS|PR)\(.*\))$/, "must be a CloudWatch statistic such as Sum, Average, p99, tm90"),
  period: z.number().int().positive().multipleOf(60, "must be a multiple of 60 seconds").default(60),
  /** Multiplies every value (e.g. 1000 to turn seconds into ms). */
  scale: z.number().positive().default(1),
  unit: z.string().optional(),
  /** Value for periods without a data point (metrics CloudWatch only reports when non-zero, e.g. counts of 5xx). */
  fill: z.number().optional(),
});
export type CloudWatchQuery = z.infer<typeof cloudWatchQuery>;

const cloudwatch = z
  .strictObject({
    ...common,
    provider: z.literal("cloudwatch"),
    preset: z.enum(Object.keys(CLOUDWATCH_PRESETS) as [string, ...string[]]).optional(),
    query: cloudWatchQuery.optional(),
    events: cloudWatchQuery.optional(),
    total: cloudWatchQuery.optional(),
  })
  .refine((m) => [m.preset, m.query, m.events ?? m.total].filter((x) => x !== undefined).length === 1 && (m.events === undefined) === (m.total === undefined), {
    message: "give exactly one of preset, query, or events + total",
  });

const alarms = z.strictObject({
  ...common,
  provider: z.literal("cloudwatch-alarms"),
  alarms: z.array(z.string().min(1)).min(1).max(100),
});

/** A text query (PromQL, Datadog, NRQL) for samples, or a pair of them for counts. */
const textQueries = {
  query: z.string().min(1).optional(),
  baselineQuery: z.string().min(1).optional(),
  canaryQuery: z.string().min(1).optional(),
  events: z.string().min(1).optional(),
  total: z.string().min(1).optional(),
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
  .strictObject({ ...common, ...textQueries, provider: z.literal("prometheus"), step: z.number().int().positive().default(60), unit: z.string().optional() })
  .refine(oneTextQuery, textQueryMessage);
const datadog = z.strictObject({ ...common, ...textQueries, provider: z.literal("datadog"), unit: z.string().optional() }).refine(oneTextQuery, textQueryMessage);
const newrelic = z
  .strictObject({ ...common, ...textQueries, provider: z.literal("newrelic"), field: z.string().min(1).optional(), unit: z.string().optional() })
  .refine(oneTextQuery, textQueryMessage);

const metric = z.preprocess(
  (raw) => (raw && typeof raw === "object" && !Array.isArray(raw) && !("provider" in raw) ? { ...raw, provider: "cloudwatch" } : raw),
  z.discriminatedUnion("provider", [cloudwatch, alarms, prometheus, datadog, newrelic]),
);
export type MetricConfig = z.infer<typeof metric>;

const timeout = z.number().positive().max(300).default(10);
const providers = z
  .strictObject({
    prometheus: z
      .strictObject({
        url: z.url({ protocol: /^https?$/ }),
        bearerToken: z.string().min(1).optional(),
        username: z.string().min(1).optional(),
        password: z.string().min(1).optional(),
        timeoutSeconds: timeout,
      })
      .refine((p) => !(p.bearerToken && p.username), { message: "give bearerToken or username + password, not both" })
      .refine((p) => (p.username === undefined) === (p.password === undefined), { message: "basic auth needs both username and password" })
      .optional(),
    datadog: z
      .strictObject({ url: z.url({ protocol: /^https?$/ }).default("https://api.datadoghq.com"), apiKey: z.string().min(1), applicationKey: z.string().min(1), timeoutSeconds: timeout })
      .optional(),
    newrelic: z
      .strictObject({ url: z.url({ protocol: /^https?$/ }).default("https://api.newrelic.com/graphql"), apiKey: z.string().min(1), accountId: z.number().int().positive(), timeoutSeconds: timeout })
      .optional(),
  })
  .default({});
export type ProvidersConfig = z.infer<typeof providers>;

const canaryConfigSchema = z.strictObject({
  /** Confidence over the whole analysis plan (all looks), Kayenta's default 0.98. */
  confidence: z.number().gt(0.5).lt(1).default(0.98),
  passScore: z.number().min(0).max(100).default(75),
  marginalScore: z.number().min(0).max(100).default(50),
  /** Minimum requests per side before a verdict other than inconclusive (0 = off). */
  minRequests: z.number().int().min(0).default(500),
  /** Largest fraction of metrics without a result (no data or error) before inconclusive. */
  maxNoDataFraction: z.number().min(0).max(1).default(0.5),
  /** The counts metric whose trials are the requests per side (default: the first counts metric). */
  requestsMetric: name.optional(),
  /** How alpha is spent over repeated looks. */
  spending: z.enum(["obrien-fleming", "pocock"]).default("obrien-fleming"),
  /** Split each look's alpha over the compared metrics (Bonferroni) so the canary's false-fail rate, not each metric's, is bounded. */
  familywise: z.boolean().default(true),
  providers,
  metrics: z.array(metric).default([]),
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

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let v: unknown = root;
  for (const key of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function describeIssue(root: unknown, issue: z.core.$ZodIssue): string {
  const path = issue.path;
  let where = path.length === 0 ? "configuration" : path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
  if (path[0] === "metrics" && typeof path[1] === "number") {
    const metricName = valueAt(root, ["metrics", path[1], "name"]);
    const rest = path.slice(2).map(String).join(".");
    where = `metric ${typeof metricName === "string" ? `"${metricName}"` : `#${path[1] + 1}`}${rest ? `, field ${rest}` : ""}`;
  }
  if (issue.code === "unrecognized_keys") return `${where}: unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")} (check the spelling)`;
  const got = valueAt(root, path);
  const shown = got === undefined ? "missing" : JSON.stringify(got)?.slice(0, 80);
  const secretField = /token|key|password/i.test(String(path[path.length - 1] ?? ""));
  const wholeMetric = path.length === 2 && path[0] === "metrics";
  return `${where}: ${issue.message}${secretField || wholeMetric ? "" : ` (got ${shown})`}`;
}

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
  if (config.marginalScore > config.passScore) problems.push(`marginalScore ${config.marginalScore} must not exceed passScore ${config.passScore}`);
  if (config.requestsMetric && !seen.has(config.requestsMetric)) problems.push(`requestsMetric "${config.requestsMetric}" is not one of the metrics (${[...seen].join(", ")})`);
  if (problems.length > 0) throw new ConfigurationError(`Invalid canary configuration in ${source}:\n- ${problems.join("\n- ")}`);
}

/** Parses and validates YAML (or JSON) text. Throws ConfigurationError naming what to fix. */
export function parseCanaryConfig(text: string, source: string): CanaryConfig {
  let raw: unknown;
  try {
    raw = text.trim() === "" ? {} : parseYaml(text);
  } catch (error) {
    const detail = error instanceof YAMLParseError ? error.message : String(error);
    throw new ConfigurationError(`Invalid canary configuration in ${source}: not valid YAML: ${detail}`);
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
  return { ...config, secrets: collectSecrets(config), source };
}

/** Reads a configuration file (a path in the repository). */
export async function loadCanaryConfigFile(path: string, read: (path: string) => Promise<string> = (p) => readFile(p, "utf8")): Promise<CanaryConfig> {
  let text: string;
  try {
    text = await read(path);
  } catch (error) {
    throw new ConfigurationError(`Cannot read the canary configuration file ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseCanaryConfig(text, path);
}
