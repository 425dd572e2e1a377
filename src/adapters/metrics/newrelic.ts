/** New Relic NerdGraph (GraphQL) NRQL queries with the API-Key header. */
import * as z from "../../util/zod";
import type { Point } from "../../ports/metrics";
import type { ProvidersConfig } from "./config";
import { requestJson, type Fetch, type HttpResult } from "./http";
import { guarded, type MetricProvider } from "./provider";
import { measureText } from "./text-query";

const GRAPHQL = "query($accountId: Int!, $nrql: Nrql!) { actor { account(id: $accountId) { nrql(query: $nrql) { results } } } }";

const body = z.object({
  data: z.optional(
    z.nullable(z.object({ actor: z.object({ account: z.nullable(z.object({ nrql: z.nullable(z.object({ results: z.array(z.record(z.string(), z.unknown())) })) })) }) })),
  ),
  errors: z.optional(z.array(z.object({ message: z.string() }))),
});

const TIME_FIELDS = new Set(["beginTimeSeconds", "endTimeSeconds", "timestamp", "facet"]);

/** The number in a result row: the named field, or the only numeric field (percentiles come nested). */
export function rowValue(row: Record<string, unknown>, field: string | undefined): number | undefined {
  const pick = (v: unknown): number | undefined => {
    if (typeof v === "number") return v;
    if (v === null) return Number.NaN;
    if (v && typeof v === "object") {
      const inner = Object.values(v as Record<string, unknown>).filter((x) => typeof x === "number");
      return inner.length === 1 ? (inner[0] as number) : undefined;
    }
    return undefined;
  };
  if (field) return pick(row[field]);
  const candidates = Object.entries(row).filter(([k]) => !TIME_FIELDS.has(k));
  return candidates.length === 1 ? pick(candidates[0]![1]) : undefined;
}

export function createNewRelicProvider(settings: NonNullable<ProvidersConfig["newrelic"]>, fetchImpl: Fetch, signal?: AbortSignal): MetricProvider {
  return {
    measure: (metric, scope) =>
      guarded(`New Relic metric ${metric.name}`, async () => {
        if (metric.provider !== "newrelic") return { kind: "error", message: `the New Relic provider cannot measure a ${metric.provider} metric` };
        const since = ` SINCE ${scope.window.start.getTime()} UNTIL ${scope.window.end.getTime()}`;
        async function rows(query: string): Promise<HttpResult<Array<Record<string, unknown>>>> {
          const nrql = /\bSINCE\b/i.test(query) ? query : query + since;
          const r = await requestJson(
            fetchImpl,
            {
              url: settings.url,
              method: "POST",
              headers: { "API-Key": settings.apiKey },
              credentials: true,
              body: { query: GRAPHQL, variables: { accountId: settings.accountId, nrql } },
              timeoutMs: settings.timeoutSeconds * 1000,
              signal,
            },
            body,
          );
          if (!r.ok) return r;
          if (r.data.errors?.length) return { ok: false, message: `NerdGraph: ${r.data.errors.map((e) => e.message).join("; ")}` };
          const results = r.data.data?.actor.account?.nrql?.results;
          if (!results) return { ok: false, message: "NerdGraph returned no results (check the account id)" };
          return { ok: true, data: results };
        }
        const field = metric.field;
        return measureText(metric, scope, {
          async series(query) {
            const r = await rows(query);
            if (!r.ok) return r;
            const points: Point[] = [];
            for (const row of r.data) {
              const v = rowValue(row, field);
              if (v === undefined) return { ok: false, message: `cannot tell which field of ${JSON.stringify(row).slice(0, 120)} is the value; set field` };
              points.push({ t: typeof row.beginTimeSeconds === "number" ? row.beginTimeSeconds * 1000 : points.length, v });
            }
            return { ok: true, data: points };
          },
          async scalar(query) {
            const r = await rows(query);
            if (!r.ok) return r;
            const v = r.data[0] ? rowValue(r.data[0], field) : 0;
            if (v === undefined) return { ok: false, message: `cannot tell which field of ${JSON.stringify(r.data[0]).slice(0, 120)} is the count; set field` };
            return { ok: true, data: v };
          },
        });
      }),
  };
}
