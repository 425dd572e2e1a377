/** The optional ELBv2 tag read lag: DescribeTags answers a resource's previous tags for a while after a write. */
import { AddTagsCommand, DescribeTagsCommand, RemoveTagsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TagReadLag } from "../../../aws/api/tag-lag";
import { defaultConfig, parseConfig } from "../../../aws/config";
import { startSandbox, type Sandbox } from "../../../aws/sandbox";
import { clientsFor } from "./clients";

describe("TagReadLag (injected clock)", () => {
  const tags = new Map<string, Map<string, string>>([["arn:tg", new Map([["lock", "a"]])]]);
  const tagsOf = (arn: string) => tags.get(arn);
  const current = () => [...tags.get("arn:tg")!].map(([Key, Value]) => ({ Key, Value }));
  const write = (lag: TagReadLag, value: string | undefined) => {
    lag.beforeWrite(["arn:tg"], tagsOf);
    if (value === undefined) tags.get("arn:tg")!.delete("lock");
    else tags.get("arn:tg")!.set("lock", value);
    lag.afterWrite(["arn:tg"], tagsOf);
  };

  it("answers the tags as they were lagMs ago, per write, then the current ones", () => {
    let now = 1_000;
    const lag = new TagReadLag(() => now, 500);
    write(lag, "b");
    expect(lag.view("arn:tg", current())).toEqual([{ Key: "lock", Value: "a" }]);
    now += 200;
    write(lag, undefined); // RemoveTags at t+200
    now += 299; // t+499: both writes younger than 500 ms
    expect(lag.view("arn:tg", current())).toEqual([{ Key: "lock", Value: "a" }]);
    now += 1; // t+500: the first write has aged, the removal has not
    expect(lag.view("arn:tg", current())).toEqual([{ Key: "lock", Value: "b" }]);
    now += 200; // t+700: the removal has aged too
    expect(lag.view("arn:tg", current())).toEqual([]);
  });

  it("is off at 0 and refuses a negative or fractional lag", () => {
    const lag = new TagReadLag(() => 0);
    write(lag, "c");
    expect(lag.view("arn:tg", current())).toEqual([{ Key: "lock", Value: "c" }]);
    expect(() => (lag.lagMs = -1)).toThrow(/whole number of milliseconds >= 0, not -1/);
    expect(() => (lag.lagMs = 1.5)).toThrow(RangeError);
  });

  it("is a strict config key: 1000 ms (one second) by default, whole milliseconds only", () => {
    expect(parseConfig(defaultConfig()).tagReadLagMs).toBe(1000);
    expect(parseConfig({ ...defaultConfig(), tagReadLagMs: 2000 }).tagReadLagMs).toBe(2000);
    expect(() => parseConfig({ ...defaultConfig(), tagReadLagMs: -5 })).toThrow(/tagReadLagMs: tagReadLagMs must be 0 or more/);
  });
});

describe("tag read lag through the SDK and the control API", () => {
  let sandbox: Sandbox;
  let c: ReturnType<typeof clientsFor>;
  let tg: string;
  const lockValue = async () => (await c.elb.send(new DescribeTagsCommand({ ResourceArns: [tg] }))).TagDescriptions![0]!.Tags!.find((t) => t.Key === "zda:lock")?.Value;
  beforeAll(async () => {
    // A lag far longer than the test: every read within it is stale, whatever the machine's speed.
    sandbox = await startSandbox({ config: { ...defaultConfig(), tagReadLagMs: 600_000 }, timeScale: 50 });
    c = clientsFor(sandbox);
    tg = sandbox.environment.targetGroups["web-blue"]!;
  });
  afterAll(async () => {
    c?.destroy();
    await sandbox?.close();
  });

  it("serves the previous tags after AddTags and RemoveTags until the lag is turned off", async () => {
    const control = `${sandbox.endpoint}/_sandbox/tag-read-lag`;
    expect(await (await fetch(control)).json()).toEqual({ ms: 600_000 });
    await c.elb.send(new AddTagsCommand({ ResourceArns: [tg], Tags: [{ Key: "zda:lock", Value: "owner 1" }] }));
    expect(await lockValue()).toBeUndefined();
    expect(sandbox.state().tags[tg]?.["zda:lock"]).toBe("owner 1");
    await c.elb.send(new RemoveTagsCommand({ ResourceArns: [tg], TagKeys: ["zda:lock"] }));
    expect(await lockValue()).toBeUndefined();

    const set = await fetch(control, { method: "POST", body: JSON.stringify({ ms: 0 }) });
    expect(await set.json()).toEqual({ ms: 0 });
    await c.elb.send(new AddTagsCommand({ ResourceArns: [tg], Tags: [{ Key: "zda:lock", Value: "owner 2" }] }));
    expect(await lockValue()).toBe("owner 2");

    const bad = await fetch(control, { method: "POST", body: JSON.stringify({ ms: -1 }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain("whole number of milliseconds >= 0");
  });
});
