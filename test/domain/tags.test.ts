import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rollback } from "../../src/domain/rollback";
import { renderRollbackSummary } from "../../src/actions/rollback/summary";
import { rollbackReason, TAG, TAG_VALUE_MAX, TAG_VALUE_PATTERN, tagText } from "../../src/domain/tags";
import { ManualClock } from "../../src/util/clock";
import { BLUE_ARN, FakeElb, GREEN_ARN } from "../support/fake-elb";
import { FakeFleet } from "../support/fake-fleet";
import { rollbackOptions } from "../support/rollback-options";
import { shiftOptions } from "../support/shift-options";

const codePoints = (s: string) => Array.from(s).length;

describe("tagText: free text as an ELBv2 tag value", () => {
  it("keeps a rollback reason readable: (by alice) and github-actions[bot]", () => {
    expect(tagText("bad release (by alice)")).toBe("bad release - by alice");
    expect(tagText("github-actions[bot]")).toBe("github-actions-bot");
    expect(tagText(rollbackReason("p99 doubled", "github-actions[bot]"))).toBe("p99 doubled - by github-actions-bot");
  });

  it("maps ; , # and other refused characters to stand-ins, line breaks to a space, and collapses runs", () => {
    expect(tagText("db down; reverting, see #123")).toBe("db down - reverting see 123");
    expect(tagText("line one\r\n\tline two")).toBe("line one line two");
    expect(tagText("R&D 50% — done!")).toBe("R+D 50 percent - done");
    expect(tagText("(hotfix) f(x) [a] b")).toBe("hotfix f-x - a b");
    expect(tagText("ok;;;fine")).toBe("ok - fine");
  });

  it("leaves values already in the allowed set as they are", () => {
    for (const v of ["v1.4.2", "build-5123", "1234567890-1", "0123456789abcdef0123456789abcdef01234567", "v1.2.3+build:5@x/y", "Müller 中文 ١٢٣"]) expect(tagText(v)).toBe(v);
  });

  it("cuts to 256 code points with ...", () => {
    const long = tagText("é".repeat(300));
    expect(codePoints(long)).toBe(TAG_VALUE_MAX);
    expect(long.endsWith("...")).toBe(true);
    expect(codePoints(tagText("😀a".repeat(300)))).toBeLessThanOrEqual(TAG_VALUE_MAX);
  });

  it("for any string, the value matches ELBv2's pattern (u flag) and has at most 256 code points", () => {
    const anyText = fc.oneof(
      fc.string({ unit: "binary", maxLength: 600 }),
      fc.string({ unit: "grapheme", maxLength: 300 }),
      fc.array(fc.constantFrom("(", ")", "[", "]", ";", ",", "#", " ", "\n", "-", "a", "é", "\u0301", "\u200d", "😀", "\ud800", "\u2028"), { maxLength: 400 }).map((a) => a.join("")),
    );
    fc.assert(
      fc.property(anyText, (value) => {
        const tag = tagText(value);
        expect(TAG_VALUE_PATTERN.test(tag)).toBe(true);
        expect(codePoints(tag)).toBeLessThanOrEqual(TAG_VALUE_MAX);
      }),
      { seed: 10, numRuns: 1000 },
    );
  });
});

