import { describe, expect, it } from "vitest";
import { checkExpectation, lookup, parseExpectation, parsePath } from "../../src/domain/json-expectation";

function parsed(line: string) {
  const result = parseExpectation(line);
  if (!result.ok) throw new Error(result.message);
  return result.value;
}

describe("parseExpectation", () => {
  it("reads paths, the six operators and scalar values", () => {
    expect(parsed('status == "healthy"')).toMatchObject({ pathText: "status", operator: "==", expected: "healthy" });
    expect(parsed("checks.db.ok==true")).toMatchObject({ path: [{ key: "checks" }, { key: "db" }, { key: "ok" }], operator: "==", expected: true });
    expect(parsed('version != "v1"').operator).toBe("!=");
    expect(parsed("items.length >= 1")).toMatchObject({ operator: ">=", expected: 1 });
    expect(parsed("latency.p99 < 0.25")).toMatchObject({ operator: "<", expected: 0.25 });
    expect(parsed("errors <= -1e3").expected).toBe(-1000);
    expect(parsed("build > 7").operator).toBe(">");
    expect(parsed("owner == null").expected).toBeNull();
    expect(parsed('items[0]["content-type"] == "a \\"b\\""')).toMatchObject({
      path: [
        { kind: "key", key: "items" },
        { kind: "index", index: 0 },
        { kind: "key", key: "content-type" },
      ],
      expected: 'a "b"',
    });
  });

  it("rejects anything else with what would be valid", () => {
    const bad = ["status", 'status = "ok"', "status == healthy", "items.length >= \"1\"", "a..b == 1", "a == {}", "a == [1]", "constructor() == 1"];
    for (const line of bad) {
      const result = parseExpectation(line);
      expect(result.ok, line).toBe(false);
    }
    const result = parseExpectation("status == healthy");
    expect(!result.ok && result.message).toContain('value healthy is not a number, a "double-quoted string", true, false or null');
  });
});

describe("parseExpectation on long lines", () => {
  const KB120 = 120_000;

  it("reads a 120 KB line in one pass: a path of 60 000 keys, and a 120 KB quoted key", () => {
    const deep = parsed(`${"a.".repeat(KB120 / 2 - 1)}a == 1`);
    expect(deep.path).toHaveLength(KB120 / 2);
    const wide = parsed(`["${"k".repeat(KB120)}"] >= 2`);
    expect(wide.path).toEqual([{ kind: "key", key: "k".repeat(KB120) }]);
  });

  it("refuses 120 KB lines that once took seconds (spaces, or = runs, without an operator) with a capped, one-line excerpt", () => {
    for (const line of [`a${" ".repeat(KB120)}b`, `a${" =".repeat(KB120 / 2)}`, `status == "${"x".repeat(KB120)}`, `a\n${"::error::x ".repeat(KB120 / 11)}`]) {
      const result = parseExpectation(line);
      expect(result.ok).toBe(false);
      const message = result.ok ? "" : result.message;
      expect(message.length).toBeLessThan(500);
      expect(message).toMatch(/… \(\d+ more characters\)/);
      expect(message).not.toMatch(/[\r\n]|##\[/);
    }
  });

  it("finds the operator outside a quoted key", () => {
    expect(parsed('["a>b"] == "c<d"')).toMatchObject({ path: [{ kind: "key", key: "a>b" }], operator: "==", expected: "c<d" });
  });
});

describe("lookup and checkExpectation", () => {
  const body = JSON.parse('{"a":{"b":[10,{"c":"x"}]},"s":"abc","__proto__":{"polluted":true}}') as unknown;

  it("follows own keys, indexes and length, and nothing inherited", () => {
    const path = parsePath("a.b[1].c");
    expect(path.ok && lookup(body, path.value)).toBe("x");
    expect(checkExpectation(body, parsed("a.b.length == 2"))).toBeUndefined();
    expect(checkExpectation(body, parsed("a.b.0 == 10"))).toBeUndefined();
    expect(checkExpectation(body, parsed("s.length == 3"))).toBeUndefined();
    expect(checkExpectation(body, parsed("__proto__.polluted == true"))).toBeUndefined();
    expect(checkExpectation({}, parsed("constructor.name == \"Object\""))).toBe('constructor.name: expected == "Object", got nothing (no such path)');
    expect(checkExpectation({ a: [] }, parsed("a.length.toFixed == 1"))).toMatch(/got nothing/);
  });

  it("compares numbers only with ordering operators and says when the value is not a number", () => {
    expect(checkExpectation({ n: "5" }, parsed("n > 1"))).toBe('n: expected > 1, got "5" (not a number)');
    expect(checkExpectation({ n: 5 }, parsed("n > 1"))).toBeUndefined();
    expect(checkExpectation({ n: 1 }, parsed("n == 1.0"))).toBeUndefined();
    expect(checkExpectation({ n: { deep: 1 } }, parsed("n == 1"))).toBe('n: expected == 1, got {"deep":1}');
  });

  it("shows a value from the body on one line, capped, with no runner command", () => {
    const got = checkExpectation({ status: "##[error]forged\n::error::x" + "y".repeat(500) }, parsed('status == "ok"'))!;
    expect(got.startsWith('status: expected == "ok", got "# #[error]forged\\n::error::xyyy')).toBe(true);
    expect(got.length).toBeLessThan(140);
  });
});
