import { Agent, createServer, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Random } from "../../../src/util/clock";
import type {
  ForwardGroup,
  IncomingRequest,
  MetricsStore,
  RoutePlan,
  RouteResolver,
  RunningListener,
  SandboxClock,
  TargetEndpoint,
} from "../contracts";
import type { ListenerRequestRecord } from "../metrics/request-record";
import { pickWeighted, readStickyGroup, stickyCookie } from "./routing";

export interface StartListenerOptions {
  port?: number;
  /** Loopback address to listen on; 127.0.0.1 unless told. */
  host?: string;
  resolve: RouteResolver;
  metrics: MetricsStore;
  clock: SandboxClock;
  random: Random;
  /**
   * ALB idle timeout in real milliseconds (60,000 by default): a target that sends nothing for this long
   * gets a 504. Real, not sandbox, time, because instance latencies are real milliseconds too.
   */
  idleTimeoutMs?: number;
}

export interface RunningProxyListener extends RunningListener {
  /** Requests currently forwarded to each target and not yet answered, by target id. */
  inFlight(): Record<string, number>;
}

/** Request headers a proxy must not forward (hop-by-hop), plus those it rewrites. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer", "host"]);

/**
 * A listener of the sandbox load balancer: a real HTTP reverse proxy on loopback. Each request is
 * resolved to a plan; forward plans pick a target group by weight (or by the stickiness cookie),
 * then a routable target of it in round robin, and relay the request over a keep-alive connection.
 */
