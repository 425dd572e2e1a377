import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Random } from "../../../src/util/clock";
import type { ReleaseBehaviour, RunningInstance, SandboxClock } from "../contracts";
import { parseBehaviour } from "./behaviour";
import { DatabaseApp } from "./database-app";
import { lognormalSampler } from "./latency";
import { createInstanceMetrics } from "./metrics";

export interface LaunchInstanceOptions {
  instanceId: string;
  behaviour: ReleaseBehaviour;
  clock: SandboxClock;
  random: Random;
  /** Loopback address to listen on; 127.0.0.1 unless told. */
  host?: string;
  /** Real ms a graceful stop waits for open connections before cutting them; 10,000 unless told. */
  stopTimeoutMs?: number;
}

/**
 * Launches one application instance: an HTTP server on loopback that starts listening after the
 * release's boot time, answers the health path with the release's health status and every other
 * path after a lognormal latency, failing a share of them with HTTP 500. GET /metrics answers with
 * its request counts and latencies in the Prometheus text format (./metrics.ts).
 *
 * `onDeath` listeners run once when the instance is killed or crashes; a graceful `stop()` is not a death.
 */
export function launchInstance(options: LaunchInstanceOptions): RunningInstance {
  return new SandboxInstance(options);
}

class SandboxInstance implements RunningInstance {
  readonly instanceId: string;
  readonly host: string;
  readonly ready: Promise<void>;
  private currentPort = 0;
  private current: ReleaseBehaviour;
  private sampleLatency: () => number;
  private isDead = false;
  private stopping = false;
  private died = false;
  private readonly deathListeners: Array<() => void> = [];
  private readonly sockets = new Set<Socket>();
  private readonly pending = new Set<NodeJS.Timeout>();
  private readonly metrics = createInstanceMetrics();
  private readonly server: Server;
  private cancelBoot: (() => void) | undefined;
  private cancelCrash: (() => void) | undefined;
  /** A database-backed release's queries (./database-app.ts). */
  private app: DatabaseApp | undefined;
  private resolveReady!: () => void;
  private rejectReady!: (error: Error) => void;

  constructor(private readonly options: LaunchInstanceOptions) {
    this.instanceId = options.instanceId;
    this.host = options.host ?? "127.0.0.1";
    this.current = parseBehaviour(options.instanceId, options.behaviour);
    this.sampleLatency = lognormalSampler(this.current.latencyMs, options.random);
    this.useDatabase();
    this.ready = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // A caller that never awaits `ready` must not see an unhandled rejection when the instance dies while booting.
    this.ready.catch(() => undefined);
    this.server = createServer((request, response) => this.handle(request, response));
    // Longer than any client's idle timeout, so pooled connections are closed by the client side first.
    this.server.keepAliveTimeout = 65_000;
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    this.cancelBoot = options.clock.after(this.current.bootSeconds, () => this.boot());
  }

  get port(): number {
    return this.currentPort;
  }

  get behaviour(): ReleaseBehaviour {
    return this.current;
  }

  get dead(): boolean {
    return this.isDead;
  }

  setBehaviour(behaviour: ReleaseBehaviour): void {
    this.current = parseBehaviour(this.instanceId, behaviour);
    this.sampleLatency = lognormalSampler(this.current.latencyMs, this.options.random);
    this.useDatabase();
    if (this.currentPort !== 0 && !this.isDead) this.scheduleCrash();
  }

  private useDatabase(): void {
    const wanted = this.current.database;
    if (JSON.stringify(wanted) === JSON.stringify(this.app?.db)) return;
    void this.app?.close();
    this.app = wanted ? new DatabaseApp(wanted) : undefined;
  }

  kill(): void {
    if (this.isDead) return;
    this.terminate(new Error(`instance ${this.instanceId} was killed before it finished booting`));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    this.announceDeath();
  }

  async stop(): Promise<void> {
    if (this.isDead) return;
    this.stopping = true;
    this.terminate(new Error(`instance ${this.instanceId} was stopped before it finished booting`));
    // In-flight requests finish (their responses carry `connection: close`); idle connections close now.
    this.server.closeIdleConnections();
    if (this.sockets.size === 0) return;
    await new Promise<void>((resolve) => {
      const cutOff = setTimeout(() => {
        for (const socket of this.sockets) socket.destroy();
      }, this.options.stopTimeoutMs ?? 10_000);
      const check = () => {
        if (this.sockets.size > 0) return;
        clearTimeout(cutOff);
        resolve();
      };
      for (const socket of this.sockets) socket.once("close", check);
    });
  }

  onDeath(listener: () => void): void {
    if (this.died) {
      queueMicrotask(listener);
      return;
    }
    this.deathListeners.push(listener);
  }

  private boot(): void {
    this.cancelBoot = undefined;
    if (this.isDead) return;
    this.server.once("error", (error) => this.rejectReady(error));
    this.server.listen(0, this.host, () => {
      const address = this.server.address();
      if (this.isDead || address === null || typeof address === "string") return;
      this.currentPort = address.port;
      this.scheduleCrash();
      this.resolveReady();
    });
  }

  private scheduleCrash(): void {
    this.cancelCrash?.();
    this.cancelCrash = undefined;
    const after = this.current.crashAfterSeconds;
    if (after === undefined) return;
    this.cancelCrash = this.options.clock.after(after, () => this.kill());
  }

  /** Stops listening and timers; shared by kill and stop. */
  private terminate(bootError: Error): void {
    this.isDead = true;
    this.cancelBoot?.();
    this.cancelCrash?.();
    this.cancelBoot = undefined;
    this.cancelCrash = undefined;
    if (this.currentPort === 0) this.rejectReady(bootError);
    if (this.server.listening) this.server.close();
    void this.app?.close();
  }

  private announceDeath(): void {
    if (this.died) return;
    this.died = true;
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
    const listeners = this.deathListeners.splice(0);
    for (const listener of listeners) listener();
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const behaviour = this.current;
    response.setHeader("x-sandbox-version", behaviour.version);
    response.setHeader("x-sandbox-instance", this.instanceId);
    if (this.stopping) response.setHeader("connection", "close");
    // Drain any request body so the connection can be reused.
    request.resume();
    const path = (request.url ?? "/").split("?")[0];
    const app = this.app;
    if (path === behaviour.health.path) {
      if (app) void app.healthy().then((ok) => sendJson(response, ok ? behaviour.health.status : 503, ok ? behaviour.health.body : { error: "database check failed" }));
      else sendJson(response, behaviour.health.status, behaviour.health.body);
      return;
    }
    if (path === "/metrics") {
      this.metrics.serve(response);
      return;
    }
    const delay = this.sampleLatency();
    const failed = this.options.random() < behaviour.errorRate;
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      if (response.destroyed) return;
      if (this.stopping) response.setHeader("connection", "close");
      this.metrics.observe(behaviour.version, failed ? 500 : 200, delay);
      if (failed) sendJson(response, 500, { error: "internal error", version: behaviour.version, instance: this.instanceId });
      else if (app) void app.handle(this.instanceId).then((a) => !response.destroyed && sendJson(response, a.status, { ...(a.body as object), version: behaviour.version, instance: this.instanceId }));
      else sendJson(response, 200, { ok: true, version: behaviour.version, instance: this.instanceId, path });
    }, delay);
    this.pending.add(timer);
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = body === undefined ? "" : JSON.stringify(body);
  response.statusCode = status;
  response.setHeader("content-type", "application/json");
  response.setHeader("content-length", Buffer.byteLength(text));
  response.end(text);
}
