import { afterEach, describe, expect, it } from "vitest";
import { createDatadogProvider } from "../../src/adapters/metrics/datadog";
import { config, scope } from "./fixtures";
import { startStub, type Handler, type Stub } from "./stub-server";

let stub: Stub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

async function setup(handler: Handler) {
  stub = await startStub(handler);
  const c = config(`
providers:
  datadog: { url: "${stub.url}", apiKey: dd-api-key, applicationKey: dd-app-key }
metrics:
  - { name: latency, provider: datadog, query: 'avg:trace.http.request.duration{version:{{version}}}' }
  - { name: errors, provider: datadog, events: 'sum:http.errors{tg:{{targetGroupName}}}.as_count()', total: 'sum:http.hits{tg:{{targetGroupName}}}.as_count()' }
`);
  return { p: createDatadogProvider(c.providers.datadog!, fetch), c };
}

const series = (...points: Array<[number, number | null]>) => ({ status: "ok", res_type: "time_series", series: [{ pointlist: points, metric: "m", scope: "s" }] });

describe("Datadog provider", () => {
  it("queries /api/v1/query with the key headers and epoch seconds, dropping null points", async () => {
    const { p, c } = await setup((req) => ({ json: req.query.get("query")!.includes("v2") ? series([1767268860000, 0.2], [1767268800000, 0.25], [1767268920000, null]) : series([1767268800000, 0.1]) }));
    const m = await p.measure(c.metrics[0]!, scope);
    expect(m).toMatchObject({ kind: "samples", baseline: [0.1], canary: [0.25, 0.2] });
    const req = stub!.requests[0]!;
    expect(req.path).toBe("/api/v1/query");
    expect(req.headers["dd-api-key"]).toBe("dd-api-key");
    expect(req.headers["dd-application-key"]).toBe("dd-app-key");
    expect([req.query.get("from"), req.query.get("to")]).toEqual(["1767268800", "1767269400"]);
  });

  it("sums the points of count queries", async () => {
    const { p, c } = await setup((req) => {
      const q = req.query.get("query")!;
      const green = q.includes("tg:green");
      if (q.includes("errors")) return { json: series([1, green ? 4 : 1], [2, green ? 2 : 1]) };
      return { json: series([1, 500], [2, 500]) };
    });
    expect(await p.measure(c.metrics[1]!, scope)).toEqual({ kind: "counts", baseline: { events: 2, total: 1000 }, canary: { events: 6, total: 1000 } });
  });

  it("returns an API error as an error measurement", async () => {
    const { p, c } = await setup(() => ({ status: 403, json: { errors: ["Forbidden"] } }));
    const m = await p.measure(c.metrics[0]!, scope);
    expect(m.kind === "error" && m.message).toMatch(/returned HTTP 403: \{"errors":\["Forbidden"\]\}/);
  });
});
