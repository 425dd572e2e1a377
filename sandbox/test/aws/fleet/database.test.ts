/** Database-backed releases: an instance reads and writes `users` in the sandbox's PGlite with pg, and its health path tests the database. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandboxClock, type ReleaseBehaviour, type RunningInstance } from "../../../aws/contracts";
import { startDatabase, type SandboxDatabase } from "../../../aws/database/server";
import { launchInstance } from "../../../aws/fleet/instance";
import { seeded } from "../dataplane/helpers";

const clock = createSandboxClock(50);
let db: SandboxDatabase;
const launched: RunningInstance[] = [];

beforeAll(async () => {
  db = await startDatabase();
  await db.exec("CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text); INSERT INTO users (email) VALUES ('a@example.com');");
}, 30_000);

afterAll(async () => {
  for (const i of launched) await i.stop();
  await db.close();
});

function launch(id: string, database: ReleaseBehaviour["database"]): RunningInstance {
  const behaviour: ReleaseBehaviour = { version: "v1", latencyMs: { median: 1, p99: 2 }, errorRate: 0, health: { path: "/health", status: 200, body: { status: "ok" } }, bootSeconds: 0, database };
  const instance = launchInstance({ instanceId: id, behaviour, clock, random: seeded(1) });
  launched.push(instance);
  return instance;
}

async function get(instance: RunningInstance, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${instance.port}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("a database-backed release", () => {
  it("writes then reads users through pg, answers 200, and its health is 200 while its column exists", async () => {
    const v1 = launch("i-db1", { url: db.url, reads: "email", writes: ["email"] });
    await v1.ready;
    const write = await get(v1, "/");
    const read = await get(v1, "/");
    expect(write).toMatchObject({ status: 200, body: { ok: true, version: "v1" } });
    expect(read.status).toBe(200);
    expect((read.body.read as { address: string }).address).toBe("i-db1-0@example.com");
    expect((await get(v1, "/health")).status).toBe(200);
    expect(await db.query("SELECT count(*)::int AS n FROM users")).toEqual([{ n: 2 }]);
  });

  it("fails its requests with 500 and its health with 503 once the column it uses is renamed away", async () => {
    const v1 = launch("i-db2", { url: db.url, reads: "email", writes: ["email"] });
    await v1.ready;
    await db.exec("ALTER TABLE users RENAME COLUMN email TO email_address");
    const answers = [await get(v1, "/"), await get(v1, "/")];
    expect(answers.map((a) => a.status)).toEqual([500, 500]);
    expect(String(answers[0]!.body.error)).toContain('column "email" of relation "users" does not exist');
    expect((await get(v1, "/health")).status).toBe(503);
    const v2 = launch("i-db3", { url: db.url, reads: "email_address", writes: ["email_address"] });
    await v2.ready;
    expect((await get(v2, "/health")).status).toBe(200);
    expect((await get(v2, "/")).status).toBe(200);
  });
});
