import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runAction, type ActionRunResult } from "../../runner";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const fast = { sigtermAfterMs: 300, sigkillAfterMs: 300 };

/** Cancels as soon as the action says it is ready, so the signal meets the handlers it installed. */
function cancelWhenReady(action: string, cancelTimings = fast): Promise<ActionRunResult> {
  const controller = new AbortController();
  return runAction({
    action: fixture(action),
    inputs: { mode: "hang" },
    signal: controller.signal,
    cancelTimings,
    onLog: (line) => {
      if (line === "ready") controller.abort();
    },
  });
}

describe.concurrent("post steps", () => {
  it("run after main with STATE_ variables from GITHUB_STATE (default post-if always())", async () => {
    const result = await runAction({ action: fixture("post-always") });

    expect(result.conclusion).toBe("success");
    expect(result.post?.conclusion).toBe("success");
    expect(JSON.parse(result.post?.outputs.state ?? "{}")).toEqual({ "STATE_started-at": "main", STATE_multi: "line one\nline two" });
    expect(result.post?.summary).toBe("post saw 2 state values\n");
    expect(result.post?.log).toContain("post ran");
  });

  it("post-if success() is skipped after a failed main step", async () => {
    const result = await runAction({ action: fixture("post-success"), inputs: { mode: "fail" } });

    expect(result.conclusion).toBe("failure");
    expect(result.post).toBeUndefined();
    expect(result.postSkipped).toBe("post-if 'success()' is false (main step failure)");
  });

  it("post-if failure() runs after a failed main step and gets its state", async () => {
    const result = await runAction({ action: fixture("post-failure"), inputs: { mode: "fail" } });

    expect(result.post?.conclusion).toBe("success");
    expect(JSON.parse(result.post?.outputs.state ?? "{}")).toHaveProperty("STATE_started-at", "main");
  });

  it("post-if failure() is skipped after a successful main step", async () => {
    const result = await runAction({ action: fixture("post-failure") });

    expect(result.postSkipped).toContain("post-if 'failure()' is false (main step success)");
  });

  it("post-if !cancelled() runs after a failure", async () => {
    const result = await runAction({ action: fixture("post-not-cancelled"), inputs: { mode: "fail" } });

    expect(result.post?.conclusion).toBe("success");
  });

  it("runPost: false leaves the post step out", async () => {
    const result = await runAction({ action: fixture("post-always"), runPost: false });

    expect(result.post).toBeUndefined();
    expect(result.postSkipped).toBeUndefined();
  });
});

describe.concurrent("cancellation", () => {
  it("sends SIGINT, then SIGTERM after the configured gap, then the post step runs with cancelled()", async () => {
    const result = await cancelWhenReady("post-cancelled");

    expect(result.conclusion).toBe("cancelled");
    expect(result.cancelled).toBe(true);
    expect(result.signalsSent.map((s) => s.signal)).toEqual(["SIGINT", "SIGTERM"]);
    const [sigint, sigterm] = result.signalsSent;
    expect((sigterm?.atMs ?? 0) - (sigint?.atMs ?? 0)).toBeGreaterThanOrEqual(fast.sigtermAfterMs - 5);
    expect(result.log).toEqual(["ready", "got SIGINT, finishing current work", "got SIGTERM, exiting", "##[error]The operation was canceled."]);
    expect(result.exitCode).toBe(143);
    expect(result.post?.conclusion).toBe("success");
    expect(JSON.parse(result.post?.outputs.state ?? "{}")).toHaveProperty("STATE_started-at", "main");
  });

  it("ends with SIGKILL when the process ignores SIGTERM too", async () => {
    const controller = new AbortController();
    const result = await runAction({
      action: fixture("post-always"),
      inputs: { mode: "stubborn" },
      signal: controller.signal,
      cancelTimings: { sigtermAfterMs: 100, sigkillAfterMs: 100 },
      onLog: (line) => {
        if (line === "ready") controller.abort();
      },
    });

    expect(result.signalsSent.map((s) => s.signal)).toEqual(["SIGINT", "SIGTERM", "SIGKILL"]);
    expect(result.signal).toBe("SIGKILL");
    expect(result.conclusion).toBe("cancelled");
    expect(result.post?.conclusion).toBe("success");
  });

  it("post-if !cancelled() is skipped after a cancellation", async () => {
    const result = await cancelWhenReady("post-not-cancelled");

    expect(result.conclusion).toBe("cancelled");
    expect(result.postSkipped).toBe("post-if '!cancelled()' is false (main step cancelled)");
  });

  it("killAfterMs is a crash: SIGKILL at once, failure, no post-if success() step", async () => {
    const result = await runAction({ action: fixture("post-success"), inputs: { mode: "hang" }, killAfterMs: 400 });

    expect(result.signalsSent.map((s) => `${s.signal}:${s.reason}`)).toEqual(["SIGKILL:kill"]);
    expect(result.conclusion).toBe("failure");
    expect(result.killed).toBe(true);
    expect(result.error).toBe("Process completed with signal SIGKILL (killed).");
    expect(result.postSkipped).toContain("main step failure");
  });

  it("a step timeout starts the cancel sequence and fails the step", async () => {
    const result = await runAction({ action: fixture("post-failure"), inputs: { mode: "hang" }, timeoutMs: 400, cancelTimings: fast });

    expect(result.timedOut).toBe(true);
    expect(result.conclusion).toBe("failure");
    expect(result.error).toBe("The step has timed out after 400 ms.");
    // Whether SIGINT meets the fixture's handler depends on how fast node starts; the sequence does not.
    expect(result.signalsSent[0]).toMatchObject({ signal: "SIGINT", reason: "timeout" });
    expect(result.signalsSent.every((s) => s.reason === "timeout")).toBe(true);
    expect(result.post?.conclusion).toBe("success");
  });
});
