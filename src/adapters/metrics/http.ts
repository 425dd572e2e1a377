/**
 * JSON over HTTP for the metric providers, validated by a zod schema. Failures come back as
 * messages. Every request has a timeout that covers the body too, never follows a redirect (the
 * API keys of Datadog and New Relic are custom headers, which fetch would carry to any origin a
 * redirect names), refuses plain http with credentials except on loopback, and reads at most
 * `maxBytes` of the body, so an endless answer can neither exhaust memory nor outlive the timeout.
 */
import { type Fetch, nodeFetch } from "../../util/node-fetch";
import { requestTimeout } from "../../util/timeout";
import type * as z from "../../util/zod";
import { errorMessage } from "../../util/errors";

/** The one fetch shape of the suite (src/util/node-fetch.ts); `globalThis.fetch` fits it too (tests). */
export type { Fetch };

/**
 * The providers' transport: node:http(s) with a fresh connection per request, never following a
 * redirect. Lighter than the global fetch, which loads its own HTTP stack (about 17 MiB on Node 24).
 */
export const providerFetch: Fetch = nodeFetch;

export type HttpResult<T> = { ok: true; data: T } | { ok: false; message: string };

/**
 * The most of a response body a provider reads: 1 MiB. An aggregated query answers in kilobytes (a
 * day of one series at a 60 s step is about 40 KB); reading costs about three times the bytes read
 * in memory until the garbage collector catches up, so the cap is what bounds a hostile answer.
 */
export const MAX_RESPONSE_BYTES = 1024 * 1024;
/** The most of all response bodies held at once, over the requests in flight (they run in parallel). */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
let buffered = 0;
/** The most of an error body read for the message. */
const ERROR_BODY_BYTES = 1024;

export interface JsonRequest {
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
  /** The headers carry credentials: the URL must be https (or loopback). */
  credentials?: boolean;
  /** Largest body read (default MAX_RESPONSE_BYTES). */
  maxBytes?: number;
  /** Cancels the request (the step is cancelled). */
  signal?: AbortSignal | undefined;
}

const LOOPBACK_NAMES = new Set(["localhost", "[::1]"]);

/** 127.0.0.0/8, ::1 and localhost: a test's server on this machine. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_NAMES.has(hostname.toLowerCase()) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** Why credentials must not be sent to this URL, or undefined when they may. */
export function insecureCredentialsProblem(url: string): string | undefined {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return "is not a URL";
  }
  if (target.protocol === "https:" || (target.protocol === "http:" && isLoopbackHost(target.hostname))) return undefined;
  return `must be https:// when credentials are configured (plain http would send them readable on the network; only loopback hosts may use http), not ${target.protocol}//${target.host}`;
}

type Body = { ok: true; text: string } | { ok: false; message: string };

/**
 * Reads at most `limit` bytes; past it, stops reading and says so (or keeps the first `limit` bytes
 * when `truncate`). Bodies held at once stay under MAX_BUFFERED_BYTES together.
 */
async function readCapped(response: Response, limit: number, truncate: boolean): Promise<Body> {
  const reader = response.body?.getReader();
  if (!reader) return { ok: true, text: "" };
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (size + value.byteLength > limit) {
        if (truncate) chunks.push(value.subarray(0, limit - size));
        await reader.cancel().catch(() => undefined);
        if (truncate) break;
        return { ok: false, message: `response larger than ${limit} bytes; stopped reading it` };
      }
      if (buffered + value.byteLength > MAX_BUFFERED_BYTES) {
        await reader.cancel().catch(() => undefined);
        return { ok: false, message: `responses read at once exceed ${MAX_BUFFERED_BYTES} bytes together; stopped reading this one at ${size} bytes` };
      }
      chunks.push(value);
      size += value.byteLength;
      buffered += value.byteLength;
    }
    return { ok: true, text: Buffer.concat(chunks).toString("utf8") };
  } finally {
    buffered -= size;
  }
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}

/** A one-line excerpt of text from a provider: control characters become spaces. */
function excerpt(text: string, length: number): string {
  return text.slice(0, length).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ");
}

export async function requestJson<S extends z.ZodMiniType>(fetchImpl: Fetch, req: JsonRequest, schema: S): Promise<HttpResult<z.infer<S>>> {
  const target = new URL(req.url);
  const where = `${req.method ?? "GET"} ${target.origin}${target.pathname}`;
  if (req.credentials) {
    const problem = insecureCredentialsProblem(req.url);
    if (problem) return { ok: false, message: `${where}: the URL ${problem}` };
  }
  const { signal, timedOut } = requestTimeout(req.timeoutMs, req.signal);
  const failed = (error: unknown): HttpResult<never> => {
    if (timedOut()) return { ok: false, message: `${where} timed out after ${req.timeoutMs} ms` };
    if (req.signal?.aborted) return { ok: false, message: `${where} was cancelled: ${errorMessage(req.signal.reason)}` };
    return { ok: false, message: `${where} failed: ${isAbort(error) ? "aborted" : errorMessage(error)}` };
  };
  let response: Response;
  let body: Body;
  try {
    response = await fetchImpl(req.url, {
      method: req.method ?? "GET",
      headers: Object.entries({ accept: "application/json", "user-agent": "zero-downtime-actions", ...(req.body !== undefined ? { "content-type": "application/json" } : {}), ...req.headers }),
      ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
      redirect: "manual",
      signal,
    });
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel().catch(() => undefined);
      return { ok: false, message: `${where} answered HTTP ${response.status}, a redirect; redirects are refused, so credentials never reach another origin (give the final URL)` };
    }
    body = await readCapped(response, response.ok ? (req.maxBytes ?? MAX_RESPONSE_BYTES) : ERROR_BODY_BYTES, !response.ok);
  } catch (error) {
    return failed(error);
  }
  if (!body.ok) return { ok: false, message: `${where}: ${body.message}` };
  if (!response.ok) return { ok: false, message: `${where} returned HTTP ${response.status}: ${excerpt(body.text, 300)}` };
  let json: unknown;
  try {
    json = JSON.parse(body.text);
  } catch {
    return { ok: false, message: `${where} returned a body that is not JSON: ${excerpt(body.text, 120)}` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, message: `${where} returned an unexpected body: ${parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")}` };
  return { ok: true, data: parsed.data };
}
