import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { prometheusAnalysisConfig, prometheusBinary } from "../../harness";
import { parseCanaryConfig } from "../../../src/adapters/metrics/config";
import { monitoredMetrics } from "../../../src/analyze/monitor";

const dir = mkdtempSync(join(tmpdir(), "zda-prom-bin-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the Prometheus binary and the analysis configuration that reads it", () => {
  it("finds the binary as PROMETHEUS_BIN, else on the PATH, else not at all (the e2e then fails in CI)", () => {
    const bin = join(dir, "prometheus");
    writeFileSync(bin, "#!/bin/sh\n");
    chmodSync(bin, 0o755);
    expect(prometheusBinary({ PATH: `/nonexistent:${dir}` })).toBe(bin);
    expect(prometheusBinary({ PROMETHEUS_BIN: bin, PATH: "" })).toBe(bin);
    expect(prometheusBinary({ PATH: "/nonexistent" })).toBeUndefined();
    expect(prometheusBinary({ PROMETHEUS_BIN: join(dir, "missing"), PATH: "" })).toBeUndefined();
  });

  it("is a valid canary configuration whose two counts metrics (errors, slow requests) the continuous monitor watches", () => {
    const config = parseCanaryConfig(prometheusAnalysisConfig("http://127.0.0.1:9090", "minRequests: 40"), "sandbox Prometheus");
    expect(config.providers.prometheus?.url).toBe("http://127.0.0.1:9090");
    expect(config.minRequests).toBe(40);
    expect(monitoredMetrics(config).map((m) => m.name)).toEqual(["error-rate", "slow-requests"]);
  });
});
