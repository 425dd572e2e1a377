/**
 * One HTTP check: GET a URL and judge the answer (status, latency, JSON body), and count how many
 * answers in a row passed. A failed answer is data (a probe with a reason), never a throw; only a
 * cancelled job throws.
 */
import type { Fetch } from "../util/node-fetch";
import { errorMessage } from "../util/errors";
import { requestTimeout } from "../util/timeout";
import { untrusted } from "../util/untrusted";
import { checkExpectation, type JsonExpectation } from "./json-expectation";

export interface StatusRange {
  min: number;
  max: number;
}

export interface HttpHeader {
  name: string;
  value: string;
  /** Credentials: the value is masked in logs and never written anywhere. */
  sensitive: boolean;
}

export interface HttpCheckSpec {
  url: string;
  expectedStatus: StatusRange[];
  expectJson: JsonExpectation[];
  /** Longest acceptable time from sending the request to the end of the body, in ms. */
  maxLatencyMs?: number | undefined;
  requestTimeoutMs: number;
  consecutiveSuccesses: number;
  headers: HttpHeader[];
}

export interface HttpProbe {
  ok: boolean;
  status?: number | undefined;
  latencyMs: number;
  /** What was seen when it passed; exactly why when it did not. */
  detail: string;
}

export interface HttpCheckDeps {
  fetch?: Fetch | undefined;
  /** Milliseconds, for latency. */
  now?: (() => number) | undefined;
  /** Aborts a request in flight when the job is cancelled. */
  signal?: AbortSignal | undefined;
  userAgent?: string | undefined;
}

/** Bodies are read up to this size; JSON expectations need the whole body within it. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
export const EXCERPT_CHARS = 200;

// --- expected status ---------------------------------------------------------------------------

/** `200`, `200-299`, `200,204`, `200-299,301`. */
export function parseExpectedStatus(text: string): StatusRange[] | string {
  const ranges: StatusRange[] = [];
  for (const part of text.split(",").map((p) => p.trim())) {
    const m = /^(\d{3})(?:\s*-\s*(\d{3}))?$/.exec(part);
    const min = Number(m?.[1]);
    const max = m?.[2] ? Number(m[2]) : min;
    if (!m || min < 100 || max > 599 || min > max) return `"${part}" is not a status code from 100 to 599 or a range like 200-299`;
    ranges.push({ min, max });
  }
  return ranges;
}

export function formatStatus(ranges: StatusRange[]): string {
  return ranges.map((r) => (r.min === r.max ? `${r.min}` : `${r.min}-${r.max}`)).join(",");
}

export function statusMatches(ranges: StatusRange[], status: number): boolean {
  return ranges.some((r) => status >= r.min && status <= r.max);
}

// --- headers ---------------------------------------------------------------------------------

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const SENSITIVE = /authorization|cookie|api[-_]?key|token|secret|password|passwd|session|signature|credential|^x-auth/i;

export function isSensitiveHeader(name: string): boolean {
  return SENSITIVE.test(name);
}

/** Parses `Name: value` lines. Errors give the line number and the name only, never a value. */
export function parseHeaderLines(lines: string[]): HttpHeader[] | string {
  const headers: HttpHeader[] = [];
  for (const [i, line] of lines.entries()) {
    const colon = line.indexOf(":");
    const name = colon > 0 ? line.slice(0, colon).trim() : "";
    const value = colon > 0 ? line.slice(colon + 1).trim() : "";
    if (!TOKEN.test(name)) return `line ${i + 1} is not "Name: value" (a header name is letters, digits and !#$%&'*+.^_\`|~-, followed by a colon)`;
    if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) return `line ${i + 1} (${name}): the value contains control characters`;
    if (/^(content-length|transfer-encoding|connection|upgrade|te|trailer|keep-alive)$/i.test(name)) return `line ${i + 1}: ${name} is managed by the HTTP client and cannot be set`;
    if (/^host$/i.test(name) && headers.some((h) => /^host$/i.test(h.name))) return `line ${i + 1}: Host is given twice`;
    headers.push({ name, value, sensitive: isSensitiveHeader(name) });
  }
  return headers;
}

// --- body excerpt ----------------------------------------------------------------------------

/**
 * At most 200 characters of a body, on one line, through `untrusted()`: line breaks and runs of
 * whitespace read as one space, other control and bidirectional characters as escapes, and a
 * runner command (`::` at the start, `##[` anywhere) is neutralised.
 */
export function excerpt(body: string, max = EXCERPT_CHARS): string {
  return untrusted(body.replace(/[\r\n\t ]+/g, " ").trim(), max);
}

// --- one request -----------------------------------------------------------------------------

