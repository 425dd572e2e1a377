/** CloudWatch (awsJson1_0 with x-amz-target GraniteServiceVersion20100801.<Op>, or awsQuery 2010-08-01). */
import { z } from "zod";
import type { Alarm } from "../world/model";
import { publishedUntil } from "../metrics/publication";
import { AwsError, validationError } from "./errors";
import { bool, int, list, num, parseParams, str } from "./params";
import { paginate, type ServiceDefinition } from "./service";

const invalid = (message: string) => new AwsError("InvalidParameterValue", message);

/** Epoch seconds (JSON), ISO-8601 (query) or a numeric string; returns epoch ms. */
const timestamp = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const ms = typeof v === "number" ? v * 1000 : /^[0-9]+(\.[0-9]+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: "custom", message: "Member must be a timestamp (epoch seconds or ISO-8601)" });
    return z.NEVER;
  }
  return ms;
});

const dimension = z.object({ Name: str, Value: str });
const SIMPLE_STATS = new Set(["SampleCount", "Average", "Sum", "Minimum", "Maximum"]);
const STAT_PATTERN = /^(SampleCount|Average|Sum|Minimum|Maximum|IQM|p[0-9]{1,2}(\.[0-9]+)?|p100|(tm|wm|tc|ts)[0-9]{1,2}(\.[0-9]+)?|(TM|WM|TC|TS|PR)\([0-9.:%]*\))$/;

function checkPeriod(period: number, namespace: string, where: string): void {
  const highResolution = !namespace.startsWith("AWS/") && [1, 5, 10, 20, 30].includes(period);
  if (period <= 0 || (period % 60 !== 0 && !highResolution)) {
    throw invalid(`The parameter ${where} must be a multiple of 60 (or 1, 5, 10, 20, 30 for high-resolution custom metrics); got ${period}.`);
  }
}

const ONLY_NONZERO = /^(HTTPCode_|TargetConnectionErrorCount$|RejectedConnectionCount$)/;

const OPERATORS = ["GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"] as const;

function alarmOut(alarm: Alarm) {
  const d = alarm.definition;
  const simple = SIMPLE_STATS.has(d.statistic);
  return {
    AlarmName: d.alarmName,
    AlarmArn: alarm.arn,
    AlarmDescription: alarm.description,
    AlarmConfigurationUpdatedTimestamp: new Date(alarm.configurationUpdatedAt),
    ActionsEnabled: alarm.actionsEnabled,
    OKActions: alarm.okActions,
    AlarmActions: alarm.alarmActions,
    InsufficientDataActions: alarm.insufficientDataActions,
    StateValue: alarm.state,
    StateReason: alarm.reason,
    StateUpdatedTimestamp: new Date(alarm.stateUpdatedAt),
    StateTransitionedTimestamp: new Date(alarm.stateUpdatedAt),
    MetricName: d.metricName,
    Namespace: d.namespace,
    ...(simple ? { Statistic: d.statistic } : { ExtendedStatistic: d.statistic }),
    Dimensions: d.dimensions.map((x) => ({ Name: x.name, Value: x.value })),
    Period: d.periodSeconds,
    Unit: alarm.unit,
    EvaluationPeriods: d.evaluationPeriods,
    DatapointsToAlarm: d.datapointsToAlarm,
    Threshold: d.threshold,
    ComparisonOperator: d.comparisonOperator,
    TreatMissingData: d.treatMissingData,
  };
}

