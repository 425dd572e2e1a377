/**
 * The vendored model constraints are exactly what scripts/vendor-aws-models.ts derives from the official
 * models. The official models live outside the repository (../shared/aws-models); without them this one
 * check is skipped and says so.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_SOURCE, MODEL_FILES, VENDOR_DIR, vendorAll } from "../../../../scripts/vendor-aws-models";

const available = existsSync(join(DEFAULT_SOURCE, MODEL_FILES.elbv2));

describe("vendored AWS model constraints", () => {
  it.skipIf(!available)("match what the script derives from the official models (skipped: the official models are not beside the repository)", () => {
    const derived = vendorAll(DEFAULT_SOURCE);
    expect(Object.keys(derived).sort()).toEqual(["asg.json", "cw.json", "elbv2.json"]);
    for (const [name, text] of Object.entries(derived)) expect(readFileSync(join(VENDOR_DIR, name), "utf8"), name).toBe(text);
  });

  it("carry their source and the Apache-2.0 notice", () => {
    const notice = readFileSync(join(VENDOR_DIR, "NOTICE"), "utf8");
    expect(notice).toContain("aws/api-models-aws at commit 56c8953");
    expect(notice).toContain("Apache License, Version 2.0");
    expect(notice).toContain("Amazon.com, Inc. or its affiliates");
    for (const name of ["elbv2.json", "asg.json", "cw.json"]) {
      const model = JSON.parse(readFileSync(join(VENDOR_DIR, name), "utf8")) as { source: string; operations: Record<string, unknown> };
      expect(model.source).toContain("aws/api-models-aws@56c8953");
      expect(Object.keys(model.operations).length).toBeGreaterThan(4);
    }
  });
});
