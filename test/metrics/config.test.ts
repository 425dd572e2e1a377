import { describe, expect, it } from "vitest";
import { loadCanaryConfigFile, parseCanaryConfig } from "../../src/metrics/config";
import { ConfigurationError } from "../../src/util/errors";

function error(text: string): string {
  try {
    parseCanaryConfig(text, "inline metrics");
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigurationError);
    return (e as Error).message;
  }
  throw new Error("expected a ConfigurationError");
}

describe("parseCanaryConfig", () => {
  it("uses the default CloudWatch metrics when none are configured", () => {
    const c = parseCanaryConfig("", "inline metrics");
    expect(c.metrics.map((m) => [m.name, m.provider, m.critical])).toEqual([
      ["error-rate", "cloudwatch", true],
      ["latency-p99", "cloudwatch", false],
      ["latency-p50", "cloudwatch", false],
    ]);
    expect(c).toMatchObject({ confidence: 0.98, passScore: 75, marginalScore: 50, minRequests: 500, spending: "obrien-fleming", secrets: [] });
  });

  it("fills defaults and accepts every provider", () => {
    const c = parseCanaryConfig(
      `
providers:
  prometheus: { url: "http://127.0.0.1:9090", bearerToken: tok-123 }
  datadog: { apiKey: dd-api, applicationKey: dd-app }
  newrelic: { apiKey: nr-key, accountId: 42 }
metrics:
  - { name: errors, preset: error-rate, critical: true, thresholds: { max: 0.01 } }
  - { name: custom, query: { namespace: My/App, metric: Latency, dimensions: { Fleet: "{{targetGroupName}}" }, stat: p99 } }
  - { name: alarms, provider: cloudwatch-alarms, alarms: [web-5xx] }
  - { name: prom, provider: prometheus, query: 'histogram_quantile(0.99, rate(x{v="{{version}}"}[1m]))' }
  - { name: dd, provider: datadog, events: 'sum:errors{v:{{version}}}.as_count()', total: 'sum:hits{v:{{version}}}.as_count()' }
  - { name: nr, provider: newrelic, query: 'SELECT average(duration) FROM Transaction TIMESERIES 1 minute', direction: either, weight: 2 }
`,
      "inline metrics",
    );
    expect(c.metrics).toHaveLength(6);
    expect(c.metrics[1]).toMatchObject({ provider: "cloudwatch", query: { period: 60, scale: 1, stat: "p99" }, direction: "increase", nanStrategy: "remove" });
    expect(c.providers.datadog?.url).toBe("https://api.datadoghq.com");
    expect(c.providers.newrelic?.url).toBe("https://api.newrelic.com/graphql");
    expect(c.secrets.sort()).toEqual(["dd-api", "dd-app", "nr-key", "tok-123"]);
  });

  it("names the metric, the field, the bad value and what is valid", () => {
    expect(error("metrics:\n  - name: p99\n    preset: latency-p99\n    direction: up\n")).toContain(
      'metric "p99", field direction: Invalid option: expected one of "increase"|"decrease"|"either" (got "up")',
    );
    expect(error("metrics:\n  - name: p99\n    preset: latency-p98\n")).toMatch(/metric "p99", field preset: .*"latency-p99".*\(got "latency-p98"\)/);
    expect(error("metrics:\n  - name: x\n    query: { namespace: A, metric: B, stat: p99, period: 30 }\n")).toContain(
      'metric "x", field query.period: must be a multiple of 60 seconds (got 30)',
    );
    expect(error("metrics: [ { name: y, preset: error-rate, bogus: 1 } ]")).toContain('metric "y": unknown field bogus');
    expect(error("metrics: [ { name: y, provider: graphite, query: x } ]")).toMatch(/metric "y", field provider: .*'prometheus'.*\(got "graphite"\)/);
    expect(error("confidence: 2")).toContain("confidence: Too big");
  });

  it("checks the configuration as a whole", () => {
    expect(error("metrics: [ {name: a, preset: error-rate}, {name: a, preset: latency-p99} ]")).toContain('metric "a": the name is used twice');
    expect(error("metrics: [ { name: x, provider: prometheus, query: up } ]")).toContain('metric "x": provider prometheus is not configured');
    expect(error("metrics: [ { name: x, preset: error-rate, compare: false } ]")).toContain("nothing would be judged");
    expect(error("metrics: [ { name: x, preset: error-rate, effect: { allowedIncrease: 2, criticalIncrease: 1.2 } } ]")).toContain("critical effects must lie beyond");
    expect(error("metrics: [ { name: x, preset: error-rate, preset2: 1 } ]")).toContain("unknown field preset2");
  });

  it("accepts thresholds as numbers or percentages", () => {
    const c = parseCanaryConfig('metrics: [ { name: e, preset: error-rate, thresholds: { max: "1.5%" } }, { name: p, preset: latency-p99, thresholds: { max: 500 } } ]', "x");
    expect(c.metrics.map((m) => m.thresholds?.max)).toEqual([0.015, 500]);
    expect(error('metrics: [ { name: e, preset: error-rate, thresholds: { max: "1 percent" } } ]')).toContain('metric "e", field thresholds.max');
  });

  it("never echoes a secret in an error", () => {
    const message = error("providers:\n  datadog: { apiKey: 12345, applicationKey: app }\n");
    expect(message).toContain("providers.datadog.apiKey");
    expect(message).not.toContain("12345");
  });

  it("reports YAML syntax errors with the source", () => {
    expect(error("a: [")).toMatch(/^Invalid canary configuration in inline metrics: not valid YAML/);
  });
});

describe("loadCanaryConfigFile", () => {
  it("reads a file through the injected reader and names it in errors", async () => {
    const files: Record<string, string> = { ".github/canary.yml": "metrics: [ { name: e, preset: error-rate, direction: sideways } ]" };
    const read = async (p: string) => {
      if (!(p in files)) throw new Error(`ENOENT: no such file '${p}'`);
      return files[p]!;
    };
    await expect(loadCanaryConfigFile(".github/canary.yml", read)).rejects.toThrow(/in \.github\/canary\.yml:\n- metric "e", field direction/);
    await expect(loadCanaryConfigFile("missing.yml", read)).rejects.toThrow(/Cannot read the canary configuration file missing.yml: ENOENT/);
  });
});