export const cloudWatch: ServiceDefinition = {
  name: "CloudWatch",
  signingName: "monitoring",
  version: "2010-08-01",
  namespace: "http://monitoring.amazonaws.com/doc/2010-08-01/",
  protocol: "query",
  operations: {
    GetMetricData(raw, { world }) {
      const p = parseParams(
        z.object({
          MetricDataQueries: list(
            z.object({
              Id: z.string().regex(/^[a-z][a-zA-Z0-9_]*$/, { message: "Member must start with a lowercase letter and contain only letters, digits and underscores" }),
              MetricStat: z
                .object({
                  Metric: z.object({ Namespace: str, MetricName: str, Dimensions: list(dimension, 30).optional() }),
                  Period: int(1),
                  Stat: str,
                  Unit: str.optional(),
                })
                .optional(),
              Expression: str.optional(),
              Label: str.optional(),
              ReturnData: bool.optional(),
              Period: int(1).optional(),
              AccountId: str.optional(),
            }),
            500,
          ),
          StartTime: timestamp,
          EndTime: timestamp,
          NextToken: str.optional(),
          ScanBy: z.enum(["TimestampDescending", "TimestampAscending"]).optional(),
          MaxDatapoints: int(1).optional(),
          LabelOptions: z.object({ Timezone: str.optional() }).optional(),
        }),
        raw,
      );
      if (p.MetricDataQueries.length === 0) throw new AwsError("MissingParameter", "The parameter MetricDataQueries is required and must hold at least one query.");
      if (p.StartTime >= p.EndTime) throw validationError("The parameter StartTime must be less than the parameter EndTime.");
      const ids = new Set<string>();
      p.MetricDataQueries.forEach((q, i) => {
        if (ids.has(q.Id)) throw validationError(`The value ${q.Id} for field MetricDataQueries.member.${i + 1}.Id is duplicated.`);
        ids.add(q.Id);
        if (q.Expression !== undefined) throw invalid(`MetricDataQueries.member.${i + 1}.Expression: metric math expressions are not supported by the sandbox (query '${q.Id}'); use MetricStat.`);
        if (!q.MetricStat) throw new AwsError("MissingParameter", `MetricDataQueries.member.${i + 1} needs a MetricStat.`);
        checkPeriod(q.MetricStat.Period, q.MetricStat.Metric.Namespace, `MetricDataQueries.member.${i + 1}.MetricStat.Period`);
        if (!STAT_PATTERN.test(q.MetricStat.Stat)) throw invalid(`The value ${q.MetricStat.Stat} for parameter MetricDataQueries.member.${i + 1}.MetricStat.Stat is not a valid statistic.`);
      });
      const scanBy = p.ScanBy ?? "TimestampDescending";
      // Minutes not yet published are not served: the window is cut at the end of the newest published one.
      const end = Math.min(p.EndTime, publishedUntil(world.clock, world.metricPublicationLagSeconds));
      const results = p.MetricDataQueries.filter((q) => q.ReturnData !== false).map((q) => {
        const stat = q.MetricStat!;
        const series = end <= p.StartTime ? { timestamps: [], values: [] } : world.metrics.query({
          namespace: stat.Metric.Namespace,
          metricName: stat.Metric.MetricName,
          dimensions: (stat.Metric.Dimensions ?? []).map((d) => ({ name: d.Name, value: d.Value })),
          stat: stat.Stat,
          periodSeconds: stat.Period,
          start: p.StartTime,
          end,
          scanBy,
        });
        const points = series.timestamps
          .map((t, i) => ({ t, v: series.values[i]! }))
          .filter(({ v }) => Number.isFinite(v) && !(ONLY_NONZERO.test(stat.Metric.MetricName) && v === 0));
        return {
          Id: q.Id,
          Label: q.Label ?? stat.Metric.MetricName,
          Timestamps: points.map(({ t }) => new Date(t)),
          Values: points.map(({ v }) => v),
          StatusCode: "Complete",
          Messages: [],
        };
      });
      return { MetricDataResults: results, Messages: [] };
    },

    DescribeAlarms(raw, { world }) {
      const p = parseParams(
        z.object({
          AlarmNames: list(str, 100).optional(),
          AlarmNamePrefix: str.optional(),
          AlarmTypes: list(z.enum(["CompositeAlarm", "MetricAlarm"])).optional(),
          StateValue: z.enum(["OK", "ALARM", "INSUFFICIENT_DATA"]).optional(),
          ActionPrefix: str.optional(),
          ChildrenOfAlarmName: str.optional(),
          ParentsOfAlarmName: str.optional(),
          MaxRecords: int(1, 100).optional(),
          NextToken: str.optional(),
        }),
        raw,
      );
      if (p.AlarmNames?.length && p.AlarmNamePrefix) throw new AwsError("InvalidParameterCombination", "AlarmNames and AlarmNamePrefix cannot be used together.");
      let alarms = [...world.alarms.values()].sort((a, b) => a.definition.alarmName.localeCompare(b.definition.alarmName));
      if (p.AlarmTypes?.length && !p.AlarmTypes.includes("MetricAlarm")) alarms = [];
      if (p.AlarmNames?.length) alarms = alarms.filter((a) => p.AlarmNames!.includes(a.definition.alarmName));
      if (p.AlarmNamePrefix) alarms = alarms.filter((a) => a.definition.alarmName.startsWith(p.AlarmNamePrefix!));
      if (p.StateValue) alarms = alarms.filter((a) => a.state === p.StateValue);
      if (p.ActionPrefix) alarms = alarms.filter((a) => [...a.alarmActions, ...a.okActions, ...a.insufficientDataActions].some((x) => x.startsWith(p.ActionPrefix!)));
      const { page, next } = paginate(alarms, p.NextToken, p.MaxRecords ?? 50, () => new AwsError("InvalidNextToken", "The service returned an invalid NextToken."));
      return { MetricAlarms: page.map(alarmOut), CompositeAlarms: [], NextToken: next };
    },

    PutMetricAlarm(raw, { world }) {
      const p = parseParams(
        z.object({
          AlarmName: z.string().min(1).max(255),
          AlarmDescription: z.string().max(1024).optional(),
          ActionsEnabled: bool.optional(),
          OKActions: list(str, 5).optional(),
          AlarmActions: list(str, 5).optional(),
          InsufficientDataActions: list(str, 5).optional(),
          MetricName: str.optional(),
          Namespace: str.optional(),
          Statistic: z.enum(["SampleCount", "Average", "Sum", "Minimum", "Maximum"]).optional(),
          ExtendedStatistic: str.optional(),
          Dimensions: list(dimension, 30).optional(),
          Period: int(1).optional(),
          Unit: str.optional(),
          EvaluationPeriods: int(1),
          DatapointsToAlarm: int(1).optional(),
          Threshold: num.optional(),
          ComparisonOperator: str,
          TreatMissingData: z.enum(["missing", "notBreaching", "breaching", "ignore"]).optional(),
          EvaluateLowSampleCountPercentile: str.optional(),
          Metrics: list(z.unknown()).optional(),
          Tags: list(z.object({ Key: str, Value: str })).optional(),
          ThresholdMetricId: str.optional(),
        }),
        raw,
      );
      if (p.Metrics?.length) throw invalid("Alarms on metric math (Metrics) are not supported by the sandbox; use MetricName/Namespace/Statistic.");
      if (!p.MetricName || !p.Namespace || p.Period === undefined) throw new AwsError("MissingParameter", "MetricName, Namespace and Period are required for an alarm on a single metric.");
      if ((p.Statistic === undefined) === (p.ExtendedStatistic === undefined)) throw new AwsError("InvalidParameterCombination", "Exactly one of Statistic and ExtendedStatistic must be specified.");
      if (p.ExtendedStatistic && !STAT_PATTERN.test(p.ExtendedStatistic)) throw invalid(`The value ${p.ExtendedStatistic} for parameter ExtendedStatistic is not a valid statistic.`);
      if (p.Threshold === undefined) throw new AwsError("MissingParameter", "The parameter Threshold is required.");
      if (!(OPERATORS as readonly string[]).includes(p.ComparisonOperator)) {
        throw invalid(`ComparisonOperator '${p.ComparisonOperator}' is not supported by the sandbox; valid: ${OPERATORS.join(", ")}`);
      }
      checkPeriod(p.Period, p.Namespace, "Period");
      if (p.Period * p.EvaluationPeriods > 86400 * 7) throw invalid("The evaluation time (Period × EvaluationPeriods) must not exceed 7 days.");
      const datapoints = p.DatapointsToAlarm ?? p.EvaluationPeriods;
      if (datapoints > p.EvaluationPeriods) throw validationError("DatapointsToAlarm must be less than or equal to EvaluationPeriods.");
      world.putAlarm({
        definition: {
          alarmName: p.AlarmName,
          namespace: p.Namespace,
          metricName: p.MetricName,
          dimensions: (p.Dimensions ?? []).map((d) => ({ name: d.Name, value: d.Value })),
          statistic: p.Statistic ?? p.ExtendedStatistic!,
          periodSeconds: p.Period,
          evaluationPeriods: p.EvaluationPeriods,
          datapointsToAlarm: datapoints,
          threshold: p.Threshold,
          comparisonOperator: p.ComparisonOperator as (typeof OPERATORS)[number],
          treatMissingData: p.TreatMissingData ?? "missing",
        },
        actionsEnabled: p.ActionsEnabled ?? true,
        alarmActions: p.AlarmActions ?? [],
        okActions: p.OKActions ?? [],
        insufficientDataActions: p.InsufficientDataActions ?? [],
        description: p.AlarmDescription,
        unit: p.Unit,
      });
      return {};
    },

    PutMetricData(raw, { world }) {
      const p = parseParams(
        z.object({
          Namespace: z.string().min(1).max(255),
          MetricData: list(
            z.object({
              MetricName: str,
              Dimensions: list(dimension, 30).optional(),
              Timestamp: timestamp.optional(),
              Value: num.optional(),
              StatisticValues: z.object({ SampleCount: num, Sum: num, Minimum: num, Maximum: num }).optional(),
              Values: list(num, 150).optional(),
              Counts: list(num, 150).optional(),
              Unit: str.optional(),
              StorageResolution: int(1, 60).optional(),
            }),
            1000,
          ).optional(),
          EntityMetricData: list(z.unknown()).optional(),
          StrictEntityValidation: bool.optional(),
        }),
        raw,
      );
      if (p.Namespace.startsWith("AWS/")) throw invalid(`The value ${p.Namespace} for parameter Namespace is invalid: the AWS/ prefix is reserved.`);
      const data = p.MetricData ?? [];
      if (data.length === 0) throw new AwsError("MissingParameter", "The parameter MetricData is required.");
      const now = world.clock.now();
      data.forEach((d, i) => {
        const dims = (d.Dimensions ?? []).map((x) => ({ name: x.Name, value: x.Value }));
        const at = d.Timestamp ?? now;
        if (d.Values?.length) {
          if (d.Counts && d.Counts.length !== d.Values.length) throw new AwsError("InvalidParameterValue", `MetricData.member.${i + 1}: Values and Counts must have the same length.`);
          d.Values.forEach((v, j) => {
            const count = Math.max(1, Math.round(d.Counts?.[j] ?? 1));
            for (let n = 0; n < count; n++) world.metrics.put(p.Namespace, d.MetricName, dims, v, at);
          });
        } else if (d.StatisticValues) {
          const { SampleCount, Sum } = d.StatisticValues;
          const n = Math.max(1, Math.round(SampleCount));
          for (let k = 0; k < n; k++) world.metrics.put(p.Namespace, d.MetricName, dims, Sum / n, at);
        } else if (d.Value !== undefined) {
          world.metrics.put(p.Namespace, d.MetricName, dims, d.Value, at);
        } else {
          throw new AwsError("MissingParameter", `MetricData.member.${i + 1} needs a Value, Values or StatisticValues.`);
        }
      });
      return {};
    },
  },
};