async function readBody(response: Response): Promise<{ text: string; truncated: boolean }> {
  if (!response.body) return { text: "", truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > BODY_LIMIT_BYTES) {
      truncated = true;
      await reader.cancel().catch(() => undefined);
      break;
    }
    chunks.push(value);
  }
  return { text: new TextDecoder().decode(Buffer.concat(chunks)), truncated };
}

function describeFailure(error: unknown): string {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  const inner = cause instanceof Error ? cause : error;
  const code = (inner as { code?: unknown } | undefined)?.code;
  const message = errorMessage(inner);
  return typeof code === "string" && !message.includes(code) ? `${code} ${message}` : message;
}

function judge(spec: HttpCheckSpec, status: number, latencyMs: number, body: { text: string; truncated: boolean }): HttpProbe {
  const seen = `${status} in ${latencyMs} ms`;
  const fail = (why: string): HttpProbe => ({ ok: false, status, latencyMs, detail: `${why}; body: ${excerpt(body.text) || "(empty)"}` });
  if (!statusMatches(spec.expectedStatus, status)) return fail(`status ${status}, expected ${formatStatus(spec.expectedStatus)}`);
  if (spec.maxLatencyMs !== undefined && latencyMs > spec.maxLatencyMs) return fail(`${seen}, over max-latency ${spec.maxLatencyMs} ms`);
  if (spec.expectJson.length > 0) {
    if (body.truncated) return { ok: false, status, latencyMs, detail: `${seen}, but the body is over ${BODY_LIMIT_BYTES} bytes, too large to check expect-json` };
    let json: unknown;
    try {
      json = JSON.parse(body.text);
    } catch {
      return fail(`${seen}, but the body is not JSON`);
    }
    const mismatches = spec.expectJson.map((e) => checkExpectation(json, e)).filter((m): m is string => m !== undefined);
    if (mismatches.length > 0) return fail(`${seen}, but ${mismatches.join("; ")}`);
  }
  return { ok: true, status, latencyMs, detail: seen };
}

/** Sends one GET and judges the answer. Throws only when `deps.signal` aborts (the job is cancelled). */
export async function probeHttp(spec: HttpCheckSpec, deps: HttpCheckDeps = {}): Promise<HttpProbe> {
  const now = deps.now ?? (() => performance.now());
  const { signal, timedOut } = requestTimeout(spec.requestTimeoutMs, deps.signal);
  const headers: [string, string][] = spec.headers.map((h) => [h.name, h.value]);
  if (!spec.headers.some((h) => h.name.toLowerCase() === "user-agent")) headers.push(["user-agent", deps.userAgent ?? "zero-downtime-actions/health-gate"]);
  const started = now();
  const elapsed = () => Math.round(now() - started);
  try {
    // node:http and node:https load only when a URL is checked, never before the inputs are valid.
    const fetch = deps.fetch ?? (await import("../util/node-fetch")).nodeFetch;
    const response = await fetch(spec.url, { method: "GET", headers, redirect: "manual", signal });
    const body = await readBody(response);
    return judge(spec, response.status, elapsed(), body);
  } catch (error) {
    if (deps.signal?.aborted) throw deps.signal.reason;
    if (timedOut()) {
      return { ok: false, latencyMs: elapsed(), detail: `no complete response within ${spec.requestTimeoutMs / 1000}s (request-timeout)` };
    }
    return { ok: false, latencyMs: elapsed(), detail: `request failed: ${describeFailure(error)}` };
  }
}

// --- a check over time -------------------------------------------------------------------------

/** A URL polled again and again; passes after `consecutiveSuccesses` good answers in a row. */
export class HttpCheck {
  /** Good answers in a row, reset by any failure. */
  streak = 0;
  requests = 0;
  last: HttpProbe | undefined;
  lastFailure: HttpProbe | undefined;

  constructor(
    readonly spec: HttpCheckSpec,
    private readonly deps: HttpCheckDeps = {},
  ) {}

  get passed(): boolean {
    return this.streak >= this.spec.consecutiveSuccesses;
  }

  async poll(): Promise<HttpProbe> {
    const probe = await probeHttp(this.spec, this.deps);
    this.requests++;
    this.last = probe;
    if (probe.ok) this.streak++;
    else {
      this.streak = 0;
      this.lastFailure = probe;
    }
    return probe;
  }

  /** In words, for progress lines, outputs and the summary. */
  detail(): string {
    const required = this.spec.consecutiveSuccesses;
    if (!this.last) return "not checked yet";
    if (!this.last.ok) return this.last.detail;
    const streak = `${Math.min(this.streak, required)}/${required} in a row`;
    if (this.passed) return `${this.last.detail} (${streak})`;
    const before = this.lastFailure ? `; last failure: ${this.lastFailure.detail}` : "";
    return `${this.last.detail} (${streak})${before}`;
  }
}
