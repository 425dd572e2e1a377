/**
 * rolling-update warns when it is told to watch alarms over a bake shorter than the time an alarm on
 * ALB metrics needs to see an error (the period's end plus CloudWatch's ingest delay, about 3 minutes).
 */
import { describe, expect, it } from "vitest";
import { RecordingIO } from "../../src/adapters/github/io";
import { run } from "../../src/actions/rolling-update/index";

const base = { "auto-scaling-group-name": "web", "launch-template-version": "7", version: "v2", "aws-region": "us-east-1" };

async function warnings(inputs: Record<string, string>): Promise<string[]> {
  const io = new RecordingIO({ ...base, ...inputs }, {}, {});
  await run({ io, signal: new AbortController().signal, ports: () => Promise.reject(new Error("no AWS in this test")) });
  return io.annotations.filter((a) => a.level === "warning").map((a) => a.message);
}

describe("rolling-update and alarms that see data late", () => {
  it("warns when alarm-names watch a bake shorter than 3m", async () => {
    const found = await warnings({ "alarm-names": "web-5xx", bake: "30s" });
    expect(found).toHaveLength(1);
    expect(found[0]).toContain("bake is 30s, shorter than the ~3m an alarm on ALB metrics needs to see an error");
  });

  it("does not warn for a bake of 3m, or without alarms", async () => {
    expect(await warnings({ "alarm-names": "web-5xx", bake: "3m" })).toEqual([]);
    expect(await warnings({ bake: "30s" })).toEqual([]);
  });
});
