/** The canary judge's public API. */
export { analyzeCanary, createSequentialJudge, judgeMeasurements, type AnalysisContext, type AnalysisDeps, type CanaryReport, type Look, type SequentialJudge, type SequentialPlan } from "../analyze/analyze";
export { classifyMetric } from "./classify";
export { hodgesLehmann, mannWhitney } from "./mann-whitney";
export { twoProportionTest } from "./proportions";
export { decide, type Band, type Verdict } from "./score";
export { alphaSpent, boundaries, lookLevel, type SpendingFunction } from "./sequential";
export type { Measurement, MetricResult } from "./types";
