import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { defaultConfig, parseConfig, RELEASE_IMAGES } from "../../../aws/config";

describe("sandbox configuration", () => {
  it("parses the default environment", () => {
    const config = parseConfig(defaultConfig());
    expect(config.region).toBe("us-east-1");
    expect(config.accountId).toBe("123456789012");
    expect(config.targetGroups.map((t) => [t.name, t.healthCheck.path, t.healthCheck.intervalSeconds, t.deregistrationDelaySeconds])).toEqual([
      ["web-blue", "/health", 5, 10],
      ["web-green", "/health", 5, 10],
    ]);
    expect(config.autoScalingGroups.map((g) => [g.name, g.desiredCapacity, g.minSize, g.maxSize])).toEqual([
      ["web-blue", 2, 0, 10],
      ["web-green", 0, 0, 10],
    ]);
    for (const image of Object.values(RELEASE_IMAGES)) expect(image).toMatch(/^ami-[0-9a-f]{17}$/);
    expect(Object.values(config.releases).map((r) => r.version)).toEqual(["v1", "v2", "v3", "v4", "v5"]);
    expect(config.releases[RELEASE_IMAGES.v4]!.health.status).toBe(503);
    expect(config.releases[RELEASE_IMAGES.v5]!.crashAfterSeconds).toBe(20);
    expect(config.releases[RELEASE_IMAGES.v3]!.errorRate).toBe(0.1);
  });

  it("lists every problem with its path", () => {
    const base = defaultConfig();
    const bad = {
      ...base,
      autoScalingGroups: [{ ...base.autoScalingGroups![0]!, minSize: 5, maxSize: 3, desiredCapacity: 4, launchTemplate: { name: "nope" } }],
    };
    let message = "";
    try {
      parseConfig(bad);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("autoScalingGroups.0.minSize: minSize 5 is greater than maxSize 3");
    expect(message).toContain('autoScalingGroups.0.launchTemplate: unknown launch template "nope"');
    expect(() => parseConfig({ ...base, releases: { "ami-xyz": base.releases![RELEASE_IMAGES.v1]! } })).toThrow(/releases\.ami-xyz.*image id must look like ami-<17 hex digits>/s);
  });

  it("refuses an unknown key at any depth, naming it and the valid keys there", () => {
    const base = defaultConfig();
    expect(() => parseConfig({ targetgroups: [{ name: "web-blue" }] })).toThrow(
      '(root): unknown key "targetgroups" (did you mean "targetGroups"?); valid keys here: region, accountId, tagReadLagMs, metricPublicationLagSeconds, stickinessBeatsWeight, propagationSeconds, apiThrottling, releases, targetGroups, loadBalancers, launchTemplates, autoScalingGroups, alarms',
    );
    const tg = { ...base.targetGroups![0]!, healthCheck: { path: "/health", intervall: 5 } };
    expect(() => parseConfig({ ...base, targetGroups: [tg, base.targetGroups![1]!] })).toThrow(/targetGroups\.0\.healthCheck: unknown key "intervall"; valid keys here: enabled, protocol, port, path, intervalSeconds,/);
    const release = { ...base.releases![RELEASE_IMAGES.v1]!, latency: 5 };
    expect(() => parseConfig({ ...base, releases: { [RELEASE_IMAGES.v1]: release } })).toThrow(`releases.${RELEASE_IMAGES.v1}: unknown key "latency"`);
  });

  it("refuses a file that is not a sandbox configuration, such as package.json", async () => {
    const pkg: unknown = JSON.parse(await readFile(new URL("../../../../package.json", import.meta.url), "utf8"));
    expect(() => parseConfig(pkg)).toThrow(/\(root\): unknown keys "name", "version", .*"devDependencies".*; valid keys here: region,/);
  });

  it("rejects a weight over 999 in a forward action", () => {
    const base = defaultConfig();
    const lb = base.loadBalancers![0]!;
    const bad = { ...base, loadBalancers: [{ ...lb, listeners: [{ defaultAction: { type: "forward" as const, targetGroups: [{ name: "web-blue", weight: 1000 }] } }] }] };
    expect(() => parseConfig(bad)).toThrow(/loadBalancers\.0\.listeners\.0\.defaultAction\.targetGroups\.0\.weight/);
  });
});
