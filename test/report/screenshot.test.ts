/**
 * The canary summary drawn in headless Chromium (scripts/screenshot-summary.ts). Skipped, saying
 * why, where no Chromium is installed: the GitHub workflow installs one and keeps the PNG.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findChromium, screenshot } from "../../scripts/screenshot-summary";
import { allSummaries } from "./summaries";

const chromium = await findChromium();
const dir = await mkdtemp(join(tmpdir(), "shot-test-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe.skipIf(!chromium)(chromium ? "the canary summary in Chromium" : "the canary summary in Chromium (skipped: no chromium, chromium-browser or google-chrome installed)", () => {
  it("draws both charts and writes a PNG as tall as the page", { timeout: 120_000 }, async () => {
    const markdown = allSummaries().find((s) => s.name === "canary-analyze fail")!.markdown;
    const out = join(dir, "canary.png");
    const shot = await screenshot(markdown, out, chromium!);
    expect(shot.state).toBe("drawn");
    expect(shot.charts).toBeGreaterThanOrEqual(2);
    expect(shot.height).toBeGreaterThan(1000);
    const png = await readFile(out);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.readUInt32BE(16)).toBe(1060);
    expect(png.readUInt32BE(20)).toBe(shot.height);
  });
});
