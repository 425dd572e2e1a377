/** JSON over HTTP with a timeout, validated by a zod schema. Failures come back as messages. */
import type * as z from "../util/zod";
import { errorMessage } from "../util/errors";

export type Fetch = typeof globalThis.fetch;

export type HttpResult<T> = { ok: true; data: T } | { ok: false; message: string };

export interface JsonRequest {
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
}

export async function requestJson<S extends z.ZodMiniType>(fetchImpl: Fetch, req: JsonRequest, schema: S): Promise<HttpResult<z.infer<S>>> {
  const target = new URL(req.url);
  const where = `${req.method ?? "GET"} ${target.origin}${target.pathname}`;
  let response: Response;
  try {
    response = await fetchImpl(req.url, {
      method: req.method ?? "GET",
      headers: { accept: "application/json", ...(req.body !== undefined ? { "content-type": "application/json" } : {}), ...req.headers },
      ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
      signal: AbortSignal.timeout(req.timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    return { ok: false, message: timedOut ? `${where} timed out after ${req.timeoutMs} ms` : `${where} failed: ${errorMessage(error)}` };
  }
  const text = await response.text().catch(() => "");
  if (!response.ok) return { ok: false, message: `${where} returned HTTP ${response.status}: ${text.slice(0, 300)}` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, message: `${where} returned a body that is not JSON: ${text.slice(0, 120)}` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, message: `${where} returned an unexpected body: ${parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")}` };
  return { ok: true, data: parsed.data };
}
