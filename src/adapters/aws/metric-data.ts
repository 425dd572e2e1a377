/** The SDK adapter under the MetricDataReader port (src/ports/metrics.ts): GetMetricData with NextToken paging. */
import type { AwsClients } from "./clients";
import { wrapError } from "../../util/errors";
import type { MetricDataReader, MetricSeries } from "../../ports/metrics";

export function createMetricDataReader(clients: AwsClients): MetricDataReader {
  return {
    async read(queries, start, end) {
      const { GetMetricDataCommand } = await import("@aws-sdk/client-cloudwatch");
      const client = await clients.cloudWatch();
      const byId = new Map<string, MetricSeries>(queries.map((q) => [q.id, { id: q.id, timestamps: [], values: [], status: "Complete", messages: [] }]));
      let nextToken: string | undefined;
      do {
        let out;
        try {
          out = await client.send(
            new GetMetricDataCommand({
              MetricDataQueries: queries.map((q) => ({
                Id: q.id,
                MetricStat: {
                  Metric: { Namespace: q.namespace, MetricName: q.metric, Dimensions: q.dimensions.map((d) => ({ Name: d.name, Value: d.value })) },
                  Period: q.period,
                  Stat: q.stat,
                },
                ReturnData: true,
              })),
              StartTime: start,
              EndTime: end,
              ScanBy: "TimestampAscending",
              NextToken: nextToken,
            }),
          );
        } catch (error) {
          throw wrapError("CloudWatch GetMetricData", error);
        }
        for (const r of out.MetricDataResults ?? []) {
          const s = byId.get(r.Id ?? "");
          if (!s) continue;
          (r.Timestamps ?? []).forEach((t, i) => {
            s.timestamps.push(t.getTime());
            s.values.push(r.Values?.[i] ?? Number.NaN);
          });
          s.status = r.StatusCode ?? s.status;
          for (const m of r.Messages ?? []) s.messages.push(`${m.Code ?? ""} ${m.Value ?? ""}`.trim());
        }
        nextToken = out.NextToken;
      } while (nextToken);
      return [...byId.values()];
    },
  };
}
