import {
  AddTagsCommand,
  DeregisterTargetsCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ModifyListenerCommand,
  ModifyRuleCommand,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
  RemoveTagsCommand,
  paginateDescribeTargetGroups,
  type Action,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultConfig, type SandboxConfig } from "../../../aws/config";
import { startSandbox, type Sandbox } from "../../../aws/sandbox";
import { clientsFor, eventually, failure } from "./clients";

// The default environment plus a rule and three spare target groups (for pagination and the 5-group limit).
function config(): SandboxConfig {
  const base = defaultConfig();
  const extra = ["spare-1", "spare-2", "spare-3", "spare-4"].map((name) => ({ name, port: 80 }));
  return {
    ...base,
    // Tags are read right after they are written here; the read lag has its own tests (tag-lag.test.ts).
    tagReadLagMs: 0,
    apiThrottling: { enabled: false },
    targetGroups: [...(base.targetGroups ?? []), ...extra],
    loadBalancers: base.loadBalancers!.map((lb) => ({
      ...lb,
      listeners: lb.listeners.map((l) => ({
        ...l,
        rules: [
          { priority: 10, pathPatterns: ["/api/*"], action: { type: "fixed-response" as const, statusCode: 418, contentType: "text/plain", body: "teapot" } },
          { priority: 5, hostHeaders: ["admin.example.com"], action: { type: "forward" as const, targetGroups: [{ name: "spare-1", weight: 1 }] } },
        ],
      })),
    })),
  };
}

