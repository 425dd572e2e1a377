/**
 * shift-traffic cancelled in the middle of a bake (SIGTERM), from source in a child process,
 * against the sandbox: with AWS answering, it restores 100% to the stable slot and exits within
 * 5 s; with AWS gone silent at that moment, it stops the calls in flight, tries to restore within
 * its window, says it could not, and still exits within 5 s.
 */
import { afterEach, describe, expect, it } from "vitest";
import { sharesOf } from "../../sandbox/harness";
import { sandboxStableFor, startStage, type Stage } from "../../sandbox/harness";
import { runChild } from "./support/child";

let stage: Stage | undefined;
afterEach(async () => {
  await stage?.close();
  stage = undefined;
});

async function greenDeployed(): Promise<{ stage: Stage; listener: string }> {
  stage = await startStage({ rps: 0, seed: 41 });
  const { environment } = stage.sandbox;
  const deploy = await runChild({
    entry: "src/actions/deploy-green/index.ts",
    inputs: { "listener-arn": environment.listenerArn, "image-id": environment.releases.v2!, version: "v2", timeout: "60s", "stable-for": sandboxStableFor(stage) },
    env: stage.awsEnv,
    killAfterMs: 90_000,
  });
  expect(deploy.code, deploy.stdout.join("\n")).toBe(0);
  return { stage, listener: environment.listenerArn };
}

function blueShare(s: Stage): number | undefined {
  const weights = s.sandbox.state().weights.find((w) => w.isDefault);
  return weights ? sharesOf({ groups: weights.groups } as Parameters<typeof sharesOf>[0])["web-blue"] : undefined;
}

describe("shift-traffic cancelled during a bake", () => {
  it("restores 100% on blue and exits within 5 s of SIGTERM", async () => {
    const { stage: s, listener } = await greenDeployed();
    const run = await runChild({ entry: "src/actions/shift-traffic/index.ts", inputs: { "listener-arn": listener, steps: "25,100", interval: "60s" }, env: s.awsEnv, sigtermOn: /Baking green at 25%/, killAfterMs: 90_000 });
    const after = run.ms - run.sigtermAtMs!;
    console.log(`cancelled during a bake, AWS answering: exit ${run.code} ${(after / 1000).toFixed(2)} s after SIGTERM`);
    expect(run.sigtermAtMs).not.toBeNull();
    expect(after).toBeLessThan(5_000);
    expect(run.stdout.join("\n")).toMatch(/Restored 100% of traffic to blue \(verified on the load balancer\)/);
    expect(blueShare(s)).toBe(100);
  }, 120_000);

  it("with AWS silent from the SIGTERM on, says it could not restore and still exits within 5 s", async () => {
    const { stage: s, listener } = await greenDeployed();
    const run = await runChild({
      entry: "src/actions/shift-traffic/index.ts",
      inputs: { "listener-arn": listener, steps: "25,100", interval: "60s" },
      env: s.awsEnv,
      sigtermOn: /Baking green at 25%/,
      onSigterm: () => s.sandbox.injectFaults({ latencyMs: 60_000 }),
      killAfterMs: 90_000,
    });
    s.sandbox.clearFaults();
    const after = run.ms - run.sigtermAtMs!;
    console.log(`cancelled during a bake, AWS silent: exit ${run.code} ${(after / 1000).toFixed(2)} s after SIGTERM`);
    expect(after).toBeLessThan(5_000);
    expect(run.code).toBe(1);
    const log = run.stdout.join("\n");
    expect(log).toMatch(/::warning::Could not restore traffic to blue: .*the 3s allowed to put the environment back after the step was stopped \(cancelled by SIGTERM\) passed/);
    expect(blueShare(s)).toBe(75);
  }, 120_000);
});
