import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, parseArgs } from "../../cli/cli-args";

describe("sandbox CLI flags", () => {
  it("parses up with every flag, in both spellings", () => {
    expect(parseArgs(["up", "--config", "env.yaml", "--time-scale", "20", "--port=4566", "--seed", "7"])).toEqual({ config: "env.yaml", timeScale: 20, port: 4566, seed: 7 });
    expect(parseArgs(["up"])).toEqual({});
  });

  it("names the flag, the value and what is valid", () => {
    expect(() => parseArgs(["up", "--time-scale", "fast"])).toThrow('flag --time-scale got "fast"; valid: a number greater than 0 and at most 1000');
    expect(() => parseArgs(["up", "--time-scale", "0"])).toThrow('flag --time-scale got "0"');
    expect(() => parseArgs(["up", "--port", "70000"])).toThrow('flag --port got "70000"; valid: an integer from 0 to 65535');
    expect(() => parseArgs(["up", "--port"])).toThrow("flag --port needs a value");
    expect(() => parseArgs(["up", "--colour"])).toThrow('unknown flag "--colour"; valid flags: --config, --template, --parameter, --time-scale, --port, --seed');
    expect(() => parseArgs(["down"])).toThrow('unknown command "down"; the only command is "up"');
    expect(() => parseArgs([])).toThrow("unknown command (none)");
  });

  it("reads JSON and YAML configuration files and reports unreadable or malformed ones", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sandbox-args-"));
    try {
      await writeFile(join(dir, "a.yaml"), "region: eu-west-1\n");
      await writeFile(join(dir, "b.json"), "{ nope");
      expect(await loadConfig(join(dir, "a.yaml"))).toEqual({ region: "eu-west-1" });
      await expect(loadConfig(join(dir, "b.json"))).rejects.toThrow(/b\.json", which is not valid JSON/);
      await expect(loadConfig(join(dir, "missing.json"))).rejects.toThrow(/missing\.json", which cannot be read/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