describe("ELBv2 through the unmodified SDK", () => {
  let sandbox: Sandbox;
  let c: ReturnType<typeof clientsFor>;
  let env: Sandbox["environment"];
  let blue: string;
  let green: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ config: config(), timeScale: 50, seed: 7 });
    c = clientsFor(sandbox);
    env = sandbox.environment;
    blue = env.targetGroups["web-blue"]!;
    green = env.targetGroups["web-green"]!;
  });
  afterAll(async () => {
    c?.destroy();
    await sandbox?.close();
  });

  const forward = (weights: [string, number][], stickiness?: { Enabled: boolean; DurationSeconds?: number }): Action[] => [
    { Type: "forward", ForwardConfig: { TargetGroups: weights.map(([TargetGroupArn, Weight]) => ({ TargetGroupArn, Weight })), ...(stickiness ? { TargetGroupStickinessConfig: stickiness } : {}) } },
  ];

  it("describes the load balancer by ARN and by name, and rejects unknown ones", async () => {
    const byArn = await c.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [env.loadBalancerArn] }));
    expect(byArn.LoadBalancers?.[0]).toMatchObject({ LoadBalancerName: "web", Type: "application", State: { Code: "active" } });
    expect(byArn.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const byName = await c.elb.send(new DescribeLoadBalancersCommand({ Names: ["web"] }));
    expect(byName.LoadBalancers?.[0]?.LoadBalancerArn).toBe(env.loadBalancerArn);
    const error = await failure(c.elb.send(new DescribeLoadBalancersCommand({ Names: ["nope"] })));
    expect(error.name).toBe("LoadBalancerNotFoundException");
  });

  it("describes listeners and default weights (blue 1, green 0)", async () => {
    const out = await c.elb.send(new DescribeListenersCommand({ LoadBalancerArn: env.loadBalancerArn }));
    expect(out.Listeners).toHaveLength(1);
    const action = out.Listeners![0]!.DefaultActions![0]!;
    expect(action.ForwardConfig?.TargetGroups).toEqual([
      { TargetGroupArn: blue, Weight: 1 },
      { TargetGroupArn: green, Weight: 0 },
    ]);
  });

  it("answers ListenerNotFound for an unknown listener ARN as ListenerNotFoundException", async () => {
    const error = await failure(c.elb.send(new DescribeListenersCommand({ ListenerArns: [`${env.listenerArn}0`] })));
    expect(error.name).toBe("ListenerNotFoundException");
    expect(error.Code).toBe("ListenerNotFound");
    expect(error.$metadata.httpStatusCode).toBe(400);
    const modify = await failure(c.elb.send(new ModifyListenerCommand({ ListenerArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/0/0", DefaultActions: forward([[blue, 1]]) })));
    expect(modify.name).toBe("ListenerNotFoundException");
  });

  it("modifies listener weights and reads them back", async () => {
    const out = await c.elb.send(new ModifyListenerCommand({ ListenerArn: env.listenerArn, DefaultActions: forward([[blue, 90], [green, 10]]) }));
    expect(out.Listeners?.[0]?.DefaultActions?.[0]?.ForwardConfig?.TargetGroups).toEqual([
      { TargetGroupArn: blue, Weight: 90 },
      { TargetGroupArn: green, Weight: 10 },
    ]);
    const read = await c.elb.send(new DescribeListenersCommand({ ListenerArns: [env.listenerArn] }));
    expect(read.Listeners?.[0]?.DefaultActions?.[0]?.ForwardConfig?.TargetGroups?.map((t) => t.Weight)).toEqual([90, 10]);
    const last = sandbox.state().weightHistory.at(-1)!;
    expect(last.groups.map((g) => [g.name, g.weight])).toEqual([
      ["web-blue", 90],
      ["web-green", 10],
    ]);
  });

  it("rejects a weight over 999 with ValidationError naming the parameter, and leaves the listener unchanged", async () => {
    const error = await failure(c.elb.send(new ModifyListenerCommand({ ListenerArn: env.listenerArn, DefaultActions: forward([[blue, 1000], [green, 0]]) })));
    expect(error.name).toBe("ValidationError");
    expect(error.message).toContain("weight");
    expect(error.message).toContain("999");
    const read = await c.elb.send(new DescribeListenersCommand({ ListenerArns: [env.listenerArn] }));
    expect(read.Listeners?.[0]?.DefaultActions?.[0]?.ForwardConfig?.TargetGroups?.map((t) => t.Weight)).toEqual([90, 10]);
  });

  it("rejects more than 5 target groups per action, stickiness without a duration, and unknown target groups", async () => {
    const six = [blue, green, ...["spare-1", "spare-2", "spare-3", "spare-4"].map((n) => env.targetGroups[n]!)].map((a) => [a, 1] as [string, number]);
    expect((await failure(c.elb.send(new ModifyListenerCommand({ ListenerArn: env.listenerArn, DefaultActions: forward(six) })))).name).toBe("ValidationError");
    const sticky = await failure(c.elb.send(new ModifyListenerCommand({ ListenerArn: env.listenerArn, DefaultActions: forward([[blue, 1]], { Enabled: true }) })));
    expect(sticky.name).toBe("ValidationError");
    expect(sticky.message).toContain("DurationSeconds");
    const long = await failure(c.elb.send(new ModifyListenerCommand({ ListenerArn: env.listenerArn, DefaultActions: forward([[blue, 1]], { Enabled: true, DurationSeconds: 604801 }) })));
    expect(long.name).toBe("ValidationError");
    const unknown = await failure(c.elb.send(new ModifyListenerCommand({ ListenerArn: env.listenerArn, DefaultActions: forward([[`${blue}0`, 1]]) })));
    expect(unknown.name).toBe("TargetGroupNotFoundException");
  });

  it("accepts the single TargetGroupArn form and echoes it with weight 1", async () => {
    const out = await c.elb.send(new ModifyListenerCommand({ ListenerArn: env.listenerArn, DefaultActions: [{ Type: "forward", TargetGroupArn: blue }] }));
    const action = out.Listeners![0]!.DefaultActions![0]!;
    expect(action.TargetGroupArn).toBe(blue);
    expect(action.ForwardConfig?.TargetGroups).toEqual([{ TargetGroupArn: blue, Weight: 1 }]);
  });

  it("stores authenticate-oidc, redirect and fixed-response actions and echoes them unchanged, in order", async () => {
    const oidc: Action = {
      Type: "authenticate-oidc",
      Order: 1,
      AuthenticateOidcConfig: {
        Issuer: "https://idp.example.com",
        AuthorizationEndpoint: "https://idp.example.com/auth",
        TokenEndpoint: "https://idp.example.com/token",
        UserInfoEndpoint: "https://idp.example.com/userinfo",
        ClientId: "client",
        SessionCookieName: "session",
        Scope: "openid",
        SessionTimeout: 3600,
        OnUnauthenticatedRequest: "authenticate",
        AuthenticationRequestExtraParams: { prompt: "login" },
      },
    };
    const fwd: Action = { Type: "forward", Order: 2, ForwardConfig: { TargetGroups: [{ TargetGroupArn: blue, Weight: 5 }, { TargetGroupArn: green, Weight: 5 }], TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 120 } } };
    await c.elb.send(new ModifyListenerCommand({ ListenerArn: env.listenerArn, DefaultActions: [oidc, fwd] }));
    const read = await c.elb.send(new DescribeListenersCommand({ ListenerArns: [env.listenerArn] }));
    const actions = read.Listeners![0]!.DefaultActions!;
    expect(actions.map((a) => [a.Type, a.Order])).toEqual([
      ["authenticate-oidc", 1],
      ["forward", 2],
    ]);
    expect(actions[0]!.AuthenticateOidcConfig).toEqual(oidc.AuthenticateOidcConfig);
    expect(actions[1]!.ForwardConfig?.TargetGroupStickinessConfig).toEqual({ Enabled: true, DurationSeconds: 120 });

    const rules = await c.elb.send(new DescribeRulesCommand({ ListenerArn: env.listenerArn }));
    const teapot = rules.Rules!.find((r) => r.Priority === "10")!;
    const redirect: Action = { Type: "redirect", RedirectConfig: { Protocol: "HTTPS", Port: "443", Host: "#{host}", Path: "/#{path}", Query: "#{query}", StatusCode: "HTTP_301" } };
    const modified = await c.elb.send(new ModifyRuleCommand({ RuleArn: teapot.RuleArn, Actions: [redirect] }));
    expect(modified.Rules![0]!.Actions).toEqual([{ ...redirect, Order: 1 }]);
    const fixed: Action = { Type: "fixed-response", FixedResponseConfig: { StatusCode: "503", ContentType: "application/json", MessageBody: '{"down":true}' } };
    await c.elb.send(new ModifyRuleCommand({ RuleArn: teapot.RuleArn, Actions: [fixed] }));
    const after = await c.elb.send(new DescribeRulesCommand({ RuleArns: [teapot.RuleArn!] }));
    expect(after.Rules![0]!.Actions).toEqual([{ ...fixed, Order: 1 }]);
    expect(after.Rules![0]!.Conditions?.[0]).toMatchObject({ Field: "path-pattern", Values: ["/api/*"] });
  });

  it("describes rules in priority order with the default rule last, and modifies conditions", async () => {
    const out = await c.elb.send(new DescribeRulesCommand({ ListenerArn: env.listenerArn }));
    expect(out.Rules!.map((r) => [r.Priority, r.IsDefault])).toEqual([
      ["5", false],
      ["10", false],
      ["default", true],
    ]);
    const hostRule = out.Rules![0]!;
    expect(hostRule.Conditions?.[0]).toMatchObject({ Field: "host-header", HostHeaderConfig: { Values: ["admin.example.com"] } });
    const modified = await c.elb.send(new ModifyRuleCommand({ RuleArn: hostRule.RuleArn, Conditions: [{ Field: "path-pattern", PathPatternConfig: { Values: ["/admin/*"] } }] }));
    expect(modified.Rules![0]!.Conditions).toEqual([{ Field: "path-pattern", Values: ["/admin/*"], PathPatternConfig: { Values: ["/admin/*"] } }]);
    expect(modified.Rules![0]!.Actions?.[0]?.TargetGroupArn).toBe(env.targetGroups["spare-1"]);
    const missing = await failure(c.elb.send(new ModifyRuleCommand({ RuleArn: `${hostRule.RuleArn}0`, Actions: forward([[blue, 1]]) })));
    expect(missing.name).toBe("RuleNotFoundException");
  });

  it("refuses ModifyRule on a listener's default rule, as AWS does (use ModifyListener)", async () => {
    const out = await c.elb.send(new DescribeRulesCommand({ ListenerArn: env.listenerArn }));
    const defaultRule = out.Rules!.find((r) => r.IsDefault)!;
    const before = await c.elb.send(new DescribeListenersCommand({ ListenerArns: [env.listenerArn] }));
    const refused = await failure(c.elb.send(new ModifyRuleCommand({ RuleArn: defaultRule.RuleArn, Actions: forward([[blue, 999], [green, 1]]) })));
    expect(refused.name).toBe("OperationNotPermittedException");
    expect(refused.$metadata.httpStatusCode).toBe(400);
    expect(refused.message).toBe(`Default rule '${defaultRule.RuleArn}' cannot be modified`);
    const after = await c.elb.send(new DescribeListenersCommand({ ListenerArns: [env.listenerArn] }));
    expect(after.Listeners![0]!.DefaultActions).toEqual(before.Listeners![0]!.DefaultActions);
  });

  it("pages target groups with PageSize and NextMarker", async () => {
    const first = await c.elb.send(new DescribeTargetGroupsCommand({ PageSize: 4 }));
    expect(first.TargetGroups).toHaveLength(4);
    expect(first.NextMarker).toBeTruthy();
    const second = await c.elb.send(new DescribeTargetGroupsCommand({ PageSize: 4, Marker: first.NextMarker }));
    expect(second.TargetGroups).toHaveLength(2);
    expect(second.NextMarker).toBeUndefined();
    const names: string[] = [];
    for await (const page of paginateDescribeTargetGroups({ client: c.elb, pageSize: 1 }, { PageSize: 1 })) names.push(...page.TargetGroups!.map((t) => t.TargetGroupName!));
    expect(names).toEqual(["web-blue", "web-green", "spare-1", "spare-2", "spare-3", "spare-4"]);
    const bad = await failure(c.elb.send(new DescribeTargetGroupsCommand({ PageSize: 401 })));
    expect(bad.name).toBe("ValidationError");
    expect(bad.message).toContain("pageSize");
  });

  it("describes target groups with their health check settings and load balancers", async () => {
    const out = await c.elb.send(new DescribeTargetGroupsCommand({ Names: ["web-blue"] }));
    expect(out.TargetGroups![0]).toMatchObject({
      TargetGroupArn: blue,
      HealthCheckPath: "/health",
      HealthCheckIntervalSeconds: 5,
      HealthCheckTimeoutSeconds: 2,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
      LoadBalancerArns: [env.loadBalancerArn],
    });
    expect((await failure(c.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [`${blue}x`] })))).name).toBe("TargetGroupNotFoundException");
  });

  it("reads and modifies target group attributes", async () => {
    const before = await c.elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: green }));
    expect(before.Attributes).toContainEqual({ Key: "deregistration_delay.timeout_seconds", Value: "10" });
    const after = await c.elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: green, Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "5" }] }));
    expect(after.Attributes).toContainEqual({ Key: "deregistration_delay.timeout_seconds", Value: "5" });
    const bad = await failure(c.elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: green, Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "9999" }] })));
    expect(bad.name).toBe("InvalidConfigurationRequestException");
    await c.elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: green, Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "10" }] }));
  });

  it("reports target health and registers and deregisters targets", async () => {
    const healthy = await eventually("two healthy blue targets", async () => {
      const out = await c.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: blue }));
      const states = out.TargetHealthDescriptions!.map((d) => d.TargetHealth?.State);
      return states.length === 2 && states.every((s) => s === "healthy") ? out : undefined;
    });
    const id = healthy.TargetHealthDescriptions![0]!.Target!.Id!;
    const spare = env.targetGroups["spare-2"]!;
    await c.elb.send(new RegisterTargetsCommand({ TargetGroupArn: spare, Targets: [{ Id: id, Port: 80 }] }));
    const registered = await c.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: spare }));
    expect(registered.TargetHealthDescriptions!.map((d) => d.Target?.Id)).toEqual([id]);
    // spare-2 is not used by any listener
    expect(registered.TargetHealthDescriptions![0]!.TargetHealth).toMatchObject({ State: "unused", Reason: "Target.NotInUse" });
    await c.elb.send(new DeregisterTargetsCommand({ TargetGroupArn: spare, Targets: [{ Id: id }] }));
    const notRegistered = await c.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: spare, Targets: [{ Id: id }] }));
    expect(["draining", "unused"]).toContain(notRegistered.TargetHealthDescriptions![0]!.TargetHealth?.State);
    const invalid = await failure(c.elb.send(new RegisterTargetsCommand({ TargetGroupArn: spare, Targets: [{ Id: "i-0000000000000000f" }] })));
    expect(invalid.name).toBe("InvalidTargetException");
    const empty = await failure(c.elb.send(new RegisterTargetsCommand({ TargetGroupArn: spare, Targets: [] })));
    expect(empty.name).toBe("ValidationError");
  });

  it("tags load balancers, target groups, listeners and rules", async () => {
    const rules = await c.elb.send(new DescribeRulesCommand({ ListenerArn: env.listenerArn }));
    const ruleArn = rules.Rules![0]!.RuleArn!;
    const arns = [env.loadBalancerArn, blue, env.listenerArn, ruleArn];
    await c.elb.send(new AddTagsCommand({ ResourceArns: arns, Tags: [{ Key: "deploy-lock", Value: "run-42" }] }));
    const described = await c.elb.send(new DescribeTagsCommand({ ResourceArns: arns }));
    for (const d of described.TagDescriptions!) expect(d.Tags).toContainEqual({ Key: "deploy-lock", Value: "run-42" });
    expect(described.TagDescriptions!.find((d) => d.ResourceArn === blue)!.Tags).toContainEqual({ Key: "environment", Value: "sandbox" });
    await c.elb.send(new RemoveTagsCommand({ ResourceArns: arns, TagKeys: ["deploy-lock"] }));
    const after = await c.elb.send(new DescribeTagsCommand({ ResourceArns: arns }));
    for (const d of after.TagDescriptions!) expect(d.Tags?.some((t) => t.Key === "deploy-lock")).toBe(false);
    expect((await failure(c.elb.send(new DescribeTagsCommand({ ResourceArns: [`${ruleArn}0`] })))).name).toBe("RuleNotFoundException");
    expect((await failure(c.elb.send(new AddTagsCommand({ ResourceArns: [blue], Tags: [{ Key: "a", Value: "1" }, { Key: "a", Value: "2" }] })))).name).toBe("DuplicateTagKeysException");
    const tooMany = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    expect((await failure(c.elb.send(new AddTagsCommand({ ResourceArns: [green], Tags: tooMany })))).name).toBe("TooManyTagsException");
  });
});
