/**
 * The runner IO (an adapter over @actions/core) as the runner sees it: what reaches stdout, line by
 * line (CR or LF ends a line), and what is written to the GITHUB_OUTPUT, GITHUB_STATE and
 * GITHUB_STEP_SUMMARY files.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { safeLines } from "../../src/adapters/github/io";
import { createRunnerIO } from "../../src/adapters/github/runner-io";
import { summary } from "../../src/util/summary";

const dir = mkdtempSync(join(tmpdir(), "runner-io-"));
/** One summary file for the file: @actions/core keeps the path it first wrote to. */
const files = { GITHUB_OUTPUT: join(dir, "output"), GITHUB_STATE: join(dir, "state"), GITHUB_STEP_SUMMARY: join(dir, "summary") };
let written: string[] = [];

beforeEach(() => {
  for (const [name, path] of Object.entries(files)) {
    writeFileSync(path, "");
    vi.stubEnv(name, path);
  }
  written = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  process.exitCode = undefined;
});

/** Stdout as the runner reads it: CR and LF both end a line. */
const lines = () => written.join("").replace(/\n$/, "").split(/\r\n|\r|\n/);
const isCommand = (line: string) => /^[\s\u0085]*::/.test(line) || line.includes("##[");
const read = (name: keyof typeof files) => readFileSync(files[name], "utf8");

/** The `name<<delimiter` entries of a GITHUB_OUTPUT or GITHUB_STATE file. */
function entries(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^([^\n<]+)<<(ghadelimiter_[0-9a-f-]{36})\n([\s\S]*?)\n\2\n/gm)) out[m[1]!] = m[3]!;
  return out;
}

describe("runner IO: a message never starts a workflow command", () => {
  it("info neutralises each line that starts with :: (after whitespace) or holds ##[, at LF and at CR", () => {
    createRunnerIO().info("checking\n::add-mask::verdict\r  ::stop-commands::pwned\r\n##[error]forged and ok::fine");
    expect(lines()).toEqual(["checking", ": :add-mask::verdict", "  : :stop-commands::pwned", "# #[error]forged and ok::fine"]);
  });

  it("leaves a message without commands as it is, line breaks included", () => {
    expect(safeLines("Invalid canary configuration:\n- a: b::c\n- d")).toBe("Invalid canary configuration:\n- a: b::c\n- d");
  });

  it("warning, error, notice, debug and group write exactly one line, their own command, with ##[ neutralised", () => {
    const io = createRunnerIO();
    const hostile = "x\n::error title=forged::y\r##[warning]z";
    io.warning(hostile);
    io.error(hostile, { title: "t::1" });
    io.notice(hostile);
    io.debug(hostile);
    io.startGroup(hostile);
    expect(written).toHaveLength(5);
    expect(lines()).toHaveLength(5);
    expect(lines().map((l) => /^::([a-z]+)[ :]/.exec(l)?.[1])).toEqual(["warning", "error", "notice", "debug", "group"]);
    expect(lines().every((l) => !l.includes("##["))).toBe(true);
    expect(lines()[1]).toBe("::error title=t%3A%3A1::x%0A::error title=forged::y%0D# #[warning]z");
  });

  it("an annotation without properties is the bare command; one with a line names it", () => {
    const io = createRunnerIO();
    io.warning("plain");
    io.notice("at a line", { file: "canary.yml", line: 3 });
    expect(lines()).toEqual(["::warning::plain", "::notice file=canary.yml,line=3::at a line"]);
  });

  it("for any message, no line info prints is a command", () => {
    const message = fc.array(fc.constantFrom("::", "##[", "#", "[", "\n", "\r", " ", "\t", "\u00a0", "\u0085", "x", "error"), { maxLength: 60 }).map((a) => a.join(""));
    const io = createRunnerIO();
    fc.assert(
      fc.property(message, (m) => {
        written = [];
        io.info(m);
        expect(lines().filter(isCommand)).toEqual([]);
      }),
      { seed: 7, numRuns: 500 },
    );
  });
});

