/** Datadog metrics query API (GET /api/v1/query) with DD-API-KEY / DD-APPLICATION-KEY headers. */
import * as z from "../../util/zod";
import type { Point } from "../../ports/metrics";
import type { ProvidersConfig } from "./config";
import { requestJson, type Fetch, type HttpResult } from "./http";
import { guarded, type MetricProvider } from "./provider";
import { measureText } from "./text-query";

const body = z.object({
  status: z.optional(z.string()),
  error: z.optional(z.string()),
  series: z._default(z.array(z.object({ pointlist: z.array(z.tuple([z.number(), z.nullable(z.number())])) })), []),
});

export function createDatadogProvider(settings: NonNullable<ProvidersConfig["datadog"]>, fetchImpl: Fetch, signal?: AbortSignal): MetricProvider {
  const base = settings.url.replace(/\/+$/, "");
  const headers = { "DD-API-KEY": settings.apiKey, "DD-APPLICATION-KEY": settings.applicationKey };
  return {
    measure: (metric, scope) =>
      guarded(`Datadog metric ${metric.name}`, async () => {
        if (metric.provider !== "datadog") return { kind: "error", message: `the Datadog provider cannot measure a ${metric.provider} metric` };
        const from = String(Math.floor(scope.window.start.getTime() / 1000));
        const to = String(Math.floor(scope.window.end.getTime() / 1000));
        async function points(query: string): Promise<HttpResult<Point[]>> {
          const url = `${base}/api/v1/query?${new URLSearchParams({ from, to, query }).toString()}`;
          const r = await requestJson(fetchImpl, { url, headers, credentials: true, timeoutMs: settings.timeoutSeconds * 1000, signal }, body);
          if (!r.ok) return r;
          if (r.data.status === "error" || r.data.error) return { ok: false, message: `Datadog: ${r.data.error ?? "status error"}` };
          const all = r.data.series.flatMap((s) => s.pointlist.filter((p): p is [number, number] => p[1] !== null).map(([t, v]) => ({ t, v })));
          return { ok: true, data: all.sort((a, b) => a.t - b.t) };
        }
        return measureText(metric, scope, {
          series: points,
          async scalar(query) {
            const r = await points(query);
            return r.ok ? { ok: true, data: r.data.reduce((acc, p) => acc + p.v, 0) } : r;
          },
        });
      }),
  };
}
