/**
 * Finding: with three Prometheus metrics and one answering 503, the verdict was "pass (score 100)"
 * with no word of the metric that could not be measured. A metric that errored is no evidence:
 * the canary cannot pass without it, and the report says which metric and why.
 */
import { afterEach, describe, expect, it } from "vitest";
import { analyzeCanary } from "../../src/analyze/analyze";
import { createPrometheusProvider } from "../../src/adapters/metrics/prometheus";
import { config, scope } from "./fixtures";
import { startStub, type Handler, type Stub } from "./stub-server";

let stub: Stub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

const latency = [80, 82, 79, 81, 83, 80, 78, 82, 81, 80];
const matrix = (values: number[]) => ({
  status: "success",
  data: { resultType: "matrix", result: [{ metric: {}, values: values.map((v, i) => [1767268800 + i * 60, String(v)]) }] },
});
const vector = (v: number) => ({ status: "success", data: { resultType: "vector", result: [{ metric: {}, value: [1767269400, String(v)] }] } });

/** Errors 10 of 2000 per side, equal latencies; the saturation query answers as `saturation` says. */
function prometheus(saturation: (query: string) => ReturnType<Handler>): Handler {
  return (req) => {
    const q = req.query.get("query") ?? "";
    if (q.startsWith("saturation")) return saturation(q);
    if (req.path === "/api/v1/query_range") return { json: matrix(latency) };
    return { json: vector(q.includes("5..") ? 10 : 2000) };
  };
}

async function analyse(handler: Handler, saturation = "") {
  stub = await startStub(handler);
  const c = config(`
providers:
  prometheus: { url: "${stub.url}", timeoutSeconds: 2 }
metrics:
  - { name: errors, provider: prometheus, events: 'sum(increase(http_total{code=~"5..",v="{{version}}"}[{{window}}]))', total: 'sum(increase(http_total{v="{{version}}"}[{{window}}]))' }
  - { name: latency, provider: prometheus, query: 'latency{v="{{version}}"}' }
  - { name: saturation, provider: prometheus, query: 'saturation{v="{{version}}"}'${saturation} }
`);
  const lines: string[] = [];
  const report = await analyzeCanary(c, { baseline: scope.baseline, canary: scope.canary, window: scope.window }, { providers: { prometheus: createPrometheusProvider(c.providers.prometheus!, fetch) }, log: (l) => lines.push(l) });
  return { report, lines };
}

describe("a metric that errored", () => {
  it("the same three metrics all answering pass (score 100): the healthy control", async () => {
    const { report } = await analyse(prometheus(() => ({ json: matrix(latency) })));
    expect(report.metrics.map((m) => m.classification)).toEqual(["pass", "pass", "pass"]);
    expect(report).toMatchObject({ verdict: "pass", score: 100 });
  });

  it("one of three answering 503 makes the verdict inconclusive, naming the metric and the error", async () => {
    const { report, lines } = await analyse(prometheus(() => ({ status: 503, text: "service unavailable" })));
    expect(report.metrics.map((m) => [m.name, m.classification])).toEqual([
      ["errors", "pass"],
      ["latency", "pass"],
      ["saturation", "error"],
    ]);
    expect(report.verdict).toBe("inconclusive");
    expect(report.reasons[0]).toMatch(/^saturation could not be measured \(.*HTTP 503.*\); no pass without evidence from every metric$/);
    expect(lines.some((l) => l.startsWith("saturation: error:") && l.includes("503"))).toBe(true);
  });

  it("one marked optional is left out of a pass, and the reasons name it", async () => {
    const { report } = await analyse(
      prometheus(() => ({ status: 503, text: "service unavailable" })),
      ", optional: true",
    );
    expect(report.metrics.find((m) => m.name === "saturation")?.classification).toBe("error");
    expect(report).toMatchObject({ verdict: "pass", score: 100 });
    expect(report.reasons[1]).toMatch(/^saturation could not be measured and is optional, so it was left out: measurement failed: .*HTTP 503/);
  });

  it("an errored metric does not hide a failing score: still fail", async () => {
    const slow = latency.map((v) => v * 3);
    const { report } = await analyse((req) => {
      const q = req.query.get("query") ?? "";
      if (q.startsWith("saturation")) return { status: 503, text: "down" };
      if (req.path === "/api/v1/query_range") return { json: matrix(q.includes('"v2"') ? slow : latency) };
      return { json: vector(q.includes("5..") ? 10 : 2000) };
    });
    expect(report.metrics.find((m) => m.name === "latency")?.classification).toBe("high");
    expect(report.verdict).toBe("fail");
  });
});
