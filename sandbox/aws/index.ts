/**
 * The AWS emulator's public API: a loopback AWS (ELBv2, Auto Scaling, EC2 launch templates,
 * CloudWatch) with a real data plane, its configuration, the load generator that drives traffic onto
 * its listeners, the checks of recorded calls against the AWS models, and the Postgres (PGlite) that
 * database-backed releases read and write. Everything outside
 * sandbox/aws/ imports the emulator from here; its folders are its own.
 */
export { startSandbox, type EnvironmentInfo, type Sandbox, type StartSandboxOptions } from "./sandbox";
export { defaultConfig, parseConfig, RELEASE_IMAGES, type ReleaseConfig, type ResolvedConfig, type SandboxConfig } from "./config";
export type { SandboxState } from "./world/snapshot";
export { seededRandom, type Random } from "./world/random";
export { startDatabase, type SandboxDatabase } from "./database/server";
export { startLoad, type LoadOptions, type LoadReport, type LoadRun, type TimelineSecond } from "./load";
export { parseTemplate, type Template } from "./template/parse";
export { loadTemplateFile, templateEnvironment, type TemplateEnvironment, type TemplateOptions } from "./template/to-config";
export { recheckCalls, type RecheckResult } from "./api/model-validate";
export type { CallRecord, ModelTally } from "./api/calls";
export type { FaultSpec, FaultSpecInput } from "./api/faults";
export type { Bounds, MemberRef, VendoredModel, VendoredShape } from "./api/model-types";
