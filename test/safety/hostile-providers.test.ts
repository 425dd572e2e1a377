/**
 * canary-analyze against hostile metric servers, each provider (Prometheus, Datadog, New Relic)
 * pointed at one: (1) bodies and `error` fields carrying runner commands, (2) a redirect to another
 * port, where a second server records every header that reaches it, (3) an endless 200 body,
 * (4) a server that accepts and never answers. The action runs as a child process, bundled from
 * source (as the build bundles it) against the sandbox for its AWS calls. No injected line may reach
 * stdout as a command, no key the second origin, every run ends within its deadline (the providers'
 * 3 s timeout) + 5 s, and its peak resident memory stays under 100 MiB.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../sandbox/aws";
import { startBlackHole, type BlackHole } from "./support/black-hole";
import { bundleEntry } from "./support/bundle";
import { runChild, type ChildRun } from "./support/child";

const INJECTED = "oops\n::add-mask::verdict\n::stop-commands::pwned\n::error title=forged::canary is fine";
const KEYS = { dd: "DDAPIKEY0123456789abcdef", ddApp: "DDAPPKEY0123456789abcdef", nr: "NRAK-0123456789ABCDEFGHIJKLMN", prom: "PROMTOKEN-0123456789" };
const TIMEOUT_S = 3;
/** Every run's peak resident memory stays under this (the benign run measures about 69 MiB on Node 24). */
const MEMORY_LIMIT_MIB = 100;
/** ...and a hostile run takes at most this much more than the benign one. */
const MEMORY_MARGIN_MIB = 30;
let benignPeak = 0;

type Answer = (req: { path: string }, res: import("node:http").ServerResponse) => void;

