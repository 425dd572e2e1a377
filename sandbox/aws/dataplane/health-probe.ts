import { request } from "node:http";

/** What one active health check found. */
export type ProbeResult =
  | { ok: true; status: number }
  | { ok: false; reason: "Target.ResponseCodeMismatch"; description: string; status: number }
  | { ok: false; reason: "Target.Timeout"; description: string }
  | { ok: false; reason: "Target.FailedHealthChecks"; description: string };

export interface ProbeTarget {
  host: string;
  port: number;
  path: string;
  timeoutMs: number;
  matches: (status: number) => boolean;
}

/**
 * One HTTP health check on a fresh connection, as the load balancer does it: GET the path,
 * pass when the status matches, fail with the reason code the load balancer would report.
 * `cancel` aborts the check; the promise then settles as a failed check nobody reads.
 */
export function probe(target: ProbeTarget): { result: Promise<ProbeResult>; cancel: () => void } {
  let cancel = () => undefined as void;
  const result = new Promise<ProbeResult>((resolve) => {
    if (target.port <= 0) {
      resolve({ ok: false, reason: "Target.FailedHealthChecks", description: "Health checks failed" });
      return;
    }
    let settled = false;
    const finish = (outcome: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const req = request({
      host: target.host,
      port: target.port,
      path: target.path,
      method: "GET",
      agent: false,
      headers: { "user-agent": "ELB-HealthChecker/2.0", connection: "close" },
    });
    // Timers run before I/O in each turn of the event loop: after a busy stretch the timeout could fire
    // before an answer that has already arrived is read. Deciding after the I/O phase avoids that.
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (settled) return;
        finish({ ok: false, reason: "Target.Timeout", description: "Request timed out" });
        req.destroy();
      });
    }, target.timeoutMs);
    req.on("response", (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      if (target.matches(status)) finish({ ok: true, status });
      else
        finish({
          ok: false,
          reason: "Target.ResponseCodeMismatch",
          description: `Health checks failed with these codes: [${status}]`,
          status,
        });
      req.destroy();
    });
    req.on("error", () => finish({ ok: false, reason: "Target.FailedHealthChecks", description: "Health checks failed" }));
    req.end();
    cancel = () => {
      finish({ ok: false, reason: "Target.FailedHealthChecks", description: "Health check cancelled" });
      req.destroy();
    };
  });
  return { result, cancel: () => cancel() };
}

/**
 * Parses an ALB success-code matcher: a code, a comma-separated list, or a range ("200", "200,202", "200-299").
 * ALB accepts codes from 200 to 499.
 */
export function parseMatcher(matcher: string): (status: number) => boolean {
  const parts = matcher.split(",").map((part) => part.trim());
  const ranges = parts.map((part) => {
    const match = /^(\d{3})(?:-(\d{3}))?$/.exec(part);
    const low = match ? Number(match[1]) : NaN;
    const high = match?.[2] !== undefined ? Number(match[2]) : low;
    if (!match || low < 200 || high > 499 || high < low) {
      throw new Error(
        `invalid health check matcher ${JSON.stringify(matcher)}: "${part}" is not an HTTP code or range from 200 to 499 (valid: "200", "200,202", "200-299")`,
      );
    }
    return [low, high] as const;
  });
  return (status) => ranges.some(([low, high]) => status >= low && status <= high);
}
