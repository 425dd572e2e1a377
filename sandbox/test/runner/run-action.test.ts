import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runAction } from "../../runner";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe.concurrent("runAction", () => {
  it("passes inputs as INPUT_ variables with action.yml defaults, expressions evaluated", async () => {
    const result = await runAction({
      action: fixture("echo-inputs"),
      inputs: { "my input": "spaced value", secret: "p4ss" },
      github: { repository: "acme/shop", eventName: "workflow_dispatch", token: "ghs_testtoken123" },
    });

    expect(result.conclusion).toBe("success");
    expect(JSON.parse(result.outputs.inputs ?? "{}")).toEqual({
      "INPUT_MY_INPUT": "spaced value",
      "INPUT_AWS-REGION": "eu-west-1",
      "INPUT_TOKEN": "ghs_testtoken123",
      "INPUT_REPO-AND-EVENT": "acme/shop@workflow_dispatch",
      "INPUT_SECRET": "p4ss",
    });
    expect(result.inputs.token).toBe("ghs_testtoken123");
    const github = JSON.parse(result.outputs.github ?? "{}");
    expect(github).toMatchObject({ repository: "acme/shop", actions: "true", eventName: "workflow_dispatch" });
    expect(github.cwd).toBe(github.workspace);
  });

  it("reads outputs, state, env, path and summary files, multi-line values included", async () => {
    const result = await runAction({ action: fixture("echo-inputs") });

    expect(result.outputs.multi).toBe("first line\nsecond line\n\nfourth after a blank");
    expect(result.outputs.plain).toBe("a=b=c");
    expect(result.state).toEqual({ phase: "main-done", legacy: "old-style" });
    expect(result.env).toEqual({ FROM_ACTION: "exported\nacross lines" });
    expect(result.path).toEqual(["/opt/fixture/bin"]);
    expect(result.summary).toBe("## Echo\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
  });

  it("records annotations with properties, debug lines, groups, stop-commands and stderr", async () => {
    const result = await runAction({ action: fixture("echo-inputs"), inputs: { unknown: "x" } });

    expect(result.annotations).toEqual([
      { level: "warning", message: expect.stringContaining("Unexpected input(s) 'unknown'"), properties: {} },
      { level: "error", message: "first\nsecond 100%", properties: { file: "src/a.ts", line: "3", col: "7", title: "Bad: thing, really" } },
      { level: "warning", message: "careful", properties: {} },
      { level: "notice", message: "all good", properties: { title: "FYI" } },
      { level: "warning", message: expect.stringContaining("`save-state` command is deprecated"), properties: {} },
      { level: "notice", message: "commands resumed", properties: {} },
    ]);
    expect(result.debug).toEqual(["debug detail % literal"]);
    expect(result.log).toContain("##[group]Details");
    expect(result.log).toContain("::error::not a command while stopped");
    expect(result.stderr).toBe("to stderr\n");
  });

  it("masks add-mask values and the token in stdout and the log", async () => {
    const result = await runAction({ action: fixture("echo-inputs"), inputs: { secret: "hunter2" }, github: { token: "ghs_abc123" } });

    expect(result.masks).toEqual(expect.arrayContaining(["hunter2", "ghs_abc123"]));
    expect(result.stdout).toContain("printing the secret: ***");
    expect(result.stdout).not.toContain("hunter2");
    expect(result.log.join("\n")).not.toContain("hunter2");
    // Outputs are data, not log: they keep the value, as on GitHub.
    expect(result.outputs["secret-echo"]).toBe("the secret is hunter2");
  });

  it("fails with the exit code and the error annotation", async () => {
    const result = await runAction({ action: fixture("post-success"), inputs: { mode: "fail" } });

    expect(result.conclusion).toBe("failure");
    expect(result.exitCode).toBe(3);
    expect(result.error).toBe("Process completed with exit code 3.");
    expect(result.annotations).toContainEqual({ level: "error", message: "main failed on purpose", properties: {} });
  });

  it("refuses an action it cannot run, naming what is valid", async () => {
    await expect(runAction({ action: fixture("bad-using") })).rejects.toThrow("runs.using 'composite' is not supported here; valid: node20, node24");
    await expect(runAction({ action: fixture("missing") })).rejects.toThrow("No action.yml or action.yaml");
    await expect(runAction({ action: fixture("unbuilt") })).rejects.toThrow("runs.main '../../dist/unbuilt/index.js' does not exist");
  });
});