describe("the tags a rollback writes", () => {
  it("fit ELBv2's pattern on the target groups and are mirrored on the Auto Scaling groups; the reason keeps its words", async () => {
    const clock = new ManualClock();
    const fleet = new FakeFleet(clock);
    const elb = new FakeElb();
    fleet.addGroup({ name: "web-blue", running: 3, targetGroupArns: [BLUE_ARN] });
    fleet.addGroup({ name: "web-green", running: 3, targetGroupArns: [GREEN_ARN] });
    elb.groups = [
      { targetGroupArn: BLUE_ARN, weight: 900 },
      { targetGroupArn: GREEN_ARN, weight: 100 },
    ];
    elb.resourceTags.set(BLUE_ARN, { [TAG.role]: "stable", [TAG.version]: "v1" });
    elb.resourceTags.set(GREEN_ARN, { [TAG.role]: "candidate", [TAG.version]: "v2 (rc; #7)" });
    elb.healthOf.set(BLUE_ARN, () => fleet.targetsOf(BLUE_ARN));
    elb.healthOf.set(GREEN_ARN, () => fleet.targetsOf(GREEN_ARN));
    const locks = (elb as unknown as { locks?: unknown }).locks;
    const deps = { ports: { router: elb, tags: elb.tags, locks, targetGroups: elb, discovery: elb, fleet: async () => fleet }, clock, random: () => 0.5, log: () => {}, warn: () => {} };
    const options = { reason: "bad release (5xx; see #42)", actor: "github-actions[bot]" };

    const result = await rollback(rollbackOptions(options), deps as unknown as Parameters<typeof rollback>[1]);
    const summary = renderRollbackSummary(result, options);

    const good = elb.tagsOf(BLUE_ARN);
    expect(good[TAG.reason]).toBe("bad release - 5xx - see 42 - by github-actions-bot");
    expect(good[TAG.rolledBackFrom]).toBe("v2 - rc - 7");
    for (const tags of [good, elb.tagsOf(GREEN_ARN)]) {
      for (const key of [TAG.role, TAG.updatedAt, TAG.rolledBackFrom, TAG.reason]) if (tags[key] !== undefined) expect(TAG_VALUE_PATTERN.test(tags[key]), `${key}=${tags[key]}`).toBe(true);
    }
    expect(fleet.groups.get("web-blue")!.tags).toMatchObject({ [TAG.role]: "stable", [TAG.reason]: good[TAG.reason], [TAG.rolledBackFrom]: good[TAG.rolledBackFrom] });
    expect(fleet.groups.get("web-green")!.tags).toMatchObject({ [TAG.role]: "failed", [TAG.reason]: good[TAG.reason] });
    // The summary keeps the reason as written, and shows the tag it became.
    expect(summary).toContain("| Reason | bad release (5xx; see #42) |");
    expect(summary).toContain("| Reason, as tagged | bad release - 5xx - see 42 - by github-actions-bot |");
  });
});

describe("the tags a promotion writes", () => {
  it("records the commit on the promoted target group and mirrors it on its Auto Scaling group", async () => {
    const { shiftTraffic } = await import("../../src/domain/shift-traffic");
    const clock = new ManualClock();
    const elb = new FakeElb();
    const fleet = new FakeFleet(clock);
    fleet.addGroup({ name: "web-blue", running: 2, targetGroupArns: [BLUE_ARN] });
    fleet.addGroup({ name: "web-green", running: 2, targetGroupArns: [GREEN_ARN] });
    elb.resourceTags.set(BLUE_ARN, { [TAG.role]: "stable", [TAG.version]: "v1" });
    elb.resourceTags.set(GREEN_ARN, { [TAG.role]: "candidate", [TAG.version]: "v2" });
    const locks = (elb as unknown as { locks?: unknown }).locks;
    const ports = { router: elb, tags: elb.tags, locks, targetGroups: elb, discovery: elb, fleet: async () => fleet };
    const options = { ...shiftOptions({ sha: "0123456789abcdef0123456789abcdef01234567" }), locks };

    const result = await shiftTraffic(options as Parameters<typeof shiftTraffic>[0], { ports, gates: [], clock, random: () => 0.5, log: () => {}, warn: () => {} } as unknown as Parameters<typeof shiftTraffic>[1]);

    expect(result.promoted).toBe(true);
    expect(elb.tagsOf(GREEN_ARN)[TAG.sha]).toBe(options.sha);
    expect(fleet.groups.get("web-green")!.tags).toMatchObject({ [TAG.role]: "stable", [TAG.sha]: options.sha });
    expect(fleet.groups.get("web-blue")!.tags[TAG.sha]).toBeUndefined();
  });
});
