import { describe, expect, it } from "vitest";
import { clipAtWord } from "../../demo";

describe("the demo's one-line reasons", () => {
  const reason = "canary analysis failed: http-5xx-rate canary 10.2% vs baseline 0.0% (p=0.0001), latency-p99 canary 251 ms vs 58 ms";

  it("cut at a word boundary, with an ellipsis, never mid-word", () => {
    const clipped = clipAtWord(reason, 60);
    expect(clipped).toBe("canary analysis failed: http-5xx-rate canary 10.2% vs…");
    expect([...clipped].length).toBeLessThanOrEqual(60);
    expect(reason.startsWith(clipped.slice(0, -1))).toBe(true);
    expect(reason[clipped.length - 1]).toBe(" ");
  });

  it("leave a reason that fits whole, and cut one long word where it must", () => {
    expect(clipAtWord(reason, reason.length)).toBe(reason);
    expect(clipAtWord("x".repeat(30), 10)).toBe(`${"x".repeat(9)}…`);
  });
});
