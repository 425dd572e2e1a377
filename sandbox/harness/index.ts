/**
 * The test harness's public API: what the end-to-end tests, the bench and the demo use to stage a
 * scenario. A stage is the emulator started with the blue/green environment and load on its
 * listener; the weight invariant checks the emulator's weight history; the example workflow runs
 * examples/deploy.yml in the workflow runner against a stage.
 */
export {
  actionDir,
  healthyCount,
  REPO_ROOT,
  sandboxMetricsDelay,
  sandboxPropagationDelay,
  sandboxStableFor,
  stageConfig,
  startStage,
  TEMPLATE_FILE,
  templateConfig,
  waitFor,
  type ActionName,
  type Stage,
  type StageOptions,
} from "./stage";
export { describeEntry, shareSteps, sharesOf, weightInvariantViolations, type InvariantViolation, type WeightHistory } from "./invariant";
export { DEMO_ANALYSIS_CONFIG, DEMO_VARS, exampleVars, runExampleWorkflow, scratchDir, type WorkflowRunOptions } from "./workflow";
export { prometheusAnalysisConfig, prometheusBinary, startPrometheus, type PrometheusServer } from "./prometheus";
