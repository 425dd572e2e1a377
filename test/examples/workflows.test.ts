/**
 * Static checks of the example workflows users copy: every step of ours names real inputs and gives
 * the required ones, literal values parse, every `steps.<id>.outputs.<name>` and
 * `needs.<job>.outputs.<name>` names a real output, and expressions stay within what the local runner
 * harness evaluates, so the same files run unchanged in the sandbox rehearsal.
 */
import { readFileSync } from "node:fs";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseExpression, type Node } from "../../sandbox/runner";
import { WorkflowSchema } from "../../sandbox/runner";
import { canaryAnalyzeAction } from "../../src/actions/canary-analyze/definition";
import { type ActionDefinition, parseInputs } from "../../src/inputs/define";
import { deployGreenAction as deployGreenDefinition } from "../../src/actions/deploy-green/definition";
import { healthGateAction } from "../../src/actions/health-gate/definition";
import { migrationGuardAction } from "../../src/actions/migration-guard/definition";
import { rollbackAction } from "../../src/actions/rollback/definition";
import { shiftTrafficAction } from "../../src/actions/shift-traffic/definition";
import { rollingUpdateAction } from "../../src/actions/rolling-update/definition";

const ROOT = join(__dirname, "..", "..");
const EXAMPLES = ["deploy.yml", "rollback.yml", "blue-green.yml", "deploy-with-migrations.yml", "rolling.yml"];
const OURS = /^zero-downtime-actions\/alb-deploy\/actions\/([a-z-]+)@v1$/;

const DEFINITIONS: Record<string, ActionDefinition> = {
  "deploy-green": deployGreenDefinition as unknown as ActionDefinition,
  "health-gate": healthGateAction as unknown as ActionDefinition,
  "shift-traffic": shiftTrafficAction as unknown as ActionDefinition,
  "canary-analyze": canaryAnalyzeAction as unknown as ActionDefinition,
  rollback: rollbackAction as unknown as ActionDefinition,
  "migration-guard": migrationGuardAction as unknown as ActionDefinition,
  "rolling-update": rollingUpdateAction as unknown as ActionDefinition,
};

/** Third-party actions the runner harness stands in for (any ref), with the inputs used and the outputs they set. */
const BUILTINS: Record<string, { inputs: string[]; outputs: string[] }> = {
  "actions/checkout": { inputs: ["ref", "fetch-depth", "persist-credentials"], outputs: ["ref", "commit"] },
  "aws-actions/configure-aws-credentials": { inputs: ["role-to-assume", "aws-region", "role-session-name", "role-duration-seconds"], outputs: ["aws-account-id"] },
};
/** The one commit each third-party action is pinned to in every example (checked against the release's tag when updated). */
const PINS: Record<string, { sha: string; tag: string }> = {
  "actions/checkout": { sha: "11d5960a326750d5838078e36cf38b85af677262", tag: "v4.4.0" },
  "aws-actions/configure-aws-credentials": { sha: "7474bc4690e29a8392af63c5b98e7449536d5c3a", tag: "v4.3.1" },
};
const builtinOf = (uses: string) => BUILTINS[uses.replace(/@.*$/, "")];

