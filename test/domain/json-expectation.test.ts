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
});
