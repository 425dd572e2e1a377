import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { reportDeployment } from "../../src/runtime/deployment-status";
import type { ActionContext } from "../../src/runtime/run-action";
import { runInfo } from "../../src/util/run-info";
import { RecordingIO } from "../../src/adapters/github/io";
import { ManualClock } from "../../src/util/clock";
import { type GitHubStub, startGitHubStub } from "../support/github-stub";

const SHA = "5f0c6a1e2b3d4c5f60718293a4b5c6d7e8f90a1b";
let stub: GitHubStub;

beforeEach(async () => {
  stub = await startGitHubStub();
});
afterEach(async () => {
  await stub.close();
});

function context(io: RecordingIO): ActionContext {
  return {
    io,
    clock: new ManualClock(),
    random: () => 0.5,
    log: (line) => io.info(line),
    signal: new AbortController().signal,
    run: runInfo((name) => io.env(name)),
    ports: async () => {
      throw new Error("no AWS in this test");
    },
  };
}

const env = { GITHUB_API_URL: "", GITHUB_REPOSITORY: "acme/web", GITHUB_RUN_ID: "7001", GITHUB_SHA: SHA };

describe("reportDeployment", () => {
  it("sends nothing when no github-environment is given", async () => {
    const io = new RecordingIO({}, {}, { ...env, GITHUB_API_URL: stub.url });
    await reportDeployment({ "github-environment": undefined, "environment-url": undefined, "github-token": "t0ken" }, context(io), "started", "v2");
    expect(stub.requests).toEqual([]);
  });

  it("reports the deployment status on the environment, with the environment URL", async () => {
    const io = new RecordingIO({}, {}, { ...env, GITHUB_API_URL: stub.url });
    await reportDeployment({ "github-environment": "production", "environment-url": "https://web.example.com", "github-token": "t0ken" }, context(io), "succeeded", "v2");
    const status = stub.requests.find((r) => r.method === "POST" && r.path.endsWith("/statuses"));
    expect(status?.body).toMatchObject({ state: "success", environment_url: "https://web.example.com" });
    expect(io.annotations.filter((a) => a.level === "warning")).toEqual([]);
  });

  it("warns, and does not fail the step, when GitHub cannot be reached", async () => {
    const io = new RecordingIO({}, {}, { ...env, GITHUB_API_URL: "http://127.0.0.1:9" });
    await reportDeployment({ "github-environment": "production", "environment-url": undefined, "github-token": "t0ken" }, context(io), "failed", "v3", "canary failed");
    expect(io.annotations.some((a) => a.level === "warning")).toBe(true);
    expect(io.annotations.map((a) => a.message).join("\n")).not.toContain("t0ken");
  });

  it("sends its requests on the step's call signal: once that is aborted, nothing reaches GitHub and the step only warns", async () => {
    const io = new RecordingIO({}, {}, { ...env, GITHUB_API_URL: stub.url });
    const stopped = new AbortController();
    stopped.abort(new Error("the 3s allowed to put the environment back passed"));
    const ctx = { ...context(io), callSignal: () => stopped.signal };

    await reportDeployment({ "github-environment": "production", "environment-url": undefined, "github-token": "t0ken" }, ctx, "failed", "v3", "cancelled");

    expect(stub.requests).toEqual([]);
    expect(io.annotations.map((a) => `${a.level}: ${a.message}`)).toEqual([
      `warning: GitHub API GET /repos/acme/web/deployments?sha=${SHA}&environment=production&per_page=10 failed: not sent: the step was stopped (the 3s allowed to put the environment back passed)`,
    ]);
  });
});