/** `uses: <owner>/<repo>@<40 hex> # vX.Y.Z`: a third-party action pinned by commit, its release named. */
const PINNED = /^\s*(?:- )?uses: ([\w.-]+\/[\w.-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)\s*$/;

const CONTEXTS = new Set(["steps", "needs", "inputs", "env", "vars", "secrets", "github"]);
const FUNCTIONS = new Set(["success", "failure", "always", "cancelled", "contains", "startswith", "format", "tojson", "fromjson"]);
const GITHUB_FIELDS = new Set(["sha", "ref", "ref_name", "run_id", "run_attempt", "run_number", "actor", "repository", "workflow", "job", "server_url", "event_name", "token"]);

/** A valid stand-in for an input whose value is an expression, so the definition's own checks can run. */
const SAMPLES: Record<string, string> = {
  "listener-arn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2",
  "image-id": "ami-0123456789abcdef0",
  version: "sha-5f0c6a1e2b3d",
  slot: "green",
  to: "green",
  urls: "https://app.example.com/health",
  interval: "5m",
  "alarm-names": "web-5xx",
  reason: "a reason",
  "to-version": "v41",
  "to-slot": "blue",
  "scale-in-previous": "true",
  "analysis-config": "minRequests: 200\n",
  "schema-version": "42",
  "auto-scaling-group-name": "web",
};

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  [key: string]: unknown;
}
interface Job {
  needs?: string | string[];
  outputs?: Record<string, string>;
  steps: Step[];
  permissions?: Record<string, string> | string;
  [key: string]: unknown;
}
interface Workflow {
  on: unknown;
  jobs: Record<string, Job>;
  [key: string]: unknown;
}

