import { cp, mkdir, readdir, stat } from "node:fs/promises";
import { basename, join, relative, resolve } from "node:path";
import type { Masker } from "../masking";
import { emptyStepResult, type StepRunResult } from "../types";
import type { BuiltinAction } from "./resolver";

/** Credentials the configure-aws-credentials stand-in exports (the sandbox accepts any). */
export interface SandboxAwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export const SANDBOX_AWS_CREDENTIALS: SandboxAwsCredentials = {
  accessKeyId: "AKIASANDBOXLOCAL0001",
  secretAccessKey: "sandbox-secret-access-key-for-local-runs-only",
  sessionToken: "sandbox-session-token-for-local-runs-only",
};

export interface BuiltinContext {
  with: Record<string, string>;
  workspace: string;
  artifactsDir: string;
  masker: Masker;
  awsCredentials: SandboxAwsCredentials;
  /** Artifact ids are numbered per run. */
  nextArtifactId(): number;
}

class BuiltinFailure extends Error {}

function required(ctx: BuiltinContext, name: string): string {
  const value = ctx.with[name]?.trim() ?? "";
  if (value === "") throw new BuiltinFailure(`Input required and not supplied: ${name}`);
  return value;
}

function insideWorkspace(ctx: BuiltinContext, path: string, input: string): string {
  const full = resolve(ctx.workspace, path);
  const rel = relative(ctx.workspace, full);
  if (rel.startsWith("..")) throw new BuiltinFailure(`Input '${input}': '${path}' is outside the workspace`);
  return full;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function checkout(ctx: BuiltinContext, ref: string): Promise<Partial<StepRunResult>> {
  return {
    log: [`actions/checkout@${ref} is simulated: the workspace ${ctx.workspace} is used as it is (nothing fetched)`],
    outputs: { ref: ctx.with.ref ?? "", commit: "" },
  };
}

async function configureAwsCredentials(ctx: BuiltinContext): Promise<Partial<StepRunResult>> {
  const region = required(ctx, "aws-region");
  if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region)) throw new BuiltinFailure(`Region is not valid: ${region}`);
  const keyId = ctx.with["aws-access-key-id"]?.trim();
  const role = ctx.with["role-to-assume"]?.trim();
  const env: Record<string, string> = { AWS_REGION: region, AWS_DEFAULT_REGION: region };
  const outputs: Record<string, string> = {};
  const log: string[] = [];
  if (keyId) {
    env.AWS_ACCESS_KEY_ID = keyId;
    env.AWS_SECRET_ACCESS_KEY = required(ctx, "aws-secret-access-key");
    const token = ctx.with["aws-session-token"]?.trim();
    if (token) env.AWS_SESSION_TOKEN = token;
  } else {
    env.AWS_ACCESS_KEY_ID = ctx.awsCredentials.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = ctx.awsCredentials.secretAccessKey;
    if (ctx.awsCredentials.sessionToken) env.AWS_SESSION_TOKEN = ctx.awsCredentials.sessionToken;
  }
  if (role) {
    const account = /^arn:aws[a-z-]*:iam::(\d{12}):role\//.exec(role)?.[1];
    if (!account) throw new BuiltinFailure(`Input 'role-to-assume': '${role}' is not an IAM role ARN (arn:aws:iam::<12 digits>:role/<name>)`);
    outputs["aws-account-id"] = account;
    log.push(`Assuming role ${role} (simulated: sandbox credentials are exported)`);
  }
  ctx.masker.add(env.AWS_SECRET_ACCESS_KEY ?? "");
  if (env.AWS_SESSION_TOKEN) ctx.masker.add(env.AWS_SESSION_TOKEN);
  log.push(`Configured AWS credentials for region ${region} (simulated)`);
  return { env, outputs, log };
}

async function uploadArtifact(ctx: BuiltinContext): Promise<Partial<StepRunResult>> {
  const name = ctx.with.name?.trim() || "artifact";
  const paths = required(ctx, "path")
    .split(/\r?\n/)
    .map((p) => p.trim())
    .filter((p) => p !== "" && !p.startsWith("!"));
  const target = join(ctx.artifactsDir, name);
  if ((await exists(target)) && ctx.with.overwrite !== "true") {
    throw new BuiltinFailure(`Failed to CreateArtifact: an artifact with this name already exists on the workflow run: ${name}`);
  }
  const log: string[] = [];
  const annotations: StepRunResult["annotations"] = [];
  await mkdir(target, { recursive: true });
  let copied = 0;
  for (const path of paths) {
    if (/[*?[\]]/.test(path)) throw new BuiltinFailure(`Input 'path': glob patterns are not supported by this runner ('${path}'); list files or directories`);
    const source = insideWorkspace(ctx, path, "path");
    if (!(await exists(source))) continue;
    const isDir = (await stat(source)).isDirectory();
    // A lone directory becomes the artifact's root, as the real action does; files keep their names.
    const destination = isDir && paths.length === 1 ? target : join(target, basename(source));
    await cp(source, destination, { recursive: true });
    copied++;
    log.push(`Added ${path} to artifact '${name}'`);
  }
  if (copied === 0) {
    const mode = ctx.with["if-no-files-found"] ?? "warn";
    const message = `No files were found with the provided path: ${paths.join(", ")}. No artifacts will be uploaded.`;
    if (mode === "error") throw new BuiltinFailure(message);
    if (mode === "warn") annotations.push({ level: "warning", message, properties: {} });
    return { log, annotations, outputs: {} };
  }
  const id = String(ctx.nextArtifactId());
  return { log, annotations, outputs: { "artifact-id": id, "artifact-url": `file://${target}` } };
}

async function downloadArtifact(ctx: BuiltinContext): Promise<Partial<StepRunResult>> {
  const name = ctx.with.name?.trim();
  const destination = insideWorkspace(ctx, ctx.with.path?.trim() || ".", "path");
  const available = await readdir(ctx.artifactsDir);
  const log: string[] = [];
  if (name) {
    if (!available.includes(name)) throw new BuiltinFailure(`Artifact not found for name: ${name}; uploaded in this run: ${available.join(", ") || "none"}`);
    await cp(join(ctx.artifactsDir, name), destination, { recursive: true });
    log.push(`Downloaded artifact '${name}' to ${destination}`);
  } else {
    for (const each of available) await cp(join(ctx.artifactsDir, each), join(destination, each), { recursive: true });
    log.push(`Downloaded ${available.length} artifact(s) to ${destination}`);
  }
  return { log, outputs: { "download-path": destination } };
}

/** Runs one built-in stand-in in process; failures become a failed step with GitHub's message. */
export async function runBuiltin(name: BuiltinAction, ref: string, ctx: BuiltinContext): Promise<StepRunResult> {
  const started = Date.now();
  try {
    const partial =
      name === "checkout"
        ? await checkout(ctx, ref)
        : name === "configure-aws-credentials"
          ? await configureAwsCredentials(ctx)
          : name === "upload-artifact"
            ? await uploadArtifact(ctx)
            : await downloadArtifact(ctx);
    return emptyStepResult({ ...partial, masks: ctx.masker.list(), durationMs: Date.now() - started });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return emptyStepResult({
      conclusion: "failure",
      exitCode: 1,
      error: message,
      annotations: [{ level: "error", message, properties: {} }],
      log: [`##[error]${message}`],
      masks: ctx.masker.list(),
      durationMs: Date.now() - started,
    });
  }
}
