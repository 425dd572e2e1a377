/** health-gate once its inputs are valid: the gate → outputs and summary, or a failure saying why. Loaded with import(). */
import { regionOf } from "../../util/arn";
import { type GateTargets, resolveGateTargetGroups, runHealthGate } from "../../domain/health-gate";
import type { HttpCheckSpec } from "../../domain/http-check";
import type { Fetch } from "../../util/node-fetch";
import { environmentRef } from "../../inputs/common";
import type { HealthGateSettings } from "./definition";
import { renderHealthGateSummary } from "./summary";
import { OperationalError } from "../../util/errors";
import type { ActionContext } from "../../runtime/run-action";

export async function main(s: HealthGateSettings, ctx: ActionContext, fetch?: Fetch): Promise<void> {
  for (const header of s.headers) if (header.sensitive && header.value) ctx.io.setSecret(header.value);
  const environment = s["listener-arn"] || s["rule-arn"] || Object.keys(s["environment-tags"]).length > 0;
  const targets: GateTargets = environment ? { kind: "environment", ref: environmentRef(s), slot: s.slot } : { kind: "arns", arns: s["target-group-arns"] };
  const needsAws = environment || s["target-group-arns"].length > 0;
  const ports = needsAws ? await ctx.ports(regionOf(s["target-group-arns"][0] ?? s["listener-arn"] ?? s["rule-arn"] ?? "")) : undefined;
  const arns = ports ? await resolveGateTargetGroups(targets, ports, ctx.log) : [];
  const http = s.urls.map(
    (url): HttpCheckSpec => ({
      url,
      expectedStatus: s["expected-status"],
      expectJson: s["expect-json"],
      maxLatencyMs: s["max-latency"],
      requestTimeoutMs: s["request-timeout"],
      consecutiveSuccesses: s["consecutive-successes"],
      headers: s.headers,
    }),
  );
  const result = await runHealthGate(
    { targetGroupArns: arns, requirement: { minHealthy: s["min-healthy"], requireAll: true }, http, timeoutMs: s.timeout, stableFor: s["stable-for"] },
    { targetGroups: ports?.targetGroups, fetch, clock: ctx.clock, random: ctx.random, log: ctx.log, signal: ctx.signal },
  );
  ctx.io.setOutput("healthy", String(result.healthy));
  ctx.io.setOutput("healthy-count", String(result.healthyCount));
  ctx.io.setOutput("checks", JSON.stringify(result.checks));
  ctx.io.appendSummary(renderHealthGateSummary(result));
  if (!result.healthy) throw new OperationalError(`health-gate: ${result.reason}`);
  const passed = [...result.targetGroups.map((r) => r.summary), ...result.checks.filter((c) => c.kind === "http").map((c) => `${c.target}: ${c.detail}`)];
  const held = result.stableForMs > 0 ? `, holding for the last ${(result.stableForMs / 1000).toFixed(1)}s` : "";
  ctx.log(`health gate passed after ${(result.elapsedMs / 1000).toFixed(1)}s${held}: ${passed.join("; ")}`);
}
