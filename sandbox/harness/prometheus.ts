/**
 * A real Prometheus server (the `prometheus` binary, e.g. Debian's package) scraping a stage's
 * instances: their GET /metrics (sandbox/aws/fleet/metrics.ts), found through a file of static
 * targets that this module rewrites as instances boot and die (file-based discovery), each labelled
 * with the target group it is registered in, as relabelling EC2 tags gives it on AWS. Scrapes every
 * 15 sandbox seconds (600 real ms at time scale 25), stores its data in a temporary directory,
 * listens on a free loopback port, and is killed by close().
 */
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import type { Stage } from "./stage";

export interface PrometheusServer {
  /** Base URL of the HTTP API, e.g. http://127.0.0.1:40123. */
  url: string;
  /** Real milliseconds between scrapes. */
  scrapeMs: number;
  /** How many targets the discovery file lists now. */
  targets(): number;
  /**
   * Resolves once every listed target has been scraped successfully. Prometheus applies discovered
   * targets at most every 5 s (its discovery manager's update interval), so a new instance is scraped
   * 0-5 real seconds after it boots.
   */
  scraping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** The Prometheus binary: $PROMETHEUS_BIN, or `prometheus` on the PATH (Debian installs /usr/bin/prometheus). */
export function prometheusBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [env.PROMETHEUS_BIN, ...(env.PATH ?? "").split(delimiter).map((dir) => dir && join(dir, "prometheus"))];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not there
    }
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Target groups each live instance is registered in, as file_sd entries. */
function targetsOf(stage: Stage): Array<{ targets: string[]; labels: Record<string, string> }> {
  const state = stage.sandbox.state();
  const groups = new Map<string, string[]>();
  for (const tg of state.targetGroups) for (const t of tg.targets) groups.set(t.id, [...(groups.get(t.id) ?? []), tg.name]);
  return state.instances
    .filter((i) => i.port > 0 && !i.dead && i.lifecycle !== "Terminated")
    .flatMap((i) => (groups.get(i.id) ?? []).map((tg) => ({ targets: [`127.0.0.1:${i.port}`], labels: { target_group: tg, instance_id: i.id, asg: i.group } })));
}

function config(scrapeMs: number, targetsFile: string): string {
  const interval = `${scrapeMs}ms`;
  const timeout = `${Math.max(100, Math.floor(scrapeMs * 0.8))}ms`;
  return [
    "global:",
    `  scrape_interval: ${interval}`,
    `  scrape_timeout: ${timeout}`,
    "scrape_configs:",
    "  - job_name: sandbox-instances",
    "    file_sd_configs:",
    `      - files: [${JSON.stringify(targetsFile)}]`,
    "        refresh_interval: 1s",
    "",
  ].join("\n");
}

async function waitReady(url: string, child: ChildProcess, log: () => string, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with code ${child.exitCode} before it was ready:\n${log()}`);
    try {
      const response = await fetch(`${url}/-/ready`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`prometheus was not ready after ${timeoutMs} ms:\n${log()}`);
}

/** Starts Prometheus on the stage's instances. Throws when the binary is missing (see prometheusBinary). */
export async function startPrometheus(stage: Stage, options: { binary?: string; scrapeSandboxSeconds?: number } = {}): Promise<PrometheusServer> {
  const binary = options.binary ?? prometheusBinary();
  if (!binary) throw new Error("no prometheus binary: install it (apt-get install prometheus) or set PROMETHEUS_BIN");
  const scrapeMs = Math.max(200, Math.round(stage.sandbox.environment.timeScale > 0 ? (1000 * (options.scrapeSandboxSeconds ?? 15)) / stage.sandbox.environment.timeScale : 15_000));
  const dir = await mkdtemp(join(tmpdir(), "zda-prometheus-"));
  const targetsFile = join(dir, "targets.json");
  let written = "";
  const refresh = async () => {
    const text = JSON.stringify(targetsOf(stage));
    if (text === written) return;
    await writeFile(`${targetsFile}.tmp`, text);
    await rename(`${targetsFile}.tmp`, targetsFile);
    written = text;
  };
  await refresh();
  await writeFile(join(dir, "prometheus.yml"), config(scrapeMs, targetsFile));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--storage.tsdb.retention.time=1h", "--log.level=warn"];
  const child = spawn(binary, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const timer = setInterval(() => void refresh().catch(() => undefined), 200);
  const close = async () => {
    clearInterval(timer);
    if (child.exitCode === null) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(killer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(url, child, () => stderr);
  } catch (error) {
    await close();
    throw error;
  }
  const targets = () => (JSON.parse(written || "[]") as unknown[]).length;
  const scraping = async (timeoutMs = 15_000) => {
    const started = Date.now();
    for (;;) {
      const body = (await (await fetch(`${url}/api/v1/targets?state=active`)).json()) as { data?: { activeTargets?: Array<{ health: string }> } };
      const active = body.data?.activeTargets ?? [];
      if (active.length >= targets() && active.every((t) => t.health === "up")) return;
      if (Date.now() - started > timeoutMs) throw new Error(`prometheus scraped ${active.filter((t) => t.health === "up").length} of ${targets()} targets after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  return { url, scrapeMs, targets, scraping, close };
}

/**
 * An analysis configuration that judges the canary from this Prometheus: errors of requests per
 * target group (watched at every tick of the bakes) and the share of requests slower than 250 ms.
 */
export function prometheusAnalysisConfig(url: string, extra = ""): string {
  const requests = (selector: string) => `sum(increase(sandbox_http_requests_total{target_group="{{targetGroupName}}"${selector}}[{{window}}]))`;
  const buckets = (le: string) => `sum(increase(sandbox_http_request_duration_seconds_bucket{target_group="{{targetGroupName}}",le="${le}"}[{{window}}]))`;
  const all = `sum(increase(sandbox_http_request_duration_seconds_count{target_group="{{targetGroupName}}"}[{{window}}]))`;
  return [
    extra,
    "providers:",
    `  prometheus: { url: ${JSON.stringify(url)} }`,
    "metrics:",
    `  - { name: error-rate, provider: prometheus, critical: true, mustHaveData: true, events: '${requests(',code=~"5.."')}', total: '${requests("")}' }`,
    `  - { name: slow-requests, provider: prometheus, events: '${all} - ${buckets("0.25")}', total: '${all}' }`,
    "",
  ].join("\n");
}
