import { afterEach, describe, expect, it } from "vitest";
import { createPrometheusProvider } from "../../src/adapters/metrics/prometheus";
import { config, scope } from "./fixtures";
import { startStub, type Handler, type Stub } from "./stub-server";

let stub: Stub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

async function provider(handler: Handler, auth: string) {
  stub = await startStub(handler);
  const c = config(`
providers:
  prometheus: { url: "${stub.url}/", ${auth} timeoutSeconds: 0.5 }
metrics:
  - { name: p99, provider: prometheus, unit: ms, query: 'histogram_quantile(0.99, sum(rate(http_ms_bucket{version="{{version}}"}[1m])) by (le))' }
  - { name: errors, provider: prometheus, events: 'sum(increase(http_total{code=~"5..",tg="{{targetGroupName}}"}[{{window}}]))', total: 'sum(increase(http_total{tg="{{targetGroupName}}"}[{{window}}]))' }
  - { name: bad, provider: prometheus, query: 'x{v="{{nope}}"}' }
`);
  return { p: createPrometheusProvider(c.providers.prometheus!, fetch), c };
}

const matrix = (values: Array<[number, string]>) => ({ status: "success", data: { resultType: "matrix", result: [{ metric: {}, values }] } });
const vector = (v: string) => ({ status: "success", data: { resultType: "vector", result: [{ metric: {}, value: [1767269400, v] }] } });

describe("Prometheus provider", () => {
  it("reads query_range per side with the side's version and a bearer token", async () => {
    const { p, c } = await provider(
      (req) => (req.query.get("query")!.includes('"v2"') ? { json: matrix([[1767268800, "120"], [1767268860, "NaN"]]) } : { json: matrix([[1767268800, "100"], [1767268860, "+Inf"]]) }),
      "bearerToken: s3cret,",
    );
    const m = await p.measure(c.metrics[0]!, scope);
    expect(m).toMatchObject({ kind: "samples", baseline: [100, Infinity], unit: "ms" });
    expect(m.kind === "samples" && Number.isNaN(m.canary[1])).toBe(true);
    const first = stub!.requests[0]!;
    expect(first.path).toBe("/api/v1/query_range");
    expect(first.headers.authorization).toBe("Bearer s3cret");
    expect(first.query.get("start")).toBe("1767268800");
    expect(first.query.get("end")).toBe("1767269400");
    expect(first.query.get("step")).toBe("60");
    expect(stub!.requests.map((r) => r.query.get("query")).sort()).toEqual([
      'histogram_quantile(0.99, sum(rate(http_ms_bucket{version="v1"}[1m])) by (le))',
      'histogram_quantile(0.99, sum(rate(http_ms_bucket{version="v2"}[1m])) by (le))',
    ]);
  });

  it("reads counts with instant queries at the window's end and basic auth", async () => {
    const { p, c } = await provider((req) => {
      const q = req.query.get("query")!;
      const side = q.includes("green") ? 1 : 0;
      return { json: vector(q.includes("5..") ? ["3", "9"][side]! : ["1000", "900"][side]!) };
    }, "username: u, password: pw,");
    expect(await p.measure(c.metrics[1]!, scope)).toEqual({ kind: "counts", baseline: { events: 3, total: 1000 }, canary: { events: 9, total: 900 } });
    expect(stub!.requests.every((r) => r.path === "/api/v1/query" && r.query.get("time") === "1767269400")).toBe(true);
    expect(stub!.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from("u:pw").toString("base64")}`);
    expect(stub!.requests.map((r) => r.query.get("query"))).toContain('sum(increase(http_total{code=~"5..",tg="green"}[600s]))');
  });

  it("returns Prometheus errors, HTTP errors, timeouts and template errors as error measurements", async () => {
    const { p, c } = await provider((req) => (req.query.get("query")!.includes("v1") ? { status: 422, json: { status: "error", errorType: "bad_data", error: "parse error at char 3" } } : { json: matrix([]) }), "");
    const m = await p.measure(c.metrics[0]!, scope);
    expect(m.kind).toBe("error");
    expect(m.kind === "error" && m.message).toMatch(/baseline query: GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query_range returned HTTP 422/);
    const t = await p.measure(c.metrics[2]!, scope);
    expect(t).toMatchObject({ kind: "error" });
    expect(t.kind === "error" && t.message).toMatch(/unknown template variable \{\{nope\}\}/);
  });

  it("times out a slow server", async () => {
    const { p, c } = await provider(() => ({ json: matrix([]), delayMs: 2000 }), "");
    const m = await p.measure(c.metrics[0]!, scope);
    expect(m.kind === "error" && m.message).toMatch(/timed out after 500 ms/);
  });
});
