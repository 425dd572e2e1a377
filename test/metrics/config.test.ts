import { describe, expect, it, vi } from "vitest";
import { loadCanaryConfigFile, parseCanaryConfig } from "../../src/adapters/metrics/config";
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

  it("reports YAML syntax errors by kind and position, never quoting the source", () => {
    expect(error("a: [")).toMatch(/^Invalid canary configuration in inline metrics: not valid YAML: .* at line \d+, column \d+/);
    const message = error("providers:\n  prometheus: { bearerToken: SUPERSECRET-TOKEN-123 }\n   bad indent: x\n");
    expect(message).toBe("Invalid canary configuration in inline metrics: not valid YAML: bad indent at line 3, column 1 (the source is not quoted here, as it may hold a secret)");
  });
});

describe("secrets in the canary configuration are never printed", () => {
  const SECRET = "SUPERSECRET-TOKEN-123";

  function masked(text: string): { message: string | undefined; masks: string[] } {
    const masks: string[] = [];
    try {
      parseCanaryConfig(text, "input config", (s) => masks.push(s));
      return { message: undefined, masks };
    } catch (e) {
      return { message: (e as Error).message, masks };
    }
  }

  it("an error on the whole providers.prometheus object does not print it", () => {
    for (const text of [
      `providers:\n  prometheus: { url: "http://127.0.0.1:9090", bearerToken: ${SECRET}, username: a, password: b }\n`,
      `providers:\n  prometheus: "${SECRET}"\n`,
      `providers:\n  prometheus: { url: "ftp://${SECRET}.example.com" }\n`,
    ]) {
      const { message } = masked(text);
      expect(message).toMatch(/^Invalid canary configuration in input config:\n- providers\.prometheus/);
      expect(message).not.toContain(SECRET);
      expect(message).not.toContain("got");
    }
  });

  it("a file that is not YAML settings (config-file=/etc/passwd) is refused without printing its first line", async () => {
    const passwd = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n";
    const failure = await loadCanaryConfigFile("/etc/passwd", async () => passwd).catch((e: Error) => e.message);
    expect(failure).toBe("Invalid canary configuration in /etc/passwd:\n- configuration: Invalid input: expected object, received string");
  });

  it("credentials in a provider URL are refused, naming the provider and the field, not the value; they are masked first", () => {
    const { message, masks } = masked('providers:\n  prometheus: { url: "http://admin:pa55w0rd@127.0.0.1:9090" }\nmetrics: [ { name: p, provider: prometheus, query: up } ]\n');
    expect(message).toMatch(/^Invalid canary configuration in input config:\n- providers\.prometheus\.url: must not carry credentials/);
    expect(message).not.toMatch(/admin|pa55w0rd/);
    expect(masks).toContain("pa55w0rd");
    for (const provider of ["datadog", "newrelic"]) {
      const other = masked(`providers:\n  ${provider}: { url: "https://k:v-secret@api.example.com", apiKey: abc, applicationKey: def, accountId: 1 }\n`).message;
      expect(other).toContain(`providers.${provider}.url: must not carry credentials`);
      expect(other).not.toContain("v-secret");
    }
  });

  it("secret-looking keys in the raw YAML are masked before it is parsed, in any case and style", () => {
    const text = [
      "providers:",
      `  prometheus: { url: "https://prom.example.com", BearerToken: ${SECRET} }`,
      "  datadog:",
      '    APIKEY: "dd-api-key-1"',
      "    applicationKey: 'dd-app-key-2'   # a comment",
      "    client_secret: |",
      "      block-secret-3",
      '  newrelic: {"apiKey":"nr-key-4","accountId":1}',
      "  password: plain-password-5",
      "this is not: [valid yaml",
    ].join("\n");
    const { message, masks } = masked(text);
    expect(message).toMatch(/not valid YAML/);
    for (const s of [SECRET, "dd-api-key-1", "dd-app-key-2", "block-secret-3", "nr-key-4", "plain-password-5"]) {
      expect(masks).toContain(s);
      expect(message).not.toContain(s);
    }
  });

  it("does not mask words that appear everywhere, or values of other keys", () => {
    const { masks } = masked("providers:\n  datadog: { apiKey: true, applicationKey: on }\nmetrics: [ { name: keys, preset: error-rate } ]\n");
    expect(masks).toEqual([]);
  });

  it("prints no YAML warning, which would quote the source", () => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const log = vi.spyOn(console, "warn").mockImplementation(() => {});
    masked(`providers:\n  prometheus: { url: "https://p.example.com", bearerToken: !custom ${SECRET} }\n`);
    expect(warn).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
    warn.mockRestore();
    log.mockRestore();
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