export async function startListener(options: StartListenerOptions): Promise<RunningProxyListener> {
  const { resolve, metrics, clock, random } = options;
  const host = options.host ?? "127.0.0.1";
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity, timeout: 30_000 });
  const roundRobin = new Map<string, number>();
  const inFlight = new Map<string, number>();
  let port = 0;

  const server = createServer((req, res) => {
    const [pathname = "/", query = ""] = (req.url ?? "/").split(/\?(.*)/s, 2);
    const incoming: IncomingRequest & { query: string } = {
      method: req.method ?? "GET",
      host: (req.headers.host ?? "").replace(/:\d+$/, ""),
      path: pathname,
      query,
      headers: req.headers,
    };
    let plan: RoutePlan;
    try {
      plan = resolve(incoming);
    } catch (error) {
      req.resume();
      sendElb(res, 500, `listener could not route the request: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (plan.kind === "fixed-response") {
      req.resume();
      res.writeHead(plan.status, { "content-type": plan.contentType, "content-length": Buffer.byteLength(plan.body) });
      res.end(plan.body);
      return;
    }
    if (plan.kind === "redirect") {
      req.resume();
      res.writeHead(plan.status, { location: plan.location, "content-length": 0 });
      res.end();
      return;
    }

    const live = plan.groups.filter((group) => group.weight > 0);
    const loadBalancerDimension = plan.loadBalancerDimension;
    const record = (group: ForwardGroup | undefined, fields: Omit<ListenerRequestRecord, "loadBalancerDimension" | "targetGroupDimension" | "at">) => {
      const entry: ListenerRequestRecord = {
        loadBalancerDimension,
        targetGroupDimension: group?.targetGroupDimension ?? "",
        at: clock.now(),
        ...fields,
      };
      metrics.recordRequest(entry);
    };

    // Stickiness beats weight (AWS): a valid cookie keeps its group, even at weight 0 and even emptied
    // (then the client gets a 503), while stickiness is on and the group is in the action.
    let group: ForwardGroup | undefined;
    if (plan.stickiness.enabled) {
      const remembered = readStickyGroup(req.headers.cookie, clock.now());
      group = plan.stickiness.beatsWeight === false
        ? live.find((candidate) => candidate.targetGroupArn === remembered && candidate.health.routable().length > 0)
        : plan.groups.find((candidate) => candidate.targetGroupArn === remembered);
    }
    group ??= pickWeighted(live, random);
    const targets = group?.health.routable() ?? [];
    if (!group || targets.length === 0) {
      req.resume();
      record(group, { status: undefined, latencyMs: 0, elbStatus: 503 });
      sendElb(res, 503, group ? "no routable target in the target group" : "no target group with a weight above 0");
      return;
    }
    const counter = roundRobin.get(group.targetGroupArn) ?? 0;
    roundRobin.set(group.targetGroupArn, counter + 1);
    const target = targets[counter % targets.length] as TargetEndpoint;

    const extraHeaders: OutgoingHttpHeaders = { "x-sandbox-target-group": groupName(group.targetGroupDimension) };
    if (plan.stickiness.enabled) extraHeaders["set-cookie"] = stickyCookie(group.targetGroupArn, plan.stickiness.durationSeconds, clock.now() + clock.realMs(plan.stickiness.durationSeconds));
    forward(req, res, target, group, extraHeaders, record);
  });
  server.keepAliveTimeout = 65_000;

  function forward(
    req: IncomingMessage,
    res: ServerResponse,
    target: TargetEndpoint,
    group: ForwardGroup,
    extraHeaders: OutgoingHttpHeaders,
    record: (group: ForwardGroup, fields: Omit<ListenerRequestRecord, "loadBalancerDimension" | "targetGroupDimension" | "at">) => void,
  ): void {
    const started = performance.now();
    let settled = false;
    inFlight.set(target.id, (inFlight.get(target.id) ?? 0) + 1);
    const settle = () => {
      if (settled) return false;
      settled = true;
      const left = (inFlight.get(target.id) ?? 1) - 1;
      if (left <= 0) inFlight.delete(target.id);
      else inFlight.set(target.id, left);
      return true;
    };
    const fail = (status: 502 | 504, message: string) => {
      if (!settle()) return;
      record(group, { status: undefined, latencyMs: performance.now() - started, elbStatus: status });
      if (!res.headersSent) sendElb(res, status, message, extraHeaders);
      else res.destroy();
    };
    if (target.port <= 0) {
      req.resume();
      fail(502, `target ${target.id} is not listening`);
      return;
    }

    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
    }
    headers.host = req.headers.host ?? `${host}:${port}`;
    const forwardedFor = req.headers["x-forwarded-for"];
    headers["x-forwarded-for"] = [forwardedFor, req.socket.remoteAddress].filter(Boolean).join(", ");
    headers["x-forwarded-proto"] = "http";
    headers["x-forwarded-port"] = String(port);

    const upstream = httpRequest({ host: target.host, port: target.port, method: req.method, path: req.url, headers, agent });
    upstream.setTimeout(idleTimeoutMs, () => {
      fail(504, `target ${target.id} did not answer within the idle timeout`);
      upstream.destroy();
    });
    upstream.on("error", (error) => fail(502, `connection to target ${target.id} failed: ${error.message}`));
    upstream.on("response", (answer) => {
      const latencyMs = performance.now() - started;
      const out: OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(answer.headers)) {
        if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value;
      }
      const cookie = extraHeaders["set-cookie"];
      if (cookie !== undefined) out["set-cookie"] = [...asList(answer.headers["set-cookie"]), String(cookie)];
      out["x-sandbox-target-group"] = extraHeaders["x-sandbox-target-group"];
      res.writeHead(answer.statusCode ?? 502, out);
      answer.pipe(res);
      answer.on("end", () => {
        if (settle()) record(group, { status: answer.statusCode, latencyMs });
      });
      answer.on("error", () => fail(502, `target ${target.id} reset the connection mid-response`));
    });
    // A client that goes away takes its upstream request with it.
    res.on("close", () => {
      if (!res.writableFinished && !settled) {
        settle();
        upstream.destroy();
      }
    });
    req.pipe(upstream);
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    port,
    url: `http://${host}:${port}`,
    inFlight: () => Object.fromEntries(inFlight),
    async close() {
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeIdleConnections();
      // Let in-flight requests finish for a short while, then cut what is left.
      const grace = setTimeout(() => server.closeAllConnections(), 2_000);
      await closed;
      clearTimeout(grace);
      agent.destroy();
    },
  };
}

function sendElb(res: ServerResponse, status: number, message: string, extra: OutgoingHttpHeaders = {}): void {
  const titles: Record<number, string> = { 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out" };
  const body = `<html><head><title>${status} ${titles[status] ?? ""}</title></head><body><center><h1>${status} ${titles[status] ?? ""}</h1></center><!-- ${message} --></body></html>\n`;
  const headers: OutgoingHttpHeaders = { server: "awselb/2.0", "content-type": "text/html", "content-length": Buffer.byteLength(body) };
  if (extra["x-sandbox-target-group"] !== undefined) headers["x-sandbox-target-group"] = extra["x-sandbox-target-group"];
  res.writeHead(status, headers);
  res.end(body);
}

/** `targetgroup/<name>/<id>` → `<name>`. */
function groupName(dimension: string): string {
  return dimension.split("/")[1] ?? dimension;
}

function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
