import { Agent, request } from "node:http";

export interface SimpleResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A single GET on a fresh connection (no pooling), so tests never leave sockets open. */
export function get(url: string, headers: Record<string, string> = {}): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "GET", agent: false, headers: { connection: "close", ...headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString("utf8") }),
      );
      response.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** A seeded pseudo-random source for deterministic tests (the sandbox's own). */
export { seededRandom as seeded } from "../../../aws/world/random";

/** Polls `probe` every few milliseconds until it returns true or `timeoutMs` passes. */
export async function eventually(probe: () => boolean, timeoutMs = 5000, label = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Sends `count` GETs through a keep-alive pool with `concurrency` workers; returns every response. */
export async function burst(
  url: string,
  count: number,
  concurrency: number,
  headers: () => Record<string, string> = () => ({}),
): Promise<SimpleResponse[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const results: SimpleResponse[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      results.push(await getWith(agent, url, headers()));
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return results;
}

function getWith(agent: Agent, url: string, headers: Record<string, string>): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "GET", agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString("utf8") }),
      );
      response.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}
