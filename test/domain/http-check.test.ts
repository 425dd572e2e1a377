import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  excerpt,
  HttpCheck,
  type HttpCheckSpec,
  isSensitiveHeader,
  parseExpectedStatus,
  parseHeaderLines,
  probeHttp,
} from "../../src/domain/http-check";
import { parseExpectation } from "../../src/domain/json-expectation";

const HEALTHY_BODY = { status: "healthy", checks: { db: { ok: true } }, version: "v2", items: [1, 2] };

let server: Server;
let base: string;
let lastHeaders: IncomingHttpHeaders = {};
let flaky: number[] = [];
const timers = new Set<NodeJS.Timeout>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    lastHeaders = req.headers;
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    switch (url.pathname) {
      case "/health":
        return json(200, HEALTHY_BODY);
      case "/degraded":
        return json(200, { status: "degraded", checks: { db: { ok: false } }, version: "v1", items: [] });
      case "/status":
        return json(Number(url.searchParams.get("code")), { error: "backend unavailable" });
      case "/redirect":
        res.writeHead(302, { location: "/health" });
        return res.end("moved");
      case "/slow": {
        const timer = setTimeout(() => {
          timers.delete(timer);
          json(200, HEALTHY_BODY);
        }, Number(url.searchParams.get("ms")));
        timers.add(timer);
        return;
      }
      case "/noisy":
        res.writeHead(500, { "content-type": "text/plain" });
        return res.end(`line one\r\nline\u0007two\u001b[31m ${"x".repeat(500)}`);
      case "/text":
        res.writeHead(200, { "content-type": "text/html" });
        return res.end("<html>ok</html>");
      case "/flaky":
        return json(flaky.shift() ?? 200, { n: flaky.length });
      case "/echo":
        return json(200, { host: req.headers.host });
      default:
        return json(404, { error: "not found" });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const timer of timers) clearTimeout(timer);
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function spec(path: string, overrides: Partial<HttpCheckSpec> = {}): HttpCheckSpec {
  return {
    url: `${base}${path}`,
    expectedStatus: [{ min: 200, max: 200 }],
    expectJson: [],
    requestTimeoutMs: 5000,
    consecutiveSuccesses: 3,
    headers: [],
    ...overrides,
  };
}

function expectations(...lines: string[]) {
  return lines.map((line) => {
    const parsed = parseExpectation(line);
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.value;
  });
}

describe("parsing", () => {
  it("reads single statuses, ranges and lists, and rejects what is not a status", () => {
    expect(parseExpectedStatus("200")).toEqual([{ min: 200, max: 200 }]);
    expect(parseExpectedStatus("200-299")).toEqual([{ min: 200, max: 299 }]);
    expect(parseExpectedStatus("200, 204")).toEqual([
      { min: 200, max: 200 },
      { min: 204, max: 204 },
    ]);
    expect(parseExpectedStatus("2xx")).toMatch(/"2xx" is not a status code/);
    expect(parseExpectedStatus("299-200")).toMatch(/not a status code/);
    expect(parseExpectedStatus("600")).toMatch(/not a status code/);
  });

  it("reads header lines, marks credentials sensitive, and never puts a value in an error", () => {
    const headers = parseHeaderLines(["Host: app.example.com", "Authorization: Bearer s3cr3t", "X-Api-Key: k3y"]);
    expect(headers).toEqual([
      { name: "Host", value: "app.example.com", sensitive: false },
      { name: "Authorization", value: "Bearer s3cr3t", sensitive: true },
      { name: "X-Api-Key", value: "k3y", sensitive: true },
    ]);
    expect(isSensitiveHeader("Cookie")).toBe(true);
    const bad = parseHeaderLines(["Host: ok", "Bad Header s3cr3t"]);
    expect(bad).toMatch(/^line 2 is not "Name: value"/);
    expect(bad).not.toContain("s3cr3t");
    expect(parseHeaderLines(["Content-Length: 5"])).toMatch(/managed by the HTTP client/);
    expect(parseHeaderLines(["Host: a.example.com", "host: b.example.com"])).toBe("line 2: Host is given twice");
  });

  it("shows control characters of a body excerpt as escapes and keeps it to 200 characters", () => {
    const text = excerpt(`a\r\nb\u0007c\u202e${"z".repeat(400)}`);
    expect(text.startsWith("a b\\u0007c\\u202ez")).toBe(true);
    expect(text).not.toMatch(/[\u0000-\u001f\u202e]/);
    expect(text.length).toBeLessThanOrEqual(200);
    expect(text).toMatch(/zzz… \(\d+ more characters\)$/);
  });

  it("neutralises a runner command in a body excerpt", () => {
    expect(excerpt("##[error]forged")).toBe("# #[error]forged");
    expect(excerpt("  ::error title=x::forged\n::add-mask::y")).toBe(": :error title=x::forged ::add-mask::y");
  });
});

