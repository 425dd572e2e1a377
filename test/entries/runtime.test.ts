import { afterEach, describe, expect, it } from "vitest";
import { checkRegion } from "../../src/runtime/region";
import { runAction } from "../../src/runtime/run-action";
import { RecordingIO } from "../../src/adapters/github/io";
import { defineAction } from "../../src/inputs/define";
import { LISTENER_ARN } from "../support/fake-elb";

describe("checkRegion", () => {
  it("refuses an ARN in another region than AWS_REGION, naming the input and both regions", () => {
    const io = new RecordingIO({}, {}, { AWS_REGION: "eu-west-1" });
    expect(() => checkRegion({ "listener-arn": LISTENER_ARN }, io)).toThrow(
      "Input listener-arn: the ARN is in region us-east-1, but AWS_REGION is eu-west-1. Give aws-region: us-east-1, or configure credentials for us-east-1.",
    );
  });

  it("checks lists of ARNs, and the aws-region input before the environment", () => {
    const io = new RecordingIO({}, {}, { AWS_REGION: "us-east-1" });
    expect(() => checkRegion({ "aws-region": "us-west-2", "target-group-arns": [LISTENER_ARN] }, io)).toThrow(/Input target-group-arns: .* but input aws-region is us-west-2/);
  });

  it("accepts matching regions, and ARNs when no region is configured", () => {
    expect(() => checkRegion({ "listener-arn": LISTENER_ARN }, new RecordingIO({}, {}, { AWS_REGION: "us-east-1" }))).not.toThrow();
    expect(() => checkRegion({ "listener-arn": LISTENER_ARN }, new RecordingIO())).not.toThrow();
  });
});

/** A runner IO whose summary writes are pending until flushed, and can fail. */
class SlowSummaryIO extends RecordingIO {
  written = "";
  flushes = 0;
  constructor(private readonly failure?: Error) {
    super();
  }
  override async flush(): Promise<void> {
    this.flushes++;
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (this.failure && this.flushes === 1) throw this.failure;
    this.written = this.summary;
  }
}

const bare = defineAction({ name: "bare", title: "Bare", description: "no inputs", inputs: {}, outputs: {} });

describe("runAction and the step summary", () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it("resolves only once the summary is written", async () => {
    const io = new SlowSummaryIO();
    const ok = await runAction(bare, async (_s, ctx) => ctx.io.appendSummary("### Done\n"), { io, signal: new AbortController().signal });
    expect(ok).toBe(true);
    expect(io.written).toBe("### Done\n");
  });

  it("fails the step when the summary cannot be written, saying why", async () => {
    const io = new SlowSummaryIO(new Error("EACCES: permission denied, open '/summary'"));
    const ok = await runAction(bare, async (_s, ctx) => ctx.io.appendSummary("### Done\n"), { io, signal: new AbortController().signal });
    expect(ok).toBe(false);
    expect(io.annotations.map((a) => `${a.level}: ${a.message}`)).toEqual(["error: EACCES: permission denied, open '/summary'"]);
    expect(process.exitCode).toBe(1);
  });

  it("still writes the summary of a step that failed, and tells a failed write as a warning", async () => {
    const io = new SlowSummaryIO(new Error("ENOSPC: no space left on device"));
    const ok = await runAction(
      bare,
      async (_s, ctx) => {
        ctx.io.appendSummary("### Failed\n");
        throw new Error("shift aborted");
      },
      { io, signal: new AbortController().signal },
    );
    expect(ok).toBe(false);
    expect(io.annotations.map((a) => `${a.level}: ${a.message}`)).toEqual(["warning: The step summary could not be written: ENOSPC: no space left on device", "error: shift aborted"]);
  });
});

describe("runAction for a post step", () => {
  // shift-traffic's definition, as its post step runs it: the post step needs the state its main step saves once it changed something.
  const run = async (state: Record<string, string>) => {
    const { shiftTrafficAction } = await import("../../src/actions/shift-traffic/definition");
    const io = new RecordingIO({ "listener-arn": "not-an-arn" }, state);
    let ran = false;
    const ok = await runAction(shiftTrafficAction, async () => void (ran = true), { io, post: true });
    return { ok, ran, io };
  };

  it("ends before validating the inputs when the main step saved nothing, so its input error is not reported twice", async () => {
    const { ok, ran, io } = await run({});
    expect(ok).toBe(true);
    expect(ran).toBe(false);
    expect(io.failed).toBe(false);
    expect(io.annotations).toEqual([]);
    expect(io.lines).toEqual(["shift-traffic's main step changed nothing, so its post step has nothing to put back."]);
  });

  it("validates the inputs as usual once the main step saved its state", async () => {
    const { ok, ran, io } = await run({ routing: JSON.stringify({ kind: "listener", arn: LISTENER_ARN }) });
    expect(ok).toBe(false);
    expect(ran).toBe(false);
    expect(io.annotations.map((a) => a.message).join("\n")).toMatch(/listener-arn/);
  });
});
