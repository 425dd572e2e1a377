/**
 * What a database-backed release does per request: through a normal Postgres client (pg), against
 * the sandbox's PGlite, it inserts a user (writing the release's columns) on one request in two and
 * reads the newest user's address (its read column) on the other; its health check runs the read.
 * A failed query (a column that no longer exists) fails the request with HTTP 500, as a real app's
 * would. pg is loaded on the first query, so a sandbox without a database never loads it.
 */
import type { Pool } from "pg";
import type { ReleaseBehaviour } from "../contracts";

type Database = NonNullable<ReleaseBehaviour["database"]>;

export interface AppAnswer {
  status: number;
  body: unknown;
}

export class DatabaseApp {
  private pool: Promise<Pool> | undefined;
  private closed = false;
  private count = 0;

  constructor(readonly db: Database) {}

  private connect(): Promise<Pool> {
    return (this.pool ??= import("pg").then(({ default: pg }) => {
      const pool = new pg.Pool({ connectionString: this.db.url, max: 2, idleTimeoutMillis: 5_000 });
      // A connection the server dropped is replaced on the next query; it must not crash the sandbox.
      pool.on("error", () => undefined);
      return pool;
    }));
  }

  /** One request: a write or a read, alternately. */
  async handle(instanceId: string): Promise<AppAnswer> {
    const pool = await this.connect();
    const n = this.count++;
    try {
      if (n % 2 === 0) {
        const address = `${instanceId}-${n}@example.com`;
        const columns = this.db.writes;
        const result = await pool.query(`INSERT INTO users (${columns.join(", ")}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(", ")}) RETURNING id`, columns.map(() => address));
        return { status: 200, body: { ok: true, wrote: result.rows[0]?.id } };
      }
      const result = await pool.query(`SELECT id, ${this.db.reads} AS address FROM users ORDER BY id DESC LIMIT 1`);
      return { status: 200, body: { ok: true, read: result.rows[0] ?? null } };
    } catch (error) {
      return { status: 500, body: { error: error instanceof Error ? error.message : String(error) } };
    }
  }

  /** The health check: the release's read works on the database as it is now. */
  async healthy(): Promise<boolean> {
    try {
      await (await this.connect()).query(`SELECT ${this.db.reads} FROM users LIMIT 1`);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const pool = this.pool;
    this.pool = undefined;
    if (pool) await (await pool).end().catch(() => undefined);
  }
}
