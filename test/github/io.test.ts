import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRunnerIO, safeLines } from "../../src/github/io";

function capture() {
  const written: string[] = [];
  const io = createRunnerIO({}, (line) => written.push(line));
  /** Stdout as the runner reads it: CR and LF both end a line. */
  const lines = () => written.join("\n").split(/\r\n|\r|\n/);
  return { io, written, lines };
}

const isCommand = (line: string) => /^[\s\u0085]*::/.test(line) || line.includes("##[");

describe("runner IO: a message never starts a workflow command", () => {
  it("info neutralises each line that starts with :: (after whitespace) or holds ##[, at LF and at CR", () => {
    const { io, lines } = capture();
    io.info("checking\n::add-mask::verdict\r  ::stop-commands::pwned\r\n##[error]forged and ok::fine");
    expect(lines()).toEqual(["checking", ": :add-mask::verdict", "  : :stop-commands::pwned", "# #[error]forged and ok::fine"]);
  });

  it("leaves a message without commands as it is, line breaks included", () => {
    expect(safeLines("Invalid canary configuration:\n- a: b::c\n- d")).toBe("Invalid canary configuration:\n- a: b::c\n- d");
  });

  it("warning, error, notice, debug and group write exactly one line, their own command, with ##[ neutralised", () => {
    const { io, written, lines } = capture();
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
    expect(written[1]).toBe("::error title=t%3A%3A1::x%0A::error title=forged::y%0D# #[warning]z");
  });

  it("for any message, no line info prints is a command", () => {
    const message = fc.array(fc.constantFrom("::", "##[", "#", "[", "\n", "\r", " ", "\t", "\u00a0", "\u0085", "x", "error"), { maxLength: 60 }).map((a) => a.join(""));
    fc.assert(
      fc.property(message, (m) => {
        const { io, lines } = capture();
        io.info(m);
        expect(lines().filter(isCommand)).toEqual([]);
      }),
      { seed: 7, numRuns: 500 },
    );
  });
});