describe("probeHttp against a local server", () => {
  it("passes a 200 and says what it saw", async () => {
    const probe = await probeHttp(spec("/health"));
    expect(probe.ok).toBe(true);
    expect(probe.status).toBe(200);
    expect(probe.detail).toMatch(/^200 in \d+ ms$/);
  });

  it("judges statuses against a range and a list, and fails others with the status and a body excerpt", async () => {
    expect((await probeHttp(spec("/status?code=204", { expectedStatus: [{ min: 200, max: 299 }] }))).ok).toBe(true);
    expect((await probeHttp(spec("/status?code=204", { expectedStatus: parseExpectedStatus("200,204") as never }))).ok).toBe(true);
    const failed = await probeHttp(spec("/status?code=503"));
    expect(failed.ok).toBe(false);
    expect(failed.status).toBe(503);
    expect(failed.detail).toBe('status 503, expected 200; body: {"error":"backend unavailable"}');
  });

  it("does not follow redirects: a 302 is a status like any other", async () => {
    const failed = await probeHttp(spec("/redirect"));
    expect(failed.detail).toBe("status 302, expected 200; body: moved");
    expect((await probeHttp(spec("/redirect", { expectedStatus: [{ min: 300, max: 399 }] }))).ok).toBe(true);
  });

  it("passes when every JSON expectation holds", async () => {
    const probe = await probeHttp(
      spec("/health", { expectJson: expectations('status == "healthy"', "checks.db.ok == true", 'version != "v1"', "items.length >= 1", "items[1] == 2") }),
    );
    expect(probe).toMatchObject({ ok: true, status: 200 });
  });

  it("names the path, the expected and the actual value of every mismatch", async () => {
    const probe = await probeHttp(
      spec("/degraded", { expectJson: expectations('status == "healthy"', "checks.db.ok == true", 'version != "v1"', "items.length >= 1", "uptime > 5") }),
    );
    expect(probe.ok).toBe(false);
    expect(probe.detail).toContain('status: expected == "healthy", got "degraded"');
    expect(probe.detail).toContain("checks.db.ok: expected == true, got false");
    expect(probe.detail).toContain('version: expected != "v1", got "v1"');
    expect(probe.detail).toContain("items.length: expected >= 1, got 0");
    expect(probe.detail).toContain("uptime: expected > 5, got nothing (no such path)");
    expect(probe.detail).toContain('body: {"status":"degraded"');
  });

  it("fails JSON expectations on a body that is not JSON", async () => {
    const probe = await probeHttp(spec("/text", { expectJson: expectations('status == "healthy"') }));
    expect(probe.ok).toBe(false);
    expect(probe.detail).toMatch(/^200 in \d+ ms, but the body is not JSON; body: <html>ok<\/html>$/);
  });

  it("fails an answer slower than max-latency", async () => {
    const probe = await probeHttp(spec("/slow?ms=300", { maxLatencyMs: 100 }));
    expect(probe.ok).toBe(false);
    expect(probe.latencyMs).toBeGreaterThanOrEqual(250);
    expect(probe.detail).toMatch(/^200 in \d+ ms, over max-latency 100 ms; body: /);
    expect((await probeHttp(spec("/slow?ms=50", { maxLatencyMs: 2000 }))).ok).toBe(true);
  });

  it("gives up on a request after request-timeout", async () => {
    const probe = await probeHttp(spec("/slow?ms=5000", { requestTimeoutMs: 1000 }));
    expect(probe.ok).toBe(false);
    expect(probe.detail).toBe("no complete response within 1s (request-timeout)");
    expect(probe.latencyMs).toBeLessThan(4000);
  });

  it("sends the given headers, Host included, and keeps credential values out of the detail", async () => {
    const probe = await probeHttp(
      spec("/status?code=401", {
        headers: [
          { name: "Host", value: "app.example.com", sensitive: false },
          { name: "Authorization", value: "Bearer s3cr3t", sensitive: true },
        ],
      }),
    );
    expect(lastHeaders.host).toBe("app.example.com");
    expect(lastHeaders.authorization).toBe("Bearer s3cr3t");
    expect(lastHeaders["user-agent"]).toBe("zero-downtime-actions/health-gate");
    expect(probe.detail).not.toContain("s3cr3t");
  });

  it("puts a clean excerpt of the body in a failure", async () => {
    const probe = await probeHttp(spec("/noisy"));
    const body = probe.detail.slice(probe.detail.indexOf("body: ") + "body: ".length);
    expect(body.startsWith("line one line\\u0007two\\u001b[31m x")).toBe(true);
    expect(Array.from(body).length).toBeLessThanOrEqual(200);
    expect(probe.detail).not.toMatch(/[\u0000-\u001f]/);
  });

  it("reports a refused connection as a failure, not a throw", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const probe = await probeHttp({ ...spec("/"), url: `http://127.0.0.1:${port}/health` });
    expect(probe.ok).toBe(false);
    expect(probe.detail).toMatch(/^request failed: .*ECONNREFUSED/);
  });

  it("throws the cancellation when the job is cancelled mid-request", async () => {
    const controller = new AbortController();
    const pending = probeHttp(spec("/slow?ms=5000"), { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("cancelled by SIGINT")), 50);
    await expect(pending).rejects.toThrow("cancelled by SIGINT");
  });
});

describe("HttpCheck", () => {
  it("needs the given number of good answers in a row; a failure starts the count again", async () => {
    flaky = [200, 200, 503, 200, 200, 200];
    const check = new HttpCheck(spec("/flaky", { consecutiveSuccesses: 3 }));
    const seen: [number, boolean][] = [];
    for (let i = 0; i < 6; i++) {
      await check.poll();
      seen.push([check.streak, check.passed]);
    }
    expect(seen).toEqual([
      [1, false],
      [2, false],
      [0, false],
      [1, false],
      [2, false],
      [3, true],
    ]);
    expect(check.requests).toBe(6);
    expect(check.detail()).toMatch(/^200 in \d+ ms \(3\/3 in a row\)$/);
  });

  it("says how far along it is and what the last failure was", async () => {
    flaky = [503, 200];
    const check = new HttpCheck(spec("/flaky", { consecutiveSuccesses: 2 }));
    await check.poll();
    expect(check.detail()).toMatch(/^status 503, expected 200; body: /);
    await check.poll();
    expect(check.detail()).toMatch(/^200 in \d+ ms \(1\/2 in a row\); last failure: status 503, expected 200/);
  });
});
