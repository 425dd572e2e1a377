/**
 * CreateRule and DeleteRule as AWS answers them, through the unmodified SDK and the suite's lock
 * adapter: PriorityInUse, RuleNotFound, OperationNotPermitted for the default rule, TooManyRules,
 * rules with tags; the data plane skips a rule whose condition does not match. Then lock race
 * trials on the sandbox itself, with its tag read lag on.
 */
import { CreateRuleCommand, DeleteRuleCommand, DescribeRulesCommand, DescribeTagsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ElbV2Adapter, elbTags } from "../../../../src/adapters/aws/elbv2";
import { ElbV2LockRules } from "../../../../src/adapters/aws/elbv2-lock-rules";
import { acquireLock } from "../../../../src/domain/lock";
import { systemClock } from "../../../../src/util/clock";
import { SafetyError } from "../../../../src/util/errors";
import { defaultConfig } from "../../../aws/config";
import { RULES_PER_LOAD_BALANCER } from "../../../aws/api/elbv2-rules";
import { startSandbox, type Sandbox } from "../../../aws/sandbox";
import { clientsFor, eventually, failure } from "./clients";

const lockCondition = (token: string) => [{ Field: "http-header", HttpHeaderConfig: { HttpHeaderName: "x-zero-downtime-lock", Values: [token] } }];
const notFound = [{ Type: "fixed-response" as const, FixedResponseConfig: { StatusCode: "404", ContentType: "text/plain", MessageBody: "Not Found" } }];

describe("CreateRule and DeleteRule", () => {
  let sandbox: Sandbox;
  let c: ReturnType<typeof clientsFor>;
  beforeAll(async () => {
    // 100 CreateRule calls in a row: more than the mutating bucket (api/throttle.test.ts) lets through at once.
    sandbox = await startSandbox({ config: { ...defaultConfig(), apiThrottling: { enabled: false }, tagReadLagMs: 0 }, timeScale: 50, seed: 3 });
    c = clientsFor(sandbox);
  });
  afterAll(async () => {
    c?.destroy();
    await sandbox?.close();
  });

  it("creates a rule with tags; a second rule at the same priority is PriorityInUse; it is deleted once", async () => {
    const listener = sandbox.environment.listenerArn;
    const out = await c.elb.send(new CreateRuleCommand({ ListenerArn: listener, Priority: 50000, Conditions: lockCondition("abc123"), Actions: notFound, Tags: [{ Key: "deploy:lock", Value: "state=active" }] }));
    const arn = out.Rules![0]!.RuleArn!;
    expect(arn).toMatch(/:listener-rule\/app\/.+\/[0-9a-f]{16}\/[0-9a-f]{16}\/[0-9a-f]{16}$/);
    expect(out.Rules![0]).toMatchObject({ Priority: "50000", IsDefault: false });
    const tags = await c.elb.send(new DescribeTagsCommand({ ResourceArns: [arn] }));
    expect(tags.TagDescriptions![0]!.Tags).toEqual([{ Key: "deploy:lock", Value: "state=active" }]);

    const inUse = await failure(c.elb.send(new CreateRuleCommand({ ListenerArn: listener, Priority: 50000, Conditions: lockCondition("other"), Actions: notFound })));
    expect(inUse.name).toBe("PriorityInUseException");
    expect(inUse.$metadata.httpStatusCode).toBe(400);

    await c.elb.send(new DeleteRuleCommand({ RuleArn: arn }));
    const gone = await failure(c.elb.send(new DeleteRuleCommand({ RuleArn: arn })));
    expect(gone.name).toBe("RuleNotFoundException");
    const rules = await c.elb.send(new DescribeRulesCommand({ ListenerArn: listener }));
    expect(rules.Rules!.map((r) => r.RuleArn)).not.toContain(arn);
    expect((await failure(c.elb.send(new DescribeTagsCommand({ ResourceArns: [arn] })))).name).toBe("RuleNotFoundException");
  });

  it("refuses to delete the default rule (OperationNotPermitted) and checks the priority range", async () => {
    const rules = await c.elb.send(new DescribeRulesCommand({ ListenerArn: sandbox.environment.listenerArn }));
    const refused = await failure(c.elb.send(new DeleteRuleCommand({ RuleArn: rules.Rules!.find((r) => r.IsDefault)!.RuleArn })));
    expect(refused.name).toBe("OperationNotPermittedException");
    const range = await failure(c.elb.send(new CreateRuleCommand({ ListenerArn: sandbox.environment.listenerArn, Priority: 50001, Conditions: lockCondition("x"), Actions: notFound })));
    expect(range.name).toBe("ValidationError");
  });

  it("routes around a rule whose condition does not match, and answers its fixed 404 to a request that matches", async () => {
    const listener = sandbox.environment.listenerArn;
    const status = async (headers: Record<string, string> = {}) => {
      const response = await fetch(sandbox.environment.listenerUrl, { headers });
      await response.arrayBuffer();
      return response.status;
    };
    // The live fleet serves before the rule exists.
    await eventually("blue serving", async () => ((await status()) === 200 ? true : undefined));
    const out = await c.elb.send(new CreateRuleCommand({ ListenerArn: listener, Priority: 1, Conditions: lockCondition("f00d"), Actions: notFound }));
    try {
      expect(await status()).toBe(200);
      expect(await status({ "x-zero-downtime-lock": "f00e" })).toBe(200);
      const matching = await fetch(sandbox.environment.listenerUrl, { headers: { "x-zero-downtime-lock": "f00d" } });
      expect(matching.status).toBe(404);
      expect(await matching.text()).toBe("Not Found");
    } finally {
      await c.elb.send(new DeleteRuleCommand({ RuleArn: out.Rules![0]!.RuleArn }));
    }
  });

  it(`allows ${RULES_PER_LOAD_BALANCER} rules per load balancer besides the default rules (TooManyRules)`, async () => {
    const listener = sandbox.environment.listenerArn;
    const made: string[] = [];
    try {
      for (let p = 100; made.length < RULES_PER_LOAD_BALANCER; p++) {
        const out = await c.elb.send(new CreateRuleCommand({ ListenerArn: listener, Priority: p, Conditions: lockCondition(`t${p}`), Actions: notFound }));
        made.push(out.Rules![0]!.RuleArn!);
      }
      const over = await failure(c.elb.send(new CreateRuleCommand({ ListenerArn: listener, Priority: 9000, Conditions: lockCondition("over"), Actions: notFound })));
      expect(over.name).toBe("TooManyRulesException");
    } finally {
      for (const arn of made) await c.elb.send(new DeleteRuleCommand({ RuleArn: arn }));
    }
  }, 60_000);

  it("the lock adapter: create, PriorityInUse as undefined, find with tags, tag, RuleNotFound as false", async () => {
    const rules = new ElbV2LockRules(async () => c.elb);
    const listener = sandbox.environment.listenerArn;
    const arn = await rules.create(listener, 49_999, "feedface", { "deploy:lock": "state=active id=feedface" });
    expect(arn).toBeDefined();
    expect(await rules.create(listener, 49_999, "other", {})).toBeUndefined();
    expect(await rules.find(listener, 49_999)).toEqual({ ruleArn: arn, priority: 49_999, isLock: true, tags: { "deploy:lock": "state=active id=feedface" } });
    expect(await rules.tag(arn!, { "deploy:lock": "state=parked id=feedface" })).toBe(true);
    expect(await rules.remove(arn!)).toBe(true);
    expect(await rules.remove(arn!)).toBe(false);
    expect(await rules.tag(arn!, { "deploy:lock": "x" })).toBe(false);
    expect(await rules.find(listener, 49_999)).toBeUndefined();
  });
});

