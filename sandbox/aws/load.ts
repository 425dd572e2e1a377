import { Agent, request } from "node:http";
import { z } from "zod";
import type { Random } from "../../src/util/clock";

export interface LoadOptions {
  /** Where to send GET requests, e.g. the listener's URL plus a path. Loopback HTTP only. */
  url: string;
  /** Requests started per second, whether or not earlier ones have answered (open loop). */
  rps: number;
  /** With `arrivals: "poisson"`, the source of the random gaps between requests. */
  random?: Random;
  /** "steady" (evenly spaced, the default) or "poisson" (exponential gaps with mean 1/rps). */
  arrivals?: "steady" | "poisson";
  headers?: Record<string, string>;
  /**
   * Cookies to send. `true` keeps a cookie jar fed by Set-Cookie answers (one client that keeps its
   * stickiness); a record seeds the jar; absent or false sends none (a crowd of new clients).
   */
  cookies?: boolean | Record<string, string>;
  /** The run stops by itself after this long; 10 minutes unless told. */
  maxDurationMs?: number;
  /** A request not answered within this long counts as a connection error ("timeout"); 10 s unless told. */
  requestTimeoutMs?: number;
}

export interface TimelineSecond {
  /** Whole seconds since the run started (by when the request was sent). */
  second: number;
  ok: number;
  failed: number;
  byVersion: Record<string, { ok: number; failed: number }>;
}

export interface LoadReport {
  url: string;
  rps: number;
  startedAt: number;
  durationMs: number;
  /** Requests sent. */
  sent: number;
  /** Requests finished (answered or failed to connect). */
  total: number;
  inFlight: number;
  /** Answered with 2xx. */
  ok: number;
  /** Non-2xx answers plus connection errors. */
  failed: number;
  connectionErrors: number;
  byStatus: Record<string, number>;
  /** By the `x-sandbox-version` response header ("none" when absent, e.g. answers from the load balancer). */
  byVersion: Record<string, number>;
  /** By the `x-sandbox-target-group` response header ("none" when absent). */
  byTargetGroup: Record<string, number>;
  /** Connection errors by code (ECONNREFUSED, ECONNRESET, timeout, …). */
  errorsByCode: Record<string, number>;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  timeline: TimelineSecond[];
  stoppedBy: "running" | "stop" | "maxDuration";
}

export interface LoadRun {
  snapshot(): LoadReport;
  /** Stops sending, waits for the requests in flight, and returns the final report. */
  stop(): Promise<LoadReport>;
  /** Resolves with the final report once the run has stopped (by stop() or by its maximum duration). */
  readonly finished: Promise<LoadReport>;
}

const optionsSchema = z.object({
  url: z
    .url()
    .refine((u) => u.startsWith("http://"), "must be an http:// URL"),
  rps: z.number().positive().max(20_000),
  arrivals: z.enum(["steady", "poisson"]).optional(),
  maxDurationMs: z.number().positive().optional(),
  requestTimeoutMs: z.number().positive().optional(),
});

const TICK_MS = 5;
const MAX_LATENCY_SAMPLES = 1_000_000;

