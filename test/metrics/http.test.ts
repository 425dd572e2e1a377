/**
 * The metric providers' HTTP client against hostile servers on loopback: a redirect to another
 * origin, an endless body, a server that never answers, plain http with credentials.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import * as z from "../../src/util/zod";
import { type Fetch, insecureCredentialsProblem, isLoopbackHost, MAX_BUFFERED_BYTES, MAX_RESPONSE_BYTES, providerFetch, requestJson } from "../../src/adapters/metrics/http";
import { config } from "./fixtures";

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(handler: Parameters<typeof createServer>[1] & object): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const anyJson = z.unknown();
const secretHeaders = { "DD-API-KEY": "dd-api-secret", "DD-APPLICATION-KEY": "dd-app-secret", "API-Key": "nr-secret", authorization: "Bearer prom-secret" };

describe.each([
  ["the providers' transport (node:http)", providerFetch],
  ["the global fetch", fetch as Fetch],
])("requestJson over %s", (_name, fetch: Fetch) => {
  it("refuses a redirect, and no credential reaches the origin it points at", async () => {
    const seen: IncomingHttpHeaders[] = [];
    const other = await serve((req, res) => {
      seen.push(req.headers);
      res.end("{}");
    });
    for (const status of [301, 302, 303, 307, 308]) {
      const first = await serve((_req, res) => {
        res.writeHead(status, { location: `${other}/steal` });
        res.end();
      });
      const r = await requestJson(fetch, { url: `${first}/api/v1/query`, headers: secretHeaders, credentials: true, timeoutMs: 2000 }, anyJson);
      expect(r).toEqual({ ok: false, message: `GET ${first}/api/v1/query answered HTTP ${status}, a redirect; redirects are refused, so credentials never reach another origin (give the final URL)` });
    }
    expect(seen).toEqual([]);
  });

  it("stops reading past the size cap and says so; the timeout is not mistaken for a parse error", async () => {
    const chunk = Buffer.alloc(64 * 1024, "x");
    const url = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const pump = () => {
        while (res.write(chunk));
        res.once("drain", pump);
      };
      res.on("error", () => undefined);
      pump();
    });
    const capped = await requestJson(fetch, { url, timeoutMs: 10_000, maxBytes: 1024 * 1024 }, anyJson);
    expect(capped).toEqual({ ok: false, message: `GET ${url}/: response larger than 1048576 bytes; stopped reading it` });

    // A body that trickles in forever, under the cap, ends with the timeout, named as such.
    const slow = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write("[");
      const t = setInterval(() => res.write("1,"), 20);
      res.on("close", () => clearInterval(t));
    });
    const started = Date.now();
    const timedOut = await requestJson(fetch, { url: slow, timeoutMs: 300 }, anyJson);
    expect(timedOut).toEqual({ ok: false, message: `GET ${slow}/ timed out after 300 ms` });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("bodies read in parallel stay under MAX_BUFFERED_BYTES together", async () => {
    // Each answer sends 0.9 MiB and then stalls: five held at once would be 4.5 MiB, over the 4 MiB.
    const part = Buffer.alloc(0.9 * 1024 * 1024, "1");
    const url = await serve((_req, res) => {
      res.writeHead(200);
      res.on("error", () => undefined);
      res.write(part);
    });
    expect(MAX_BUFFERED_BYTES).toBeLessThan(5 * part.length);
    expect(MAX_BUFFERED_BYTES).toBeGreaterThan(4 * part.length);
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => requestJson(fetch, { url, timeoutMs: 1500 }, anyJson)));
    const messages = results.map((r) => (r.ok ? "ok" : r.message.replace(/ at \d+ bytes$/, "")));
    expect(messages.sort()).toEqual(
      [`GET ${url}/: responses read at once exceed ${MAX_BUFFERED_BYTES} bytes together; stopped reading this one`, ...Array(4).fill(`GET ${url}/ timed out after 1500 ms`)].sort(),
    );
    expect(MAX_RESPONSE_BYTES).toBeGreaterThan(part.length);
  });

  it("POSTs a JSON body and reads the JSON answer", async () => {
    const url = await serve((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ method: req.method, type: req.headers["content-type"], length: req.headers["content-length"], key: req.headers["api-key"], body: JSON.parse(body) }));
      });
    });
    const r = await requestJson(fetch, { url, method: "POST", headers: { "API-Key": "k" }, credentials: true, body: { query: "é" }, timeoutMs: 2000 }, anyJson);
    expect(r).toEqual({ ok: true, data: { method: "POST", type: "application/json", length: "14", key: "k", body: { query: "é" } } });
  });

  it("a server that accepts and never answers ends with the timeout", async () => {
    const url = await serve(() => undefined);
    const r = await requestJson(fetch, { url, timeoutMs: 200 }, anyJson);
    expect(r).toEqual({ ok: false, message: `GET ${url}/ timed out after 200 ms` });
  });

  it("the step's cancellation stops a request in flight and says so", async () => {
    const url = await serve(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("cancelled by SIGTERM")), 50);
    const r = await requestJson(fetch, { url, timeoutMs: 5000, signal: controller.signal }, anyJson);
    expect(r).toEqual({ ok: false, message: `GET ${url}/ was cancelled: cancelled by SIGTERM` });
  });

  it("an error body is cut to one line of at most 300 characters", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(500);
      res.end(`oops\n::add-mask::verdict\r\n${"y".repeat(5000)}`);
    });
    const r = await requestJson(fetch, { url, timeoutMs: 2000 }, anyJson);
    expect(r.ok).toBe(false);
    const message = r.ok ? "" : r.message;
    expect(message).not.toMatch(/[\r\n]/);
    expect(message.startsWith(`GET ${url}/ returned HTTP 500: oops ::add-mask::verdict y`)).toBe(true);
    expect(message.length).toBeLessThan(400);
  });

  it("sends no credentials over plain http to anything but loopback", async () => {
    const r = await requestJson(fetch, { url: "http://metrics.example.com/api/v1/query", headers: secretHeaders, credentials: true, timeoutMs: 100 }, anyJson);
    expect(r).toEqual({
      ok: false,
      message:
        "GET http://metrics.example.com/api/v1/query: the URL must be https:// when credentials are configured (plain http would send them readable on the network; only loopback hosts may use http), not http://metrics.example.com",
    });
    for (const host of ["127.0.0.1", "127.8.9.10", "localhost", "[::1]"]) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ["128.0.0.1", "127.0.0.1.nip.io", "localhost.example.com", "[::2]", "10.0.0.1"]) expect(isLoopbackHost(host)).toBe(false);
    expect(insecureCredentialsProblem("https://api.datadoghq.com")).toBeUndefined();
    expect(insecureCredentialsProblem("http://127.0.0.1:9090")).toBeUndefined();
    expect(insecureCredentialsProblem("http://[::1]:9090")).toBeUndefined();
  });
});

describe("the configuration refuses plain http with credentials", () => {
  it("names the provider and the URL's origin, never the secret", () => {
    const bad = [
      ["prometheus: { url: 'http://prom.example.com:9090', bearerToken: TOPSECRET-1 }", "providers.prometheus.url"],
      ["datadog: { url: 'http://dd.example.com', apiKey: TOPSECRET-1, applicationKey: TOPSECRET-2 }", "providers.datadog.url"],
      ["newrelic: { url: 'http://nr.example.com/graphql', apiKey: TOPSECRET-1, accountId: 1 }", "providers.newrelic.url"],
    ];
    for (const [yaml, where] of bad) {
      let message = "";
      try {
        config(`providers:\n  ${yaml}\n`);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toContain(`${where} must be https:// when credentials are configured`);
      expect(message).not.toContain("TOPSECRET");
    }
    // Without credentials, or on loopback, http is allowed.
    expect(() => config("providers:\n  prometheus: { url: 'http://prom.example.com:9090' }\n")).not.toThrow();
    expect(() => config("providers:\n  datadog: { url: 'http://127.0.0.1:8126', apiKey: a, applicationKey: b }\n")).not.toThrow();
  });
});