describe("lock race trials on the sandbox, with its tag read lag", () => {
  const TRIALS = 10;
  let sandbox: Sandbox;
  let c: ReturnType<typeof clientsFor>;
  beforeAll(async () => {
    sandbox = await startSandbox({ config: { ...defaultConfig(), tagReadLagMs: 1_500 }, timeScale: 50, seed: 4 });
    c = clientsFor(sandbox, 8);
  });
  afterAll(async () => {
    c?.destroy();
    await sandbox?.close();
  });

  it(`${TRIALS} trials of two runs (and of two jobs of one run) starting 0-2 s apart: exactly one holds the lock`, async () => {
    const elb = new ElbV2Adapter(async () => c.elb);
    const ports = { rules: new ElbV2LockRules(async () => c.elb), tags: elbTags(elb) };
    const environment = { kind: "listener" as const, arn: sandbox.environment.listenerArn };
    let seed = 11;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const outcomes: string[] = [];
    for (let i = 0; i < TRIALS; i++) {
      const matrix = i % 2 === 1;
      const owners = [
        { run: "acme/web/actions/runs/1", job: matrix ? "deploy-eu" : "deploy", attempt: 1 },
        { run: matrix ? "acme/web/actions/runs/1" : "acme/web/actions/runs/2", job: matrix ? "deploy-us" : "deploy", attempt: 1 },
      ];
      const gap = Math.round(random() * 2_000);
      const take = (owner: (typeof owners)[number], after: number) =>
        systemClock.sleep(after).then(() => acquireLock({ ...ports, environment, owner, ttlMs: 60_000, clock: systemClock, random, log: () => {}, sameRunWaitMs: 3_000 }));
      const results = await Promise.allSettled([take(owners[0]!, 0), take(owners[1]!, gap)]);
      const won = results.filter((r) => r.status === "fulfilled");
      const refused = results.filter((r) => r.status === "rejected" && r.reason instanceof SafetyError);
      outcomes.push(`${won.length}/${refused.length}`);
      for (const r of won) await r.value.release();
    }
    expect(outcomes).toEqual(Array.from({ length: TRIALS }, () => "1/1"));
  }, 120_000);
});