/** Starts an open-loop load run: requests go out at a fixed rate over a keep-alive pool. */
export function startLoad(options: LoadOptions): LoadRun {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    throw new Error(`invalid load options (url ${JSON.stringify(options.url)}, rps ${options.rps}): ${problems}`);
  }
  const random = options.random ?? Math.random;
  const arrivals = options.arrivals ?? "steady";
  const maxDurationMs = options.maxDurationMs ?? 10 * 60_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity, timeout: 30_000 });
  const jar = new Map<string, string>(typeof options.cookies === "object" ? Object.entries(options.cookies) : []);
  const useJar = options.cookies !== undefined && options.cookies !== false;

  const startedAt = Date.now();
  const started = performance.now();
  const counts = { sent: 0, total: 0, ok: 0, failed: 0, connectionErrors: 0 };
  const byStatus: Record<string, number> = {};
  const byVersion: Record<string, number> = {};
  const byTargetGroup: Record<string, number> = {};
  const errorsByCode: Record<string, number> = {};
  const latencies: number[] = [];
  const timeline: TimelineSecond[] = [];
  let inFlight = 0;
  let stoppedBy: LoadReport["stoppedBy"] = "running";
  let stoppedAt: number | undefined;
  let nextDue = 0; // ms since start when the next request is due
  const idle: Array<() => void> = [];

  const bump = (record: Record<string, number>, key: string) => (record[key] = (record[key] ?? 0) + 1);

  function second(sentAt: number): TimelineSecond {
    const index = Math.floor(sentAt / 1000);
    while (timeline.length <= index) timeline.push({ second: timeline.length, ok: 0, failed: 0, byVersion: {} });
    return timeline[index] as TimelineSecond;
  }

  function finish(sentAt: number, outcome: { status?: number; version?: string; group?: string; error?: string }): void {
    inFlight -= 1;
    counts.total += 1;
    const latency = performance.now() - started - sentAt;
    if (latencies.length < MAX_LATENCY_SAMPLES) latencies.push(latency);
    const version = outcome.version ?? "none";
    const ok = outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300;
    if (outcome.status !== undefined) {
      bump(byStatus, String(outcome.status));
      bump(byVersion, version);
      bump(byTargetGroup, outcome.group ?? "none");
    } else {
      counts.connectionErrors += 1;
      bump(errorsByCode, outcome.error ?? "unknown");
    }
    if (ok) counts.ok += 1;
    else counts.failed += 1;
    const bucket = second(sentAt);
    const perVersion = (bucket.byVersion[version] ??= { ok: 0, failed: 0 });
    if (ok) {
      bucket.ok += 1;
      perVersion.ok += 1;
    } else {
      bucket.failed += 1;
      perVersion.failed += 1;
    }
    if (inFlight === 0 && stoppedAt !== undefined) for (const resolve of idle.splice(0)) resolve();
  }

  function send(sentAt: number): void {
    counts.sent += 1;
    inFlight += 1;
    second(sentAt);
    const headers: Record<string, string> = { ...options.headers };
    if (useJar && jar.size > 0) headers.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
    let done = false;
    const once = (outcome: Parameters<typeof finish>[1]) => {
      if (done) return;
      done = true;
      finish(sentAt, outcome);
    };
    const req = request(options.url, { method: "GET", agent, headers }, (response) => {
      if (useJar) {
        for (const cookie of response.headers["set-cookie"] ?? []) {
          const [pair = ""] = cookie.split(";");
          const at = pair.indexOf("=");
          if (at > 0) jar.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
        }
      }
      response.resume();
      const outcome = {
        status: response.statusCode ?? 0,
        version: header(response.headers["x-sandbox-version"]),
        group: header(response.headers["x-sandbox-target-group"]),
      };
      response.on("end", () => once(outcome));
      response.on("error", (error: NodeJS.ErrnoException) => once({ error: error.code ?? error.message }));
    });
    req.setTimeout(requestTimeoutMs, () => {
      once({ error: "timeout" });
      req.destroy();
    });
    req.on("error", (error: NodeJS.ErrnoException) => once({ error: error.code ?? error.message }));
    req.end();
  }

  const gap = () => (arrivals === "poisson" ? (-Math.log(1 - random()) * 1000) / options.rps : 1000 / options.rps);

  const ticker = setInterval(() => {
    const elapsed = performance.now() - started;
    if (elapsed >= maxDurationMs) {
      halt("maxDuration");
      return;
    }
    while (nextDue <= elapsed && stoppedAt === undefined) {
      send(nextDue);
      nextDue += gap();
    }
  }, TICK_MS);

  let resolveFinished!: (report: LoadReport) => void;
  const finished = new Promise<LoadReport>((resolve) => (resolveFinished = resolve));

  function halt(reason: "stop" | "maxDuration"): void {
    if (stoppedAt !== undefined) return;
    stoppedAt = performance.now() - started;
    stoppedBy = reason;
    clearInterval(ticker);
    const settled = inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => idle.push(resolve));
    void settled.then(() => {
      agent.destroy();
      resolveFinished(snapshot());
    });
  }

  function snapshot(): LoadReport {
    const ordered = [...latencies].sort((a, b) => a - b);
    const rank = (p: number) => (ordered.length === 0 ? 0 : (ordered[Math.max(0, Math.ceil((ordered.length * p) / 100) - 1)] as number));
    return {
      url: options.url,
      rps: options.rps,
      startedAt,
      durationMs: stoppedAt ?? performance.now() - started,
      ...counts,
      inFlight,
      byStatus: { ...byStatus },
      byVersion: { ...byVersion },
      byTargetGroup: { ...byTargetGroup },
      errorsByCode: { ...errorsByCode },
      latencyMs: { p50: rank(50), p90: rank(90), p99: rank(99), max: ordered[ordered.length - 1] ?? 0 },
      timeline: timeline.map((s) => ({ ...s, byVersion: Object.fromEntries(Object.entries(s.byVersion).map(([k, v]) => [k, { ...v }])) })),
      stoppedBy,
    };
  }

  return {
    snapshot,
    finished,
    stop() {
      halt("stop");
      return finished;
    },
  };
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
