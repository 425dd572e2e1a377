import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DispatchError, runWorkflow, type RunWorkflowOptions, type StepEvent } from "../../runner";

const repoRoot = fileURLToPath(new URL("./fixtures/repo", import.meta.url));
const workflow = (name: string) => `${repoRoot}/.github/workflows/${name}.yml`;
const deploy = (extra: Partial<RunWorkflowOptions> = {}) =>
  runWorkflow({ workflow: workflow("deploy"), repoRoot, github: { runNumber: 42, actor: "deployer" }, ...extra });

describe.concurrent("a deploy workflow with needs, outputs and an environment", () => {
  it("runs every job in order when the environment is approved", async () => {
    const approvals: Array<[string, string]> = [];

    const run = await deploy({
      inputs: { environment: "staging", who: "ops" },
      environmentVars: { staging: { TARGET: "staging-alb" }, production: { TARGET: "production-alb" } },
      environmentSecrets: { staging: { DEPLOY_KEY: "dk-999111" } },
      approve: (job, environment) => {
        approvals.push([job, environment]);
        return true;
      },
    });

    expect(run.conclusion).toBe("success");
    expect(run.order).toEqual(["build", "deploy", "notify"]);
    expect(approvals).toEqual([["deploy", "staging"]]);
    expect(run.inputs).toEqual({ environment: "staging", strategy: "blue-green", "dry-run": false, who: "ops" });
    expect(run.concurrency).toEqual({ group: "deploy-staging", cancelInProgress: false });
    expect(run.permissions).toEqual({ contents: "read", "id-token": "write" });

    const { build, deploy: deployJob, notify } = run.jobs;
    expect(build?.outputs).toEqual({ version: "1.2.42", greeting: "Hello, ops!" });
    expect(build?.summary).toBe("### Hello, ops!\npost: said goodbye to ops\n");
    expect(build?.log).toContain("built shop with strategy blue-green");

    expect(deployJob?.result).toBe("success");
    expect(deployJob?.environment).toEqual({ name: "staging", approved: true, url: "https://staging.example.test/v1.2.42" });
    expect(deployJob?.outputs.shipped).toBe("1.2.42 to staging (dry run: false)");
    expect(deployJob?.steps.map((s) => `${s.name}:${s.conclusion}`)).toEqual([
      "Run aws-actions/configure-aws-credentials@v4:success",
      "Run test \"$AWS_REGION\" = eu-west-1:success",
      "Only on failure:skipped",
      "Run example-org/zero-downtime-actions/actions/greet@v1:success",
      "Post Run example-org/zero-downtime-actions/actions/greet@v1:success",
    ]);
    expect(deployJob?.steps[0]?.outputs).toEqual({ "aws-account-id": "123456789012" });
    expect(deployJob?.steps[3]?.inputs).toMatchObject({ who: "deployer", greeting: "Bye", fail: "false" });
    expect(deployJob?.log).toContain("greeting was: Hello, ops!");
    expect(deployJob?.log).toContain("target staging-alb with key ***");
    expect(build?.log).toContain("build sees target ''");

    expect(notify?.outputs).toEqual({ deploy: "success", build: "success" });
    expect(run.log.join("\n")).not.toContain("ghs_");
  });

  it("fails the job on a rejected environment; an always() job still runs and sees it", async () => {
    const run = await deploy({ inputs: { environment: "production" }, approve: async () => false });

    expect(run.conclusion).toBe("failure");
    expect(run.jobs.deploy?.result).toBe("failure");
    expect(run.jobs.deploy?.steps).toEqual([]);
    expect(run.jobs.deploy?.environment).toEqual({ name: "production", approved: false });
    expect(run.jobs.deploy?.error).toBe("Deployment to environment 'production' was rejected by a reviewer; job 'deploy' did not run.");
    expect(run.jobs.notify?.result).toBe("success");
    expect(run.jobs.notify?.outputs).toEqual({ deploy: "failure", build: "success" });
  });
});

