import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { neutraliseCommands, untrusted, UNTRUSTED_MAX } from "../../src/util/untrusted";

/** What the runner would read as a command in one line: `::` after whitespace at its start, or `##[` anywhere. */
function startsCommand(line: string): boolean {
  return /^[\s\u0085]*::/.test(line) || line.includes("##[");
}

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe("untrusted", () => {
  it("turns a metrics server's injected commands into one line of text", () => {
    const body = "oops\n::add-mask::verdict\n::stop-commands::pwned\n::error title=forged::canary is fine";
    expect(untrusted(body)).toBe("oops\\n::add-mask::verdict\\n::stop-commands::pwned\\n::error title=forged::canary is fine");
  });

  it("neutralises :: at the start, after whitespace, and ##[ anywhere", () => {
    expect(untrusted("::error::x")).toBe(": :error::x");
    expect(untrusted(" \u00a0 ::warning::x")).toBe(" \u00a0 : :warning::x");
    expect(untrusted("see ##[error]forged and ###[x")).toBe("see # #[error]forged and ## #[x");
    expect(untrusted("a::b")).toBe("a::b");
    expect(neutraliseCommands("\t::group::x")).toBe("\t: :group::x");
  });

  it("shows CR, LF, tab, C0 and C1 controls and bidi overrides and isolates as escapes", () => {
    expect(untrusted("a\r\nb\tc\u0007d\u001be\u0085f\u009bg")).toBe("a\\r\\nb\\tc\\u0007d\\u001be\\u0085f\\u009bg");
    expect(untrusted("x\u202ey\u2066z\u2069\u2028")).toBe("x\\u202ey\\u2066z\\u2069\\u2028");
  });

  it("caps the length with an ellipsis and the number of characters cut", () => {
    const shown = untrusted("a".repeat(5000));
    expect(shown.length).toBeLessThanOrEqual(UNTRUSTED_MAX);
    const m = /^(a+)… \((\d+) more characters\)$/.exec(shown);
    expect(m).not.toBeNull();
    expect(m![1]!.length + Number(m![2])).toBe(5000);
    expect(untrusted("b".repeat(300), 100)).toMatch(/^b{76}… \(224 more characters\)$/);
  });

  it("counts what was cut in characters of the text, and never splits an escape or a surrogate pair", () => {
    const lines = untrusted("\n".repeat(3000), 100);
    const m = /^((?:\\n)+)… \((\d+) more characters\)$/.exec(lines);
    expect(m).not.toBeNull();
    expect(m![1]!.length / 2 + Number(m![2])).toBe(3000);
    const emoji = untrusted("😀".repeat(100), 100);
    expect(emoji).toMatch(/^(?:😀)+… \(\d+ more characters\)$/u);
  });

  it("prints nothing for undefined or null and the text of anything else", () => {
    expect(untrusted(undefined)).toBe("");
    expect(untrusted(null)).toBe("");
    expect(untrusted(42)).toBe("42");
  });

  it("for any text: one line, no unsafe character, no command, at most max long, and stable when applied again", () => {
    const text = fc.oneof(
      fc.string({ unit: "binary", maxLength: 400 }),
      fc.array(fc.constantFrom("::", "##[", "#", "[", ":", "\n", "\r", " ", "\u0085", "\u202e", "x", "😀"), { maxLength: 200 }).map((a) => a.join("")),
    );
    fc.assert(
      fc.property(text, fc.integer({ min: 40, max: 300 }), (value, max) => {
        const shown = untrusted(value, max);
        expect(shown.length).toBeLessThanOrEqual(max);
        expect(shown).not.toMatch(UNSAFE);
        expect(startsCommand(shown)).toBe(false);
        expect(untrusted(shown, max)).toBe(shown);
      }),
      { seed: 11, numRuns: 500 },
    );
  });
});
