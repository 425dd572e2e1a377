import { describe, expect, it } from "vitest";
import { EnvFileError, escapeData, escapeProperty, inputVariableName, Masker, parseCommandLine, parseEnvFile } from "../../runner";

describe("workflow command lines", () => {
  it("parses name, properties and message with GitHub's escapes", () => {
    expect(parseCommandLine("::error file=a%2Cb.ts,line=3,title=x%3Ay::50%25 done%0Anext")).toEqual({
      name: "error",
      properties: { file: "a,b.ts", line: "3", title: "x:y" },
      message: "50% done\nnext",
    });
  });

  it("round-trips text escaped as @actions/core escapes it", () => {
    const message = "100% sure\r\nline two %0A stays literal";
    const title = "a:b,c%";
    const parsed = parseCommandLine(`::warning title=${escapeProperty(title)}::${escapeData(message)}`);
    expect(parsed?.message).toBe(message);
    expect(parsed?.properties.title).toBe(title);
  });

  it("treats ordinary output as no command", () => {
    expect(parseCommandLine("hello ::error::x")).toBeUndefined();
    expect(parseCommandLine(":: not a command")).toBeUndefined();
    expect(parseCommandLine("  ::notice::indented")?.message).toBe("indented");
  });
});

describe("environment files", () => {
  it("reads name=value and name<<DELIMITER entries; later ones win", () => {
    const text = "a=1\nmulti<<EOF\nline 1\n\nline=3\nEOF\nb=x=y\r\na=2\nempty<<END\nEND\n";
    expect(parseEnvFile(text, "GITHUB_OUTPUT")).toEqual([
      ["a", "1"],
      ["multi", "line 1\n\nline=3"],
      ["b", "x=y"],
      ["a", "2"],
      ["empty", ""],
    ]);
  });

  it("names the missing delimiter", () => {
    expect(() => parseEnvFile("x<<EOF\nnever closed\n", "GITHUB_ENV")).toThrow(EnvFileError);
    expect(() => parseEnvFile("x<<EOF\nnever closed\n", "GITHUB_ENV")).toThrow("matching delimiter not found 'EOF'");
  });

  it("refuses a line that is neither form", () => {
    expect(() => parseEnvFile("just text\n", "GITHUB_OUTPUT")).toThrow("GITHUB_OUTPUT line 1");
  });
});

describe("input variable names", () => {
  it.each([
    ["aws-region", "INPUT_AWS-REGION"],
    ["my input", "INPUT_MY_INPUT"],
    ["listenerArn", "INPUT_LISTENERARN"],
    ["canary_steps", "INPUT_CANARY_STEPS"],
  ])("%s → %s", (name, variable) => expect(inputVariableName(name)).toBe(variable));
});

describe("masking", () => {
  it("masks every registered value, each line of a multi-line one, longest first", () => {
    const masker = new Masker();
    masker.add("abc");
    masker.add("abcdef");
    masker.add("first\nsecond");
    masker.add("   ");
    expect(masker.apply("abcdef abc first second")).toBe("*** *** *** ***");
    expect(masker.list()).not.toContain("   ");
  });
});