function outputsOf(step: Step): string[] | undefined {
  if (step.uses) {
    const ours = OURS.exec(step.uses);
    if (ours) return Object.keys(DEFINITIONS[ours[1]!]?.outputs ?? {});
    return builtinOf(step.uses)?.outputs;
  }
  return [...(step.run ?? "").matchAll(/echo "([A-Za-z_][\w-]*)=[^"]*" >> "\$GITHUB_OUTPUT"/g)].map((m) => m[1]!);
}

function expressionsIn(value: unknown, bareCondition = false): string[] {
  if (typeof value === "string") {
    const found = [...value.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((m) => m[1]!.trim());
    if (found.length === 0 && bareCondition) return [value];
    return found;
  }
  if (Array.isArray(value)) return value.flatMap((v) => expressionsIn(v));
  if (value && typeof value === "object") return Object.values(value).flatMap((v) => expressionsIn(v));
  return [];
}

/** Property chain of a node: steps.a.outputs.b → ["steps", "a", "outputs", "b"]; undefined when not a plain chain. */
function chain(node: Node): string[] | undefined {
  if (node.kind === "context") return [node.name];
  if (node.kind === "property") {
    const head = chain(node.target);
    return head ? [...head, node.name] : undefined;
  }
  return undefined;
}

interface Where {
  label: string;
  job?: { id: string; needs: string[] };
  /** Steps visible here (earlier steps of the job, or all of them for job outputs); undefined: none. */
  steps?: Step[];
}

function checkExpression(source: string, where: Where, workflow: Workflow, dispatchInputs: string[], problems: string[]): void {
  let tree: Node;
  try {
    tree = parseExpression(source);
  } catch (error) {
    problems.push(`${where.label}: ${(error as Error).message}`);
    return;
  }
  const visit = (node: Node): void => {
    const path = chain(node);
    if (path) {
      const [context, a, b, c] = path;
      if (!CONTEXTS.has(context!)) problems.push(`${where.label}: context '${context}' is not one the runner harness supports`);
      if (context === "steps") {
        const step = where.steps?.find((s) => s.id === a);
        if (!step) problems.push(`${where.label}: steps.${a} is not an earlier step of this job`);
        else if (b === "outputs") {
          const outputs = outputsOf(step);
          if (!outputs?.includes(c ?? "")) problems.push(`${where.label}: steps.${a}.outputs.${c} is not an output of ${step.uses ?? "the run step"} (outputs: ${outputs?.join(", ") || "none"})`);
        }
      }
      if (context === "needs") {
        if (!where.job?.needs.includes(a ?? "")) problems.push(`${where.label}: needs.${a} is not in this job's needs`);
        else if (b === "outputs" && !Object.keys(workflow.jobs[a!]?.outputs ?? {}).includes(c ?? "")) {
          problems.push(`${where.label}: needs.${a}.outputs.${c} is not an output of job ${a} (outputs: ${Object.keys(workflow.jobs[a!]?.outputs ?? {}).join(", ") || "none"})`);
        } else if (b !== "outputs" && b !== "result") problems.push(`${where.label}: needs.${a}.${b} is neither outputs nor result`);
      }
      if (context === "inputs" && !dispatchInputs.includes(a ?? "")) problems.push(`${where.label}: inputs.${a} is not a workflow_dispatch input`);
      if (context === "github" && !GITHUB_FIELDS.has(a ?? "")) problems.push(`${where.label}: github.${a} is outside the fields used here`);
      return;
    }
    switch (node.kind) {
      case "call":
        if (!FUNCTIONS.has(node.name.toLowerCase())) problems.push(`${where.label}: function ${node.name}() is not one the runner harness supports`);
        node.args.forEach(visit);
        return;
      case "not":
        visit(node.operand);
        return;
      case "binary":
        visit(node.left);
        visit(node.right);
        return;
      case "context":
      case "property":
      case "index":
      case "filter":
        problems.push(`${where.label}: '${source}' indexes or filters; keep to plain property chains`);
        return;
      default:
        return;
    }
  };
  visit(tree);
}

function checkOurStep(step: Step, label: string, problems: string[]): void {
  const name = OURS.exec(step.uses ?? "")![1]!;
  const definition = DEFINITIONS[name];
  if (!definition) {
    problems.push(`${label}: no action named ${name}`);
    return;
  }
  if (!existsSync(join(ROOT, "actions", name, "action.yml"))) problems.push(`${label}: actions/${name}/action.yml does not exist`);
  const given = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, String(v).trim()]));
  for (const key of Object.keys(given)) {
    if (!(key in definition.inputs)) problems.push(`${label}: ${name} has no input '${key}' (inputs: ${Object.keys(definition.inputs).join(", ")})`);
  }
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(given)) {
    if (!(key in definition.inputs)) continue;
    const fallback = /^\$\{\{\s*vars\.[\w-]+\s*\|\|\s*'([^']*)'\s*\}\}$/.exec(value);
    if (fallback) {
      values[key] = fallback[1]!;
    } else if (/\$\{\{/.test(value)) {
      const sample = SAMPLES[key];
      if (sample === undefined) problems.push(`${label}: no sample value for the expression given to '${key}'; add one to SAMPLES`);
      values[key] = sample ?? "";
    } else {
      values[key] = value;
    }
  }
  try {
    parseInputs(definition, (input) => values[input] ?? "");
  } catch (error) {
    problems.push(`${label}: ${(error as Error).message}`);
  }
}

/** Every problem found in one workflow, as readable lines; empty when it is right. */
function checkWorkflow(text: string): string[] {
  const problems: string[] = [];
  const raw = parse(text) as unknown;
  const schema = WorkflowSchema.safeParse(raw);
  if (!schema.success) return [`the runner harness refuses it: ${schema.error.issues[0]?.path.join(".")}: ${schema.error.issues[0]?.message}`];
  const workflow = raw as Workflow;
  const on = (workflow.on ?? {}) as Record<string, { inputs?: Record<string, unknown> } | null>;
  const dispatchInputs = Object.keys(on.workflow_dispatch?.inputs ?? {});

  for (const key of ["concurrency", "env", "run-name", "name"]) {
    for (const e of expressionsIn(workflow[key])) checkExpression(e, { label: key }, workflow, dispatchInputs, problems);
  }
  for (const [jobId, job] of Object.entries(workflow.jobs)) {
    const needs = job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
    for (const need of needs) if (!(need in workflow.jobs)) problems.push(`jobs.${jobId}: needs unknown job ${need}`);
    const jobWhere = { id: jobId, needs };
    for (const [key, value] of Object.entries(job)) {
      if (key === "steps" || key === "outputs") continue;
      for (const e of expressionsIn(value, key === "if")) checkExpression(e, { label: `jobs.${jobId}.${key}`, job: jobWhere }, workflow, dispatchInputs, problems);
    }
    for (const [name, value] of Object.entries(job.outputs ?? {})) {
      for (const e of expressionsIn(value)) checkExpression(e, { label: `jobs.${jobId}.outputs.${name}`, job: jobWhere, steps: job.steps }, workflow, dispatchInputs, problems);
    }
    let credentials = false;
    job.steps.forEach((step, index) => {
      const label = `jobs.${jobId}.steps[${index}]${step.id ? ` (${step.id})` : ""}`;
      for (const [key, value] of Object.entries(step)) {
        for (const e of expressionsIn(value, key === "if")) {
          checkExpression(e, { label: `${label}.${key}`, job: jobWhere, steps: job.steps.slice(0, index) }, workflow, dispatchInputs, problems);
        }
      }
      if (!step.uses) return;
      if (OURS.test(step.uses)) {
        // migration-guard's lint mode makes no AWS call.
        const awsFree = /\/migration-guard@/.test(step.uses) && (step.with?.mode ?? "lint") === "lint";
        if (!credentials && !awsFree) problems.push(`${label}: runs before aws-actions/configure-aws-credentials in this job`);
        checkOurStep(step, label, problems);
        return;
      }
      const builtin = builtinOf(step.uses);
      if (!builtin) {
        problems.push(`${label}: ${step.uses} is not an action of ours nor one the runner harness stands in for (${Object.keys(BUILTINS).join(", ")})`);
        return;
      }
      for (const key of Object.keys(step.with ?? {})) if (!builtin.inputs.includes(key)) problems.push(`${label}: ${step.uses} input '${key}' is not expected here`);
      if (step.uses.startsWith("aws-actions/configure-aws-credentials")) {
        credentials = true;
        const permissions = job.permissions;
        if (typeof permissions !== "object" || permissions["id-token"] !== "write") problems.push(`jobs.${jobId}: assumes a role with OpenID Connect but lacks permissions id-token: write`);
        for (const input of ["role-to-assume", "aws-region"]) if (!step.with?.[input]) problems.push(`${label}: ${input} not given`);
      }
    });
  }
  return problems;
}

describe.each(EXAMPLES)("examples/%s", (file) => {
  const text = readFileSync(join(ROOT, "examples", file), "utf8");

  it("names real inputs and outputs, gives the required inputs, and stays within the harness's expressions", () => {
    expect(checkWorkflow(text)).toEqual([]);
  });

  it("pins every third-party action by a full commit SHA with its release in a comment, the same pin everywhere", () => {
    const lines = text.split("\n").filter((l) => /^\s*(?:- )?uses: /.test(l) && !/uses: zero-downtime-actions\//.test(l));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line, "pin by SHA: uses: owner/repo@<40-hex sha> # vX.Y.Z").toMatch(PINNED);
    for (const line of lines) {
      const [, name, sha, tag] = PINNED.exec(line)!;
      expect({ name, sha, tag }, `${name} is pinned differently elsewhere`).toEqual({ name, ...PINS[name!] });
    }
  });

  it("never cancels a deployment in progress", () => {
    const workflow = parse(text) as { concurrency?: { group?: string; "cancel-in-progress"?: boolean } };
    expect(workflow.concurrency?.group).toMatch(/^alb-(deploy|rollback)-/);
    expect(workflow.concurrency?.["cancel-in-progress"]).toBe(false);
  });
});

describe("examples/deploy.yml", () => {
  const workflow = parse(readFileSync(join(ROOT, "examples", "deploy.yml"), "utf8")) as Workflow;

  it("runs build → deploy (canary) → promote (production, 100%) → rollback when the promotion failed", () => {
    expect(Object.keys(workflow.jobs)).toEqual(["build", "deploy", "promote", "rollback"]);
    expect(workflow.jobs.deploy!.needs).toBe("build");
    expect(workflow.jobs.promote!.environment).toBe("production");
    const promote = workflow.jobs.promote!.steps.find((s) => s.uses?.includes("/shift-traffic@"))!;
    expect(promote.with).toMatchObject({ weight: 100, "scale-in-previous": true });
    const canary = workflow.jobs.deploy!.steps.find((s) => s.uses?.includes("/shift-traffic@"))!;
    expect(canary.with).toMatchObject({ steps: "${{ vars.CANARY_STEPS || '1,10' }}", analysis: true });
    expect(workflow.jobs.rollback!.if).toBe("failure() && needs.deploy.result == 'success'");
    expect(workflow.jobs.rollback!.environment).toBeUndefined();
  });
});

describe("examples/rollback.yml", () => {
  const workflow = parse(readFileSync(join(ROOT, "examples", "rollback.yml"), "utf8")) as Workflow & { on: { workflow_dispatch: { inputs: Record<string, { type: string; required: boolean }> } } };

  it("asks for the environment, a reason and an optional version, and records who ran it and why", () => {
    const inputs = workflow.on.workflow_dispatch.inputs;
    expect(Object.keys(inputs)).toEqual(["environment", "reason", "to-version"]);
    expect(inputs.environment).toMatchObject({ type: "environment", required: true });
    expect(inputs.reason).toMatchObject({ type: "string", required: true });
    expect(inputs["to-version"]).toMatchObject({ type: "string", required: false });
    const job = workflow.jobs.rollback!;
    expect(job.environment).toBe("${{ inputs.environment }}");
    const record = job.steps.at(-1)!;
    expect(record.if).toBe("always()");
    expect(record.env).toMatchObject({ ACTOR: "${{ github.actor }}", REASON: "${{ inputs.reason }}" });
    expect(record.run).toContain('>> "$GITHUB_STEP_SUMMARY"');
    expect(record.run).not.toContain("${{");
  });
});

describe("examples/blue-green.yml", () => {
  const workflow = parse(readFileSync(join(ROOT, "examples", "blue-green.yml"), "utf8")) as Workflow;

  it("runs deploy-green → health-gate → shift-traffic to 100% with optional scale-in", () => {
    const uses = workflow.jobs.deploy!.steps.map((s) => s.uses?.replace(/@.*$/, "").split("/").at(-1));
    expect(uses).toEqual(["configure-aws-credentials", "deploy-green", "health-gate", "shift-traffic"]);
    expect(workflow.jobs.deploy!.steps.at(-1)!.with).toMatchObject({ weight: 100, "scale-in-previous": "${{ inputs.scale-in-previous }}" });
  });
});

describe("the checker", () => {
  const bad = `
on:
  workflow_dispatch:
    inputs:
      environment: { type: environment }
jobs:
  first:
    runs-on: ubuntu-latest
    outputs:
      slot: \${{ steps.green.outputs.slot }}
    steps:
      - id: green
        uses: zero-downtime-actions/alb-deploy/actions/deploy-green@v1
        with:
          listener-arn: \${{ vars.LISTENER_ARN }}
          image: ami-0123456789abcdef0
  second:
    needs: first
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: \${{ vars.DEPLOY_ROLE_ARN }}
          aws-region: us-east-1
      - id: shift
        uses: zero-downtime-actions/alb-deploy/actions/shift-traffic@v1
        with:
          listener-arn: \${{ vars.LISTENER_ARN }}
          to: \${{ needs.first.outputs.color }}
          weight: "150"
      - id: gate
        uses: zero-downtime-actions/alb-deploy/actions/health-gate@v1
        with:
          listener-arn: \${{ vars.LISTENER_ARN }}
          timeout: \${{ vars.GATE_TIMEOUT || 'soon' }}
      - run: echo "\${{ steps.shift.outputs.share }} \${{ steps.shift.outputs.percent }} \${{ inputs.env }} \${{ hashFiles('x') }} \${{ runner.os }}"
`;

  it("reports each kind of mistake", () => {
    const problems = checkWorkflow(bad);
    const expected = [
      "jobs.first.steps[0] (green): runs before aws-actions/configure-aws-credentials in this job",
      "jobs.first.steps[0] (green): deploy-green has no input 'image'",
      "jobs.first.steps[0] (green): Input required and not supplied: version.",
      "jobs.second.steps[1] (shift).with: needs.first.outputs.color is not an output of job first (outputs: slot)",
      "jobs.second.steps[1] (shift): Input weight: \"150\" is not valid",
      'jobs.second.steps[2] (gate): Input timeout: "soon" is not valid',
      "jobs.second.steps[3].run: steps.shift.outputs.percent is not an output of zero-downtime-actions/alb-deploy/actions/shift-traffic@v1",
      "jobs.second.steps[3].run: inputs.env is not a workflow_dispatch input",
      "jobs.second.steps[3].run: function hashFiles() is not one the runner harness supports",
      "jobs.second.steps[3].run: context 'runner' is not one the runner harness supports",
    ];
    for (const line of expected) expect(problems.some((p) => p.startsWith(line)), `${line}\n in:\n${problems.join("\n")}`).toBe(true);
    expect(problems.some((p) => p.includes("steps.shift.outputs.share"))).toBe(false);
    expect(problems).toHaveLength(expected.length);
  });

  it("refuses what the runner harness cannot load", () => {
    expect(checkWorkflow("on: push\njobs:\n  a:\n    runs-on: x\n    steps: []\n")[0]).toMatch(/^the runner harness refuses it: jobs\.a\.steps/);
  });
});

describe("examples/deploy-with-migrations.yml", () => {
  const workflow = parse(readFileSync(join(ROOT, "examples", "deploy-with-migrations.yml"), "utf8")) as Workflow & { on: Record<string, unknown> };
  const uses = (job: string, action: string) => workflow.jobs[job]!.steps.findIndex((s) => s.uses?.includes(`/${action}@`));

  it("lints on pull requests with no AWS step, then runs expand → deploy → promote (scale-in) → gate and contract → rollback", () => {
    expect(Object.keys(workflow.on)).toEqual(["pull_request", "push", "workflow_dispatch"]);
    expect(Object.keys(workflow.jobs)).toEqual(["lint", "build", "expand", "deploy", "promote", "contract", "rollback"]);
    expect(workflow.jobs.lint!.if).toBe("github.event_name == 'pull_request'");
    expect(workflow.jobs.lint!.steps.some((s) => s.uses?.startsWith("aws-actions/"))).toBe(false);
    expect(workflow.jobs.lint!.steps[uses("lint", "migration-guard")]!.with).toMatchObject({ mode: "lint", migrations: "db/migrations" });
    expect(workflow.jobs.deploy!.needs).toEqual(["build", "expand"]);
    expect(workflow.jobs.deploy!.steps[uses("deploy", "deploy-green")]!.with).toMatchObject({ "schema-version": "${{ needs.build.outputs.schema-version }}" });
    expect(workflow.jobs.promote!.steps[uses("promote", "shift-traffic")]!.with).toMatchObject({ weight: 100, "scale-in-previous": true });
    expect(workflow.jobs.contract!.needs).toBe("promote");
    const gate = uses("contract", "migration-guard");
    expect(workflow.jobs.contract!.steps[gate]!.with).toMatchObject({ mode: "gate" });
    expect(workflow.jobs.contract!.steps[gate + 1]!.env).toMatchObject({ FILES: "${{ steps.gate.outputs.safe-to-run }}" });
  });

  it("passes outside text to the scripts through env:, never ${{ }} inside run:", () => {
    for (const job of Object.values(workflow.jobs)) for (const step of job.steps) if (step.run) expect(step.run).not.toContain("${{");
  });
});
