/** Real HTTP requests through a sandbox listener, over keep-alive connections. */
import { Agent, request } from "node:http";
import { Worker } from "node:worker_threads";

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function send(url: string, options: { agent?: Agent; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: options.agent, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** Sends `total` GETs with `concurrency` workers; counts replies by `x-sandbox-target-group` and status. */
export async function hammer(url: string, total: number, concurrency: number): Promise<{ byGroup: Record<string, number>; byStatus: Record<string, number> }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const byGroup: Record<string, number> = {};
  const byStatus: Record<string, number> = {};
  let next = 0;
  const worker = async () => {
    while (next < total) {
      next++;
      const reply = await send(url, { agent });
      const group = String(reply.headers["x-sandbox-target-group"] ?? "none");
      byGroup[group] = (byGroup[group] ?? 0) + 1;
      byStatus[reply.status] = (byStatus[reply.status] ?? 0) + 1;
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return { byGroup, byStatus };
}

/**
 * The same load from a worker thread, so the client side runs beside the listener and the instances
 * instead of competing with them for one event loop. The worker is plain JavaScript (node:http only).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const http = require("node:http");
const { url, total, concurrency } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const byGroup = {};
const byStatus = {};
let next = 0;
const once = () => new Promise((resolve, reject) => {
  const req = http.request(url, { agent }, (res) => {
    res.resume();
    res.on("end", () => {
      const group = String(res.headers["x-sandbox-target-group"] ?? "none");
      byGroup[group] = (byGroup[group] ?? 0) + 1;
      byStatus[res.statusCode] = (byStatus[res.statusCode] ?? 0) + 1;
      resolve();
    });
  });
  req.on("error", reject);
  req.end();
});
const worker = async () => { while (next < total) { next++; await once(); } };
Promise.all(Array.from({ length: concurrency }, worker)).then(
  () => { agent.destroy(); parentPort.postMessage({ byGroup, byStatus }); },
  (error) => { agent.destroy(); parentPort.postMessage({ error: String(error) }); },
);
`;

export async function hammerInWorker(url: string, total: number, concurrency: number): Promise<{ byGroup: Record<string, number>; byStatus: Record<string, number> }> {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { url, total, concurrency } });
  try {
    const result = await new Promise<{ byGroup: Record<string, number>; byStatus: Record<string, number>; error?: string }>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    if (result.error) throw new Error(`load worker failed: ${result.error}`);
    return result;
  } finally {
    await worker.terminate();
  }
}
