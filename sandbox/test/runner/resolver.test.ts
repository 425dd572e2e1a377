import { describe, expect, it } from "vitest";
import { defaultResolver, orderJobs } from "../../runner";

describe("defaultResolver", () => {
  const resolve = defaultResolver();
  const context = { repoRoot: "/repo" };

  it.each([
    ["./actions/deploy-green", { kind: "local", directory: "/repo/actions/deploy-green" }],
    ["acme/zero-downtime/actions/shift-traffic@v1", { kind: "local", directory: "/repo/actions/shift-traffic", repository: "acme/zero-downtime", ref: "v1" }],
    ["actions/checkout@v4", { kind: "builtin", name: "checkout", ref: "v4" }],
    ["aws-actions/configure-aws-credentials@v4.0.2", { kind: "builtin", name: "configure-aws-credentials", ref: "v4.0.2" }],
    // Pinned by commit, as the examples are.
    ["aws-actions/configure-aws-credentials@7474bc4690e29a8392af63c5b98e7449536d5c3a", { kind: "builtin", name: "configure-aws-credentials", ref: "7474bc4690e29a8392af63c5b98e7449536d5c3a" }],
    ["actions/checkout@11d5960a326750d5838078e36cf38b85af677262", { kind: "builtin", name: "checkout", ref: "11d5960a326750d5838078e36cf38b85af677262" }],
    ["actions/upload-artifact@v4", { kind: "builtin", name: "upload-artifact", ref: "v4" }],
    ["actions/download-artifact@main", { kind: "builtin", name: "download-artifact", ref: "main" }],
  ])("%s", (uses, expected) => {
    expect(resolve(uses, context)).toEqual(expected);
  });

  it.each(["actions/setup-node@v4", "docker://alpine:3", "acme/repo/tools/x@v1", "actions/checkout"])("does not resolve %s", (uses) => {
    expect(resolve(uses, context)).toBeUndefined();
  });

  it("can be limited to the repository under test", () => {
    const strict = defaultResolver({ selfRepositories: ["Acme/Zero-Downtime"] });
    expect(strict("acme/zero-downtime/actions/rollback@v1", context)).toMatchObject({ kind: "local" });
    expect(strict("other/zero-downtime/actions/rollback@v1", context)).toBeUndefined();
  });
});

describe("orderJobs", () => {
  it("puts needs first and names cycles and unknown needs", () => {
    expect(orderJobs({ deploy: ["build"], notify: ["deploy", "build"], build: [] })).toEqual(["build", "deploy", "notify"]);
    expect(() => orderJobs({ a: ["b"], b: ["a"] })).toThrow("Jobs depend on each other in a cycle: a → b → a");
    expect(() => orderJobs({ a: ["ghost"] })).toThrow("Job 'a' depends on unknown job 'ghost'");
  });
});