describe("runner IO: inputs, outputs, state and the exit status", () => {
  it("reads inputs from INPUT_* trimmed (spaces in a name become _), and state from STATE_*", () => {
    vi.stubEnv("INPUT_LISTENER-ARN", "  arn:aws:x \n");
    vi.stubEnv("INPUT_MY_INPUT", "v");
    vi.stubEnv("STATE_finished", "true");
    const io = createRunnerIO();
    expect([io.getInput("listener-arn"), io.getInput("my input"), io.getInput("absent")]).toEqual(["arn:aws:x", "v", ""]);
    expect([io.getState("finished"), io.getState("absent")]).toEqual(["true", ""]);
  });

  it("writes outputs and state to their files in the delimiter form, multi-line values whole, and nothing to stdout", () => {
    const io = createRunnerIO();
    io.setOutput("verdict", "pass");
    io.setOutput("results", '{"a":1}\nsecond line');
    io.saveState("previous-weights", "blue=100");
    expect(entries(read("GITHUB_OUTPUT"))).toEqual({ verdict: "pass", results: '{"a":1}\nsecond line' });
    expect(entries(read("GITHUB_STATE"))).toEqual({ "previous-weights": "blue=100" });
    expect(written).toEqual([]);
  });

  it("setFailed writes one error annotation and sets exit status 1", () => {
    createRunnerIO().setFailed("Input listener-arn: required\n::add-mask::x");
    expect(lines()).toEqual(["::error::Input listener-arn: required%0A::add-mask::x"]);
    expect(process.exitCode).toBe(1);
  });

  it("setSecret masks through add-mask, and an empty value is not sent", () => {
    const io = createRunnerIO();
    io.setSecret("");
    io.setSecret("tok-123");
    expect(lines()).toEqual(["::add-mask::tok-123"]);
  });
});

describe("runner IO: the step summary through core.summary", () => {
  it("appends a builder's blocks one by one, separated as the builder separates them, after what was there", async () => {
    writeFileSync(files.GITHUB_STEP_SUMMARY, "earlier step\n");
    const io = createRunnerIO();
    const s = summary().heading("Deployed", 2).paragraph("v2 is live").table(["slot", "weight"], [["green", 100]]);

    io.appendSummary(s);
    io.appendSummary("### Rendered\n");
    await io.flush();

    expect(read("GITHUB_STEP_SUMMARY")).toBe(`earlier step\n${s.toString()}### Rendered\n`);
  });

  it("masks what setSecret was given, which the runner does not mask in the summary", async () => {
    const io = createRunnerIO();
    io.setSecret("dd-api-SECRET1");
    io.appendSummary(summary().paragraph("provider said: bad key dd-api-SECRET1"));
    await io.flush();
    expect(read("GITHUB_STEP_SUMMARY")).toBe("provider said: bad key ***\n");
  });

  it("writes nothing, and fails nothing, where the runner gives no summary file", async () => {
    vi.stubEnv("GITHUB_STEP_SUMMARY", "");
    const io = createRunnerIO();
    io.appendSummary("### Nothing\n");
    await expect(io.flush()).resolves.toBeUndefined();
    expect(read("GITHUB_STEP_SUMMARY")).toBe("");
  });

  it("flush rejects with a write that failed, once, and the next summary is written", async () => {
    const io = createRunnerIO();
    rmSync(files.GITHUB_STEP_SUMMARY);
    mkdirSync(files.GITHUB_STEP_SUMMARY);
    io.appendSummary("### Lost\n");
    await expect(io.flush()).rejects.toThrow(/EISDIR|directory|access/);
    await expect(io.flush()).resolves.toBeUndefined();

    rmSync(files.GITHUB_STEP_SUMMARY, { recursive: true });
    writeFileSync(files.GITHUB_STEP_SUMMARY, "");
    io.appendSummary("### Kept\n");
    await io.flush();
    expect(read("GITHUB_STEP_SUMMARY")).toBe("### Kept\n");
  });
});
