import { describe, expect, it } from "vitest";
import { alphaSpent, boundaries, lookLevel } from "../../src/judge/sequential";

describe("alpha spending", () => {
  it("O'Brien-Fleming spends almost nothing early and all alpha by the last look", () => {
    const looks = boundaries({ alpha: 0.02, looks: 5, spending: "obrien-fleming" });
    // First look: 2 * (1 - Phi(2.326348 / sqrt(0.2))) = 2 * (1 - Phi(5.2019)) ~ 2e-7.
    expect(looks[0]!.alpha).toBeLessThan(1e-6);
    expect(looks[0]!.alpha).toBeGreaterThan(1e-8);
    expect(looks.reduce((acc, l) => acc + l.alpha, 0)).toBeCloseTo(0.02, 12);
    expect(looks[4]!.cumulativeAlpha).toBe(0.02);
    for (let i = 1; i < looks.length; i++) expect(looks[i]!.alpha).toBeGreaterThan(looks[i - 1]!.alpha);
  });

  it("Pocock spends alpha * ln(1 + (e - 1) t)", () => {
    // t = 0.2: 0.02 * ln(1.3436564) = 0.0059079.
    expect(alphaSpent("pocock", 0.02, 0.2)).toBeCloseTo(0.0059079, 6);
    expect(lookLevel({ alpha: 0.02, looks: 5, spending: "pocock" }, 1).alpha).toBeCloseTo(0.0059079, 6);
  });

  it("a single planned look spends all alpha", () => {
    expect(lookLevel({ alpha: 0.02, looks: 1, spending: "obrien-fleming" }, 1)).toMatchObject({ alpha: 0.02, confidence: 0.98 });
  });

  it("rejects a look outside the plan", () => {
    expect(() => lookLevel({ alpha: 0.02, looks: 3, spending: "pocock" }, 4)).toThrow(/from 1 to 3/);
    expect(() => lookLevel({ alpha: 0.02, looks: 3, spending: "pocock" }, 0)).toThrow(/from 1 to 3/);
  });
});
