import { afterEach, describe, expect, it } from "vitest";
import { createNewRelicProvider } from "../../src/adapters/metrics/newrelic";
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
  newrelic: { url: "${stub.url}/graphql", apiKey: NRAK-test, accountId: 1234567 }
metrics:
  - { name: p99, provider: newrelic, query: "SELECT percentile(duration, 99) FROM Transaction WHERE appVersion = '{{version}}' TIMESERIES 1 minute" }
  - { name: errors, provider: newrelic, events: "SELECT count(*) FROM Transaction WHERE error IS true AND appVersion = '{{version}}'", total: "SELECT count(*) FROM Transaction WHERE appVersion = '{{version}}'" }
`);
  return { p: createNewRelicProvider(c.providers.newrelic!, fetch), c };
}

const results = (rows: unknown[]) => ({ data: { actor: { account: { nrql: { results: rows } } } } });

describe("New Relic provider", () => {
  it("posts NRQL through NerdGraph with the API-Key header and the window appended", async () => {
    const { p, c } = await setup((req) => {
      const nrql = JSON.parse(req.body).variables.nrql as string;
      const [v, w] = nrql.includes("'v2'") ? [0.3, 0.31] : [0.2, 0.21];
      return { json: results([{ beginTimeSeconds: 1767268800, endTimeSeconds: 1767268860, "percentile.duration": { "99": v } }, { beginTimeSeconds: 1767268860, endTimeSeconds: 1767268920, "percentile.duration": { "99": w } }]) };
    });
    const m = await p.measure(c.metrics[0]!, scope);
    expect(m).toMatchObject({ kind: "samples", baseline: [0.2, 0.21], canary: [0.3, 0.31] });
    const req = stub!.requests[0]!;
    expect(req.method).toBe("POST");
    expect(req.path).toBe("/graphql");
    expect(req.headers["api-key"]).toBe("NRAK-test");
    const body = JSON.parse(req.body);
    expect(body.query).toContain("account(id: $accountId)");
    expect(body.variables.accountId).toBe(1234567);
    expect(body.variables.nrql).toMatch(/TIMESERIES 1 minute SINCE 1767268800000 UNTIL 1767269400000$/);
  });

  it("reads single-value count queries", async () => {
    const { p, c } = await setup((req) => {
      const nrql = JSON.parse(req.body).variables.nrql as string;
      const green = nrql.includes("'v2'");
      return { json: results([{ count: nrql.includes("error IS true") ? (green ? 12 : 4) : 2000 }]) };
    });
    expect(await p.measure(c.metrics[1]!, scope)).toEqual({ kind: "counts", baseline: { events: 4, total: 2000 }, canary: { events: 12, total: 2000 } });
  });

  it("returns GraphQL errors as an error measurement", async () => {
    const { p, c } = await setup(() => ({ json: { data: null, errors: [{ message: "NRQL Syntax Error: Error at line 1" }] } }));
    const m = await p.measure(c.metrics[0]!, scope);
    expect(m).toMatchObject({ kind: "error" });
    expect(m.kind === "error" && m.message).toContain("NerdGraph: NRQL Syntax Error: Error at line 1");
  });
});
