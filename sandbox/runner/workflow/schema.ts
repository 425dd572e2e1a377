import { z } from "zod";

const Scalar = z.union([z.string(), z.number(), z.boolean()]);
const EnvMap = z.record(z.string(), Scalar.nullable().transform((v) => (v === null ? "" : String(v))));
const BoolOrExpr = z.union([z.boolean(), z.string()]);
const NumberOrExpr = z.union([z.number(), z.string()]);
const Concurrency = z.union([z.string(), z.object({ group: z.string(), "cancel-in-progress": BoolOrExpr.optional() }).strict()]);
const Permissions = z.union([z.string(), z.record(z.string(), z.string())]);
const Defaults = z
  .object({ run: z.object({ shell: z.string().optional(), "working-directory": z.string().optional() }).strict().optional() })
  .strict();

export const StepSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, "a step id starts with a letter or '_' and holds only letters, digits, '-' and '_'").optional(),
    name: z.string().optional(),
    if: Scalar.optional(),
    uses: z.string().optional(),
    run: z.string().optional(),
    with: z.record(z.string(), Scalar.nullable().transform((v) => (v === null ? "" : v))).optional(),
    env: EnvMap.optional(),
    shell: z.string().optional(),
    "working-directory": z.string().optional(),
    "continue-on-error": BoolOrExpr.optional(),
    "timeout-minutes": NumberOrExpr.optional(),
  })
  .strict()
  .refine((s) => (s.uses === undefined) !== (s.run === undefined), { message: "a step needs exactly one of 'uses' or 'run'" });

export const DispatchInputSchema = z
  .object({
    description: z.string().optional(),
    required: z.boolean().optional(),
    default: Scalar.optional(),
    type: z.enum(["string", "boolean", "choice", "environment", "number"]).optional(),
    options: z.array(Scalar.transform(String)).optional(),
    deprecationMessage: z.string().optional(),
  })
  .strict();

export const JobSchema = z
  .object({
    name: z.string().optional(),
    "runs-on": z.union([Scalar, z.array(z.string()), z.record(z.string(), z.unknown())]),
    needs: z.union([z.string(), z.array(z.string())]).optional(),
    if: Scalar.optional(),
    environment: z.union([z.string(), z.object({ name: z.string(), url: z.string().optional() }).strict()]).optional(),
    outputs: z.record(z.string(), Scalar.transform(String)).optional(),
    env: EnvMap.optional(),
    "timeout-minutes": NumberOrExpr.optional(),
    "continue-on-error": BoolOrExpr.optional(),
    concurrency: Concurrency.optional(),
    permissions: Permissions.optional(),
    defaults: Defaults.optional(),
    steps: z.array(StepSchema).min(1, "a job needs at least one step"),
  })
  .strict();

export const WorkflowSchema = z
  .object({
    name: z.string().optional(),
    "run-name": z.string().optional(),
    on: z.union([z.string(), z.array(z.string()), z.record(z.string(), z.unknown())]),
    env: EnvMap.optional(),
    concurrency: Concurrency.optional(),
    permissions: Permissions.optional(),
    defaults: Defaults.optional(),
    jobs: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, "a job id starts with a letter or '_'"), JobSchema),
  })
  .strict();

export type Workflow = z.infer<typeof WorkflowSchema>;
export type Job = z.infer<typeof JobSchema>;
export type Step = z.infer<typeof StepSchema>;
export type DispatchInput = z.infer<typeof DispatchInputSchema>;

/** The events a workflow listens to, with their configuration (null when none). */
export function workflowEvents(on: Workflow["on"]): Record<string, unknown> {
  if (typeof on === "string") return { [on]: null };
  if (Array.isArray(on)) return Object.fromEntries(on.map((e) => [e, null]));
  return on;
}

/** The workflow_dispatch inputs a workflow declares. */
export function dispatchInputs(on: Workflow["on"]): Record<string, DispatchInput> {
  const config = workflowEvents(on).workflow_dispatch;
  if (!config || typeof config !== "object") return {};
  const inputs = (config as { inputs?: unknown }).inputs;
  if (!inputs) return {};
  const parsed = z.record(z.string(), DispatchInputSchema).safeParse(inputs);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`on.workflow_dispatch.inputs.${issue?.path.join(".")}: ${issue?.message}`);
  }
  return parsed.data;
}
