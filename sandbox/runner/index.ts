/**
 * A local runner that runs the project's JavaScript actions and workflow files the way a GitHub
 * runner does: INPUT_* variables and defaults, file commands, workflow commands and masking, post
 * steps with post-if and STATE_*, cancellation by SIGINT → SIGTERM → SIGKILL, and a workflow subset.
 */
export { runAction, type ActionRunResult, type RunActionOptions } from "./run-action";
export { runWorkflow, loadWorkflow } from "./workflow/run-workflow";
export type {
  JobResult,
  JobRunResult,
  RunWorkflowOptions,
  StepEvent,
  StepObserver,
  StepOutcome,
  WorkflowRunResult,
  WorkflowStepResult,
} from "./workflow/types";
export { defaultResolver, KNOWN_USES_HELP, type ActionResolver, type BuiltinAction, type DefaultResolverOptions, type ResolvedAction } from "./workflow/resolver";
export { SANDBOX_AWS_CREDENTIALS, type SandboxAwsCredentials } from "./workflow/builtins";
export { DispatchError, resolveDispatchInputs, type ResolvedDispatchInputs } from "./workflow/dispatch-inputs";
export { orderJobs } from "./workflow/graph";
export type { Annotation, StepRunResult } from "./types";
export { loadActionDefinition, inputVariableName, type ActionDefinition } from "./action-definition";
export { escapeData, escapeProperty, parseCommandLine, unescapeData, unescapeProperty, type WorkflowCommand } from "./commands";
export { EnvFileError, parseEnvFile } from "./env-files";
export { Masker } from "./masking";
export { RUNNER_CANCEL_TIMINGS, runProcess, type CancelTimings, type ProcessOutcome, type ProcessRequest, type SignalSent } from "./process";
export { GithubSettingsSchema, parseGithubSettings, type GithubSettings, type GithubSettingsInput } from "./github-context";
export * from "./expressions";
export { WorkflowSchema, type Workflow } from "./workflow/schema";
export { chartAsText, renderMarkdown } from "./render";