describe.concurrent("workflow_dispatch inputs", () => {
  it.each([
    [{}, "Required input 'environment' not provided"],
    [{ environment: "staging", strategy: "big-bang" }, "Input 'strategy': \"big-bang\" is not one of the choices: 'blue-green', 'canary'"],
    [{ environment: "staging", "dry-run": "yes" }, "Input 'dry-run': \"yes\" is not a boolean; valid: true, false"],
    [{ environment: "staging", colour: "blue" }, "Unexpected inputs provided: 'colour'"],
  ])("%j is refused before anything runs", async (inputs, message) => {
    const started: string[] = [];
    const attempt = deploy({ inputs, onStep: (e) => void started.push(e.name) });

    await expect(attempt).rejects.toThrow(DispatchError);
    await expect(attempt).rejects.toThrow(message);
    expect(started).toEqual([]);
  });

  it("checks type: environment against the known environments", async () => {
    await expect(deploy({ inputs: { environment: "qa" }, environments: ["staging", "production"] })).rejects.toThrow(
      "Input 'environment': environment 'qa' does not exist; known environments: 'staging', 'production'",
    );
  });

  it("refuses a key this runner does not run, naming it", async () => {
    await expect(runWorkflow({ workflow: workflow("matrix"), repoRoot })).rejects.toThrow("'jobs.test': 'strategy' not supported by this runner");
  });

  it("refuses an event the workflow does not listen to", async () => {
    await expect(deploy({ eventName: "schedule" })).rejects.toThrow("does not run on 'schedule'; it runs on: push, workflow_dispatch");
  });
});

describe.concurrent("job and step conditions", () => {
  it("skips dependents of a failed job unless their if says always() or failure()", async () => {
    const run = await runWorkflow({ workflow: workflow("chain"), repoRoot });

    const first = run.jobs.first;
    expect(first?.result).toBe("failure");
    expect(first?.steps.map((s) => `${s.id}:${s.outcome}/${s.conclusion}`)).toEqual([
      "flaky:failure/success",
      "after-flaky:success/success",
      "breaks:failure/failure",
      "cleanup:success/success",
      "normal:skipped/skipped",
    ]);
    expect(first?.outputs.tolerated).toBe("failure/success");
    expect(first?.log).toContain("cleaning up after failure");
    expect(first?.log).not.toContain("never printed");
    expect(first?.steps[2]?.error).toBe("Process completed with exit code 1.");
    expect(run.jobs.second?.result).toBe("skipped");
    expect(run.jobs.third?.result).toBe("success");
    expect(run.jobs.third?.outputs.second).toBe("skipped");
    expect(run.jobs["on-failure"]?.result).toBe("success");
    expect(run.conclusion).toBe("failure");
  });

  it("cancels a job past its timeout-minutes, as GitHub does; always() steps and jobs still run", async () => {
    const run = await runWorkflow({ workflow: workflow("timeouts"), repoRoot, cancelTimings: { sigtermAfterMs: 100, sigkillAfterMs: 100 } });

    const slow = run.jobs.slow;
    expect(slow?.result).toBe("cancelled");
    expect(slow?.error).toBe("The job has exceeded the maximum execution time of 0m0.3s");
    expect(slow?.steps.map((s) => `${s.id}:${s.conclusion}`)).toEqual(["sleeper:cancelled", "after:success"]);
    expect(slow?.log).toContain("after the timeout the job status is cancelled");
    expect(run.jobs.next?.outputs.slow).toBe("cancelled");
    expect(run.conclusion).toBe("cancelled");
  });

  it("runs only the selected jobs", async () => {
    const run = await runWorkflow({ workflow: workflow("chain"), repoRoot, onlyJobs: ["first", "on-failure"] });

    expect(Object.keys(run.jobs)).toEqual(["first", "on-failure"]);
    expect(run.order).toEqual(["first", "on-failure"]);
  });

  it("refuses a job selection that leaves out a need", async () => {
    await expect(runWorkflow({ workflow: workflow("chain"), repoRoot, onlyJobs: ["second"] })).rejects.toThrow(
      "onlyJobs: job 'second' needs 'first', which onlyJobs leaves out; include them",
    );
  });
});

