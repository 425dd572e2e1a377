/**
 * The sandbox's Postgres: PGlite (Postgres compiled to WebAssembly, in this process, nothing to
 * install) behind pglite-socket, so instances and migrations connect with a normal client over TCP
 * on loopback. PGlite is one connection; the socket server multiplexes clients onto it query by query.
 */
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

export interface SandboxDatabase {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string;
  /** Runs SQL (several statements allowed) directly on the database, as an operator's psql would. */
  exec(sql: string): Promise<void>;
  /** Runs one query with parameters and returns its rows. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function startDatabase(options: { maxConnections?: number } = {}): Promise<SandboxDatabase> {
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: options.maxConnections ?? 64 });
  try {
    await server.start();
  } catch (error) {
    await db.close();
    throw error;
  }
  const [, port] = server.getServerConn().split(":");
  let closing: Promise<void> | undefined;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    exec: async (sql) => {
      await db.exec(sql);
    },
    query: async <T,>(sql: string, params: unknown[] = []) => (await db.query<T>(sql, params)).rows,
    close: () =>
      (closing ??= (async () => {
        await server.stop();
        await db.close();
      })()),
  };
}