const servers: Server[] = [];
async function serve(answer: Answer): Promise<string> {
  const server = createServer((req, res) => {
    res.on("error", () => undefined);
    req.resume();
    req.on("end", () => answer({ path: req.url ?? "/" }, res));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function configFor(urls: { prometheus: string; datadog: string; newrelic: string }): string {
  return `
minRequests: 0
providers:
  prometheus: { url: "${urls.prometheus}", bearerToken: ${KEYS.prom}, timeoutSeconds: ${TIMEOUT_S} }
  datadog: { url: "${urls.datadog}", apiKey: ${KEYS.dd}, applicationKey: ${KEYS.ddApp}, timeoutSeconds: ${TIMEOUT_S} }
  newrelic: { url: "${urls.newrelic}/graphql", apiKey: ${KEYS.nr}, accountId: 1, timeoutSeconds: ${TIMEOUT_S} }
metrics:
  - { name: prom-latency, provider: prometheus, query: 'latency{tg="{{targetGroupName}}"}' }
  - { name: dd-latency, provider: datadog, query: 'avg:latency{tg:{{targetGroupName}}}' }
  - { name: nr-latency, provider: newrelic, query: "SELECT average(duration) FROM Transaction TIMESERIES" }
`;
}

let sandbox: Sandbox;
let bundle: Awaited<ReturnType<typeof bundleEntry>>;
const figures: string[] = [];

beforeAll(async () => {
  [sandbox, bundle] = await Promise.all([startSandbox({ seed: 7 }), bundleEntry("src/actions/canary-analyze/index.ts")]);
}, 60_000);
afterAll(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await sandbox?.close();
  bundle?.remove();
  console.log(`hostile providers (node ${process.version}):\n  ${figures.join("\n  ")}`);
});

async function analyse(label: string, urls: { prometheus: string; datadog: string; newrelic: string }): Promise<ChildRun> {
  const tg = sandbox.environment.targetGroups;
  const run = await runChild({
    entry: bundle.file,
    loader: "none",
    inputs: { "canary-target-group-arn": tg["web-green"]!, "baseline-target-group-arn": tg["web-blue"]!, config: configFor(urls), "fail-on": "never" },
    env: { AWS_ENDPOINT_URL: sandbox.endpoint, AWS_REGION: sandbox.region },
    killAfterMs: 60_000,
  });
  if (process.env.ZDA_DEBUG_DIR) (await import("node:fs")).writeFileSync(`${process.env.ZDA_DEBUG_DIR}/${label.replace(/\W+/g, "_")}.log`, `${run.stdout.join("\n")}\n--- stderr\n${run.stderr}\n--- summary\n${run.summary}`);
  figures.push(`${label}: exit ${run.code} after ${(run.ms / 1000).toFixed(2)} s, peak RSS ${run.peakMiB?.toFixed(1)} MiB`);
  return run;
}

const everywhere = (url: string) => ({ prometheus: url, datadog: url, newrelic: url });
/** A line the runner would take as a command: `::` after leading whitespace, or `##[` anywhere. */
const commandLines = (run: ChildRun) => run.stdout.filter((l) => /^\s*::/.test(l) || l.includes("##["));
const OWN_COMMANDS = /^::(debug|warning|notice|error|add-mask)::/;

function expectCommon(run: ChildRun): void {
  expect(run.peakMiB).not.toBeNull();
  expect(run.peakMiB!).toBeLessThan(MEMORY_LIMIT_MIB);
  if (benignPeak > 0) expect(run.peakMiB! - benignPeak).toBeLessThan(MEMORY_MARGIN_MIB);
  expect(run.signal, run.stdout.join("\n")).toBeNull();
  expect(run.code, run.stdout.join("\n")).toBe(0);
  expect(run.ms).toBeLessThan((TIMEOUT_S + 5) * 1000);
  // The only commands are the action's own; no injected one, and no key printed.
  for (const line of commandLines(run)) expect(line).toMatch(OWN_COMMANDS);
  expect(run.stdout.filter((l) => /^::add-mask::/.test(l)).sort()).toEqual(Object.values(KEYS).map((k) => `::add-mask::${k}`).sort());
  const printed = run.stdout.filter((l) => !l.startsWith("::add-mask::")).join("\n") + run.summary;
  for (const key of Object.values(KEYS)) expect(printed).not.toContain(key);
  expect(run.outputs).toMatch(/verdict<<.*\ninconclusive\n/);
}

describe("canary-analyze against hostile metric servers", () => {
  it("a benign run, for the figures: all three providers answer no data", async () => {
    const url = await serve((req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      if (req.path.startsWith("/graphql")) res.end(JSON.stringify({ data: { actor: { account: { nrql: { results: [] } } } } }));
      else if (req.path.startsWith("/api/v1/query_range")) res.end(JSON.stringify({ status: "success", data: { resultType: "matrix", result: [] } }));
      else res.end(JSON.stringify({ series: [] }));
    });
    const run = await analyse("benign (no data)", everywhere(url));
    expectCommon(run);
    benignPeak = run.peakMiB ?? 0;
    expect(benignPeak).toBeGreaterThan(0);
  }, 60_000);

  it("(1) runner commands in error bodies and error fields stay text", async () => {
    const url = await serve((req, res) => {
      if (req.path.startsWith("/graphql")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ errors: [{ message: INJECTED }] }));
      } else if (req.path.startsWith("/api/v1/query_range")) {
        res.writeHead(500);
        res.end(INJECTED);
      } else {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ status: "error", error: INJECTED }));
      }
    });
    const run = await analyse("(1) injected commands", everywhere(url));
    expectCommon(run);
    const log = run.stdout.join("\n");
    for (const forged of ["::add-mask::verdict", "::stop-commands::pwned", "::error title=forged::"]) {
      expect(run.stdout.some((l) => l.trimStart().startsWith(forged))).toBe(false);
      expect(log).toContain(forged.slice(2));
    }
    expect(log).toMatch(/prom-latency: error: .*HTTP 500: oops/);
  }, 60_000);

  it("(2) a redirect to another port: refused, and no key reaches the second origin", async () => {
    const seen: IncomingHttpHeaders[] = [];
    const other = await serve((_req, res) => res.end("{}"));
    const otherServer = servers.at(-1)!;
    otherServer.on("request", (req) => seen.push(req.headers));
    const url = await serve((req, res) => {
      res.writeHead(req.path.startsWith("/graphql") ? 307 : 302, { location: `${other}${req.path}` });
      res.end();
    });
    const run = await analyse("(2) redirect to another port", everywhere(url));
    expectCommon(run);
    expect(seen).toEqual([]);
    expect(run.stdout.filter((l) => l.includes("redirects are refused")).length).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it("(3) an endless 200 body: cut at the cap, memory bounded", async () => {
    const chunk = Buffer.alloc(64 * 1024, "1");
    const url = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write("[");
      const pump = () => {
        while (res.write(chunk));
        res.once("drain", pump);
      };
      pump();
    });
    const run = await analyse("(3) endless body", everywhere(url));
    expectCommon(run);
    // Bounded by MAX_RESPONSE_BYTES per request (and MAX_BUFFERED_BYTES held at once); before, the
    // same body grew the process to 897 MB.
    expect(run.peakMiB! - benignPeak).toBeLessThan(MEMORY_MARGIN_MIB);
    expect(run.stdout.some((l) => /response larger than \d+ bytes|exceed \d+ bytes together|timed out after 3000 ms/.test(l))).toBe(true);
    expect(run.stdout.some((l) => l.includes("not JSON"))).toBe(false);
  }, 60_000);

  it("(4) a server that accepts and never answers: timed out, within the deadline + 5 s", async () => {
    const hole: BlackHole = await startBlackHole();
    try {
      const run = await analyse("(4) never answers", everywhere(hole.url));
      expectCommon(run);
      expect(run.ms).toBeGreaterThanOrEqual(TIMEOUT_S * 1000);
      expect(run.stdout.filter((l) => l.includes(`timed out after ${TIMEOUT_S * 1000} ms`)).length).toBeGreaterThanOrEqual(3);
    } finally {
      await hole.close();
    }
  }, 60_000);
});
