/** Prometheus HTTP API: /api/v1/query_range for samples, /api/v1/query (at the window's end) for counts. */
import * as z from "../../util/zod";
import type { Point } from "../../ports/metrics";
import type { ProvidersConfig } from "./config";
import { requestJson, type Fetch, type HttpResult } from "./http";
import { guarded, type MetricProvider } from "./provider";
import { measureText } from "./text-query";

const sample = z.tuple([z.number(), z.string()]);
const body = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("success"),
    data: z.discriminatedUnion("resultType", [
      z.object({ resultType: z.literal("matrix"), result: z.array(z.object({ metric: z.record(z.string(), z.string()), values: z.array(sample) })) }),
      z.object({ resultType: z.literal("vector"), result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: sample })) }),
      z.object({ resultType: z.literal("scalar"), result: sample }),
      z.object({ resultType: z.literal("string"), result: sample }),
    ]),
  }),
  z.object({ status: z.literal("error"), errorType: z.optional(z.string()), error: z.optional(z.string()) }),
]);

/** Prometheus encodes sample values as strings, including NaN and +Inf. */
export function promValue(text: string): number {
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  return Number(text);
}

export function createPrometheusProvider(settings: NonNullable<ProvidersConfig["prometheus"]>, fetchImpl: Fetch, signal?: AbortSignal): MetricProvider {
  const headers: Record<string, string> = {};
  if (settings.bearerToken) headers.authorization = `Bearer ${settings.bearerToken}`;
  if (settings.username && settings.password) headers.authorization = `Basic ${Buffer.from(`${settings.username}:${settings.password}`).toString("base64")}`;
  const base = settings.url.replace(/\/+$/, "");

  async function call(path: string, params: Record<string, string>) {
    const url = `${base}${path}?${new URLSearchParams(params).toString()}`;
    const r = await requestJson(fetchImpl, { url, headers, credentials: headers.authorization !== undefined, timeoutMs: settings.timeoutSeconds * 1000, signal }, body);
    if (!r.ok) return r;
    if (r.data.status === "error") return { ok: false as const, message: `Prometheus ${r.data.errorType ?? "error"}: ${r.data.error ?? "no message"}` };
    return { ok: true as const, data: r.data.data };
  }

  return {
    measure: (metric, scope) =>
      guarded(`Prometheus metric ${metric.name}`, async () => {
        if (metric.provider !== "prometheus") return { kind: "error", message: `the Prometheus provider cannot measure a ${metric.provider} metric` };
        const start = String(scope.window.start.getTime() / 1000);
        const end = String(scope.window.end.getTime() / 1000);
        return measureText(metric, scope, {
          async series(query): Promise<HttpResult<Point[]>> {
            const r = await call("/api/v1/query_range", { query, start, end, step: String(metric.step) });
            if (!r.ok) return r;
            if (r.data.resultType !== "matrix") return { ok: false, message: `query_range returned ${r.data.resultType}, expected matrix` };
            const points = r.data.result.flatMap((s) => s.values.map(([t, v]) => ({ t: t * 1000, v: promValue(v) })));
            return { ok: true, data: points.sort((a, b) => a.t - b.t) };
          },
          async scalar(query): Promise<HttpResult<number>> {
            const r = await call("/api/v1/query", { query, time: end });
            if (!r.ok) return r;
            if (r.data.resultType === "scalar") return { ok: true, data: promValue(r.data.result[1]) };
            if (r.data.resultType !== "vector") return { ok: false, message: `query returned ${r.data.resultType}, expected a vector or scalar` };
            if (r.data.result.length > 1) return { ok: false, message: `query returned ${r.data.result.length} series; aggregate it to one (e.g. sum(...))` };
            return { ok: true, data: r.data.result.length === 0 ? 0 : promValue(r.data.result[0]!.value[1]) };
          },
        });
      }),
  };
}