describe.concurrent("steps", () => {
  it("layers env, applies GITHUB_ENV and GITHUB_PATH, masks, times out, passes artifacts, runs post steps in reverse", async () => {
    const run = await runWorkflow({ workflow: workflow("misc"), repoRoot, secrets: { API_KEY: "key-123456" } });
    const job = run.jobs.posts;
    const step = (id: string) => job?.steps.find((s) => s.id === id && !s.post);

    expect(step("levels")?.outputs).toEqual({ level: "step", greeted: "second" });
    expect(step("tool")?.result?.log).toEqual(["tool ran"]);
    expect(step("timed")?.outcome).toBe("failure");
    expect(step("timed")?.result?.timedOut).toBe(true);
    expect(step("timed")?.conclusion).toBe("success");
    expect(job?.log).toContain("do-not-print-me appears masked".replace("do-not-print-me", "***"));
    expect(job?.log).toContain("token *** stays masked");
    expect(run.log.join("\n")).not.toMatch(/do-not-print-me|key-123456/);
    expect(job?.outputs).toEqual({ level: "step" });
    expect(job?.log).toContain("##[warning]Skip output 'leaky' since it may contain secret.");
    expect(job?.steps.filter((s) => s.post).map((s) => s.inputs?.who)).toEqual(["second", "first"]);
    expect(job?.summary).toBe("### Hello, first!\n### Hello, second!\npost: said goodbye to second\npost: said goodbye to first\n");
    expect(job?.result).toBe("success");
  });

  it("fails the job before any step runs when a uses cannot be resolved", async () => {
    const run = await runWorkflow({ workflow: workflow("unknown-uses"), repoRoot });

    expect(run.jobs.bad?.result).toBe("failure");
    expect(run.jobs.bad?.steps).toEqual([]);
    expect(run.jobs.bad?.error).toContain("unknown action 'someone/else@v1'");
    expect(run.jobs.bad?.error).toContain("built-in stand-ins for actions/checkout, aws-actions/configure-aws-credentials");
  });
});

describe.concurrent("cancellation and crashes", () => {
  it("cancels the running step; always() and cancelled() steps and post steps still run", async () => {
    const events: string[] = [];
    let cancelRun: (() => void) | undefined;
    const run = await runWorkflow({
      workflow: workflow("cancel"),
      repoRoot,
      cancelTimings: { sigtermAfterMs: 200, sigkillAfterMs: 200 },
      onStep: (e: StepEvent) => {
        events.push(`${e.phase}:${e.stepId}${e.post ? ":post" : ""}`);
        cancelRun = e.cancel;
      },
      onLog: (line) => {
        if (line === "[long] waiting") cancelRun?.();
      },
    });

    const long = run.jobs.long;
    expect(run.conclusion).toBe("cancelled");
    expect(long?.result).toBe("cancelled");
    expect(long?.steps.map((s) => `${s.id}${s.post ? ":post" : ""}:${s.conclusion}`)).toEqual([
      "greet:success",
      "wait:cancelled",
      "normal:skipped",
      "always:success",
      "on-cancel:success",
      "greet:post:success",
    ]);
    expect(long?.steps[1]?.result?.signalsSent[0]?.signal).toBe("SIGINT");
    expect(long?.log).toContain("job status is cancelled");
    expect(run.jobs.later?.result).toBe("cancelled");
    expect(run.jobs.cleanup?.result).toBe("success");
    expect(run.jobs.cleanup?.log).toContain("cleaning up after a cancelled run");
    expect(events).toContain("after:greet:post");
  });

  it("kill() from the observer crashes the step: failure, not cancellation", async () => {
    const run = await runWorkflow({
      workflow: workflow("cancel"),
      repoRoot,
      onStep: (e) => {
        if (e.phase === "before" && e.stepId === "wait") setTimeout(() => e.kill(), 300);
      },
    });

    const long = run.jobs.long;
    expect(long?.steps[1]?.outcome).toBe("failure");
    expect(long?.steps[1]?.result?.killed).toBe(true);
    expect(long?.steps.map((s) => `${s.id}${s.post ? ":post" : ""}:${s.conclusion}`)).toEqual([
      "greet:success",
      "wait:failure",
      "normal:skipped",
      "always:success",
      "on-cancel:skipped",
      "greet:post:success",
    ]);
    expect(long?.result).toBe("failure");
    expect(run.jobs.later?.result).toBe("skipped");
    expect(run.jobs.cleanup?.result).toBe("skipped");
    expect(run.conclusion).toBe("failure");
  });
});
