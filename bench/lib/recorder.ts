/**
 * A recording proxy in front of the sandbox's AWS endpoint. The sandbox's call log has the operation but
 * not the parameters; this keeps both, so that identical repeated calls can be found.
 */
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedCall {
  /** Epoch ms when the request body had arrived. */
  at: number;
  service: string;
  operation: string;
  /** The request's parameters in a canonical form (query form sorted, JSON as sent), without Action and Version. */
  params: string;
}

export interface Recorder {
  endpoint: string;
  calls(): RecordedCall[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Service from the SigV4 credential scope (…/<date>/<region>/<service>/aws4_request). */
function serviceOf(authorization: string | undefined): string {
  const match = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(authorization ?? "");
  return match?.[1] ?? "unknown";
}

/** Operation and canonical parameters of an awsQuery/ec2Query form body or an awsJson request. */
export function describeRequest(headers: Record<string, string | string[] | undefined>, body: string): { operation: string; params: string } {
  const target = headers["x-amz-target"];
  if (typeof target === "string" && target.includes(".")) {
    return { operation: target.slice(target.lastIndexOf(".") + 1), params: body };
  }
  const form = new URLSearchParams(body);
  const operation = form.get("Action") ?? "Unknown";
  const entries = [...form.entries()].filter(([k]) => k !== "Action" && k !== "Version").sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { operation, params: entries.map(([k, v]) => `${k}=${v}`).join("&") };
}

/** Starts the proxy on a free loopback port, forwarding every request to `target`. */
export async function startRecorder(target: string): Promise<Recorder> {
  const upstream = new URL(target);
  const log: RecordedCall[] = [];
  const server: Server = createServer((req, res) => {
    readBody(req).then(
      (body) => {
        const text = body.toString("utf8");
        const { operation, params } = describeRequest(req.headers, text);
        log.push({ at: Date.now(), service: serviceOf(req.headers.authorization), operation, params });
        const forward = request(
          { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        forward.on("error", () => res.destroy());
        forward.end(body);
      },
      () => res.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls: () => [...log],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Waste {
  operation: string;
  /** Epoch ms of the repeat and of the identical call before it. */
  at: number;
  previousAt: number;
  gapMs: number;
  /** The step both calls belong to, or "a→b" when they straddle two steps. */
  step: string;
}

/**
 * Read calls (Describe*, Get*, List*) repeated with identical parameters within `windowMs` of the
 * previous identical call. `stepOf` names the step a call belongs to.
 */
export function findWaste(calls: readonly RecordedCall[], windowMs: number, stepOf: (at: number) => string): Waste[] {
  const last = new Map<string, number>();
  const waste: Waste[] = [];
  for (const call of [...calls].sort((a, b) => a.at - b.at)) {
    if (!/^(Describe|Get|List)/.test(call.operation)) continue;
    const key = `${call.service} ${call.operation} ${call.params}`;
    const previous = last.get(key);
    if (previous !== undefined && call.at - previous <= windowMs) {
      const a = stepOf(previous);
      const b = stepOf(call.at);
      waste.push({ operation: call.operation, at: call.at, previousAt: previous, gapMs: call.at - previous, step: a === b ? a : `${a}→${b}` });
    }
    last.set(key, call.at);
  }
  return waste;
}
