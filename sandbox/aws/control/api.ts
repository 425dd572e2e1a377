/**
 * The control API: JSON over HTTP under /_sandbox/ on the AWS endpoint's port.
 *
 *   GET    /_sandbox/environment           ARNs, names, listener URLs, release image ids
 *   GET    /_sandbox/state                 the whole world (weights + history, health, instances, …)
 *   GET    /_sandbox/calls                 the AWS call log;  DELETE resets it
 *   GET    /_sandbox/faults                active faults;     POST adds one;  DELETE clears all
 *   POST   /_sandbox/instances/<id>/kill   kills an instance abruptly
 *   GET    /_sandbox/releases              release behaviours by image id
 *   POST   /_sandbox/releases/<imageId>    patches (or adds) a release's behaviour, live
 *   GET    /_sandbox/tag-read-lag          {"ms": N}, the ELBv2 tag read lag;  POST {"ms": N} sets it
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Sandbox } from "../sandbox";

export class ControlError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export function controlHandler(sandbox: () => Sandbox) {
  return async (req: IncomingMessage, res: ServerResponse, body: string): Promise<void> => {
    const send = (status: number, value: unknown) => {
      const text = JSON.stringify(value ?? null);
      res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) });
      res.end(text);
    };
    const json = (): unknown => {
      if (body.trim() === "") return {};
      try {
        return JSON.parse(body);
      } catch {
        throw new ControlError("the request body is not valid JSON");
      }
    };
    const path = new URL(req.url ?? "/", "http://sandbox").pathname.replace(/\/+$/, "");
    const method = req.method ?? "GET";
    const sb = sandbox();
    try {
      if (path === "/_sandbox/environment" && method === "GET") return send(200, sb.environment);
      if (path === "/_sandbox/state" && method === "GET") return send(200, sb.state());
      if (path === "/_sandbox/calls" && method === "GET") return send(200, sb.calls());
      if (path === "/_sandbox/calls" && method === "DELETE") {
        sb.resetCalls();
        return send(200, { reset: true });
      }
      if (path === "/_sandbox/faults" && method === "GET") return send(200, sb.faults());
      if (path === "/_sandbox/faults" && method === "POST") return send(200, sb.injectFaults(json() as never));
      if (path === "/_sandbox/faults" && method === "DELETE") {
        sb.clearFaults();
        return send(200, { cleared: true });
      }
      if (path === "/_sandbox/releases" && method === "GET") return send(200, sb.state().releases);
      if (path === "/_sandbox/tag-read-lag" && method === "GET") return send(200, { ms: sb.tagReadLagMs() });
      if (path === "/_sandbox/tag-read-lag" && method === "POST") {
        const ms = (json() as { ms?: unknown }).ms;
        if (typeof ms !== "number") throw new ControlError(`tag-read-lag needs {"ms": <whole milliseconds >= 0>}, got ${JSON.stringify(ms ?? null)}`);
        return send(200, { ms: sb.setTagReadLag(ms) });
      }
      const kill = /^\/_sandbox\/instances\/([^/]+)\/kill$/.exec(path);
      if (kill && method === "POST") {
        sb.killInstance(decodeURIComponent(kill[1]!));
        return send(200, { killed: decodeURIComponent(kill[1]!) });
      }
      const release = /^\/_sandbox\/releases\/([^/]+)$/.exec(path);
      if (release && method === "POST") return send(200, sb.setRelease(decodeURIComponent(release[1]!), json() as never));
      return send(404, {
        error: `no control route ${method} ${path}; routes: GET environment, GET state, GET|DELETE calls, GET|POST|DELETE faults, POST instances/<id>/kill, GET releases, POST releases/<imageId>, GET|POST tag-read-lag (all under /_sandbox/)`,
      });
    } catch (error) {
      send(error instanceof ControlError ? error.status : 400, { error: error instanceof Error ? error.message : String(error) });
    }
  };
}
