import type {
  HealthCheckConfig,
  SandboxClock,
  TargetEndpoint,
  TargetGroupHealth,
  TargetHealthView,
  TargetState,
} from "../contracts";
import { parseHealthCheckConfig } from "./health-config";
import { probe, type ProbeResult } from "./health-probe";

export interface TargetGroupHealthOptions {
  config: HealthCheckConfig;
  clock: SandboxClock;
  onChange?: (view: TargetHealthView) => void;
  /** Whether a listener uses the group at creation; true unless told. */
  inUse?: boolean;
  /** Sandbox seconds between registration and the first health check; 1 unless told. */
  registrationSeconds?: number;
}

const DESCRIPTIONS = {
  "Elb.RegistrationInProgress": "Target registration is in progress",
  "Elb.InitialHealthChecking": "Initial health checks in progress",
  "Target.DeregistrationInProgress": "Target deregistration is in progress",
  "Target.NotInUse": "Target group is not configured to receive traffic from the load balancer",
  "Target.HealthCheckDisabled": "Health checks are disabled",
  "Target.NotRegistered": "Target is not registered to the target group",
} as const;

interface Tracked {
  endpoint: TargetEndpoint;
  state: "initial" | "healthy" | "unhealthy";
  reason: string | undefined;
  description: string | undefined;
  passes: number;
  fails: number;
  stopSchedule: (() => void) | undefined;
  cancelProbe: (() => void) | undefined;
  drain: { done: Promise<void>; finish: () => void } | undefined;
  lastEmitted: string | undefined;
}

/**
 * Active HTTP health checks for one target group, with the states and reason codes ELB reports.
 * A newly registered target becomes healthy after one passing check; an unhealthy one after
 * `healthyThreshold` consecutive passes; any target becomes unhealthy after `unhealthyThreshold`
 * consecutive failures. Checks pause while the group is unused or its health checks are disabled.
 */
export function createTargetGroupHealth(options: TargetGroupHealthOptions): TargetGroupHealth {
  const { clock, onChange } = options;
  const registrationSeconds = options.registrationSeconds ?? 1;
  let { config, matches } = parseHealthCheckConfig(options.config);
  let inUse = options.inUse ?? true;
  let closed = false;
  const targets = new Map<string, Tracked>();

  const checking = () => config.enabled && inUse && !closed;

  function view(target: Tracked): TargetHealthView {
    const base = { id: target.endpoint.id, port: target.endpoint.port };
    if (target.drain) return fixed(base, "draining", "Target.DeregistrationInProgress");
    if (!config.enabled) return fixed(base, "unavailable", "Target.HealthCheckDisabled");
    if (!inUse) return fixed(base, "unused", "Target.NotInUse");
    if (target.state === "healthy") return { ...base, state: "healthy" };
    return { ...base, state: target.state, reason: target.reason, description: target.description };
  }

  function emit(target: Tracked): void {
    const current = view(target);
    const key = JSON.stringify(current);
    if (key === target.lastEmitted) return;
    target.lastEmitted = key;
    onChange?.(current);
  }

  function resetToInitial(target: Tracked): void {
    target.state = "initial";
    target.reason = "Elb.RegistrationInProgress";
    target.description = DESCRIPTIONS["Elb.RegistrationInProgress"];
    target.passes = 0;
    target.fails = 0;
  }

  function stopChecks(target: Tracked): void {
    target.stopSchedule?.();
    target.stopSchedule = undefined;
    target.cancelProbe?.();
    target.cancelProbe = undefined;
  }

  function startChecks(target: Tracked): void {
    stopChecks(target);
    if (!checking() || target.drain) return;
    let cancelEvery: (() => void) | undefined;
    const cancelFirst = clock.after(registrationSeconds, () => {
      runCheck(target);
      cancelEvery = clock.every(config.intervalSeconds, () => runCheck(target));
    });
    target.stopSchedule = () => {
      cancelFirst();
      cancelEvery?.();
    };
  }

  function runCheck(target: Tracked): void {
    if (target.cancelProbe || !checking() || target.drain) return;
    if (target.state === "initial" && target.reason === "Elb.RegistrationInProgress") {
      target.reason = "Elb.InitialHealthChecking";
      target.description = DESCRIPTIONS["Elb.InitialHealthChecking"];
      emit(target);
    }
    const port = config.port === "traffic-port" ? target.endpoint.port : Number(config.port);
    const check = probe({
      host: target.endpoint.host,
      port,
      path: config.path,
      timeoutMs: clock.realMs(config.timeoutSeconds),
      matches,
    });
    target.cancelProbe = check.cancel;
    void check.result.then((result) => {
      if (target.cancelProbe !== check.cancel) return; // cancelled or superseded
      target.cancelProbe = undefined;
      if (!checking() || target.drain || targets.get(target.endpoint.id) !== target) return;
      apply(target, result);
      emit(target);
    });
  }

  function apply(target: Tracked, result: ProbeResult): void {
    if (result.ok) {
      target.fails = 0;
      target.passes += 1;
      if (target.state === "initial" || (target.state === "unhealthy" && target.passes >= config.healthyThreshold)) {
        target.state = "healthy";
        target.reason = undefined;
        target.description = undefined;
      }
      return;
    }
    target.passes = 0;
    target.fails += 1;
    if (target.state === "unhealthy" || target.fails >= config.unhealthyThreshold) {
      target.state = "unhealthy";
      target.reason = result.reason;
      target.description = result.description;
    }
  }

  function remove(target: Tracked): void {
    stopChecks(target);
    targets.delete(target.endpoint.id);
    onChange?.(fixed({ id: target.endpoint.id, port: target.endpoint.port }, "unused", "Target.NotRegistered"));
    target.drain?.finish();
  }

  return {
    register(endpoint) {
      if (closed) throw new Error(`cannot register target ${endpoint.id}: the target group's health checker is closed`);
      const existing = targets.get(endpoint.id);
      if (existing && !existing.drain) {
        existing.endpoint = { ...endpoint };
        emit(existing);
        return;
      }
      if (existing?.drain) {
        // Registering a draining target again brings it back, as in ELB; whoever awaited the drain is released.
        stopChecks(existing);
        existing.drain.finish();
      }
      const target: Tracked = {
        endpoint: { ...endpoint },
        state: "initial",
        reason: undefined,
        description: undefined,
        passes: 0,
        fails: 0,
        stopSchedule: undefined,
        cancelProbe: undefined,
        drain: undefined,
        lastEmitted: undefined,
      };
      resetToInitial(target);
      targets.set(endpoint.id, target);
      emit(target);
      startChecks(target);
    },

    deregister(targetId, delaySeconds) {
      const target = targets.get(targetId);
      if (!target) return Promise.resolve();
      if (target.drain) return target.drain.done;
      stopChecks(target);
      let finish!: () => void;
      const done = new Promise<void>((resolve) => (finish = resolve));
      let cancelTimer: (() => void) | undefined;
      target.drain = {
        done,
        finish: () => {
          cancelTimer?.();
          finish();
        },
      };
      emit(target);
      if (delaySeconds <= 0) remove(target);
      else cancelTimer = clock.after(delaySeconds, () => remove(target));
      return done;
    },

    updateEndpoint(endpoint) {
      const target = targets.get(endpoint.id);
      if (!target) return;
      target.endpoint = { ...target.endpoint, host: endpoint.host, port: endpoint.port };
      emit(target);
    },

    setConfig(next) {
      const wasChecking = checking();
      const previousInterval = config.intervalSeconds;
      ({ config, matches } = parseHealthCheckConfig(next));
      for (const target of targets.values()) {
        if (target.drain) continue;
        if (!wasChecking && checking()) {
          resetToInitial(target);
          startChecks(target);
        } else if (!checking()) {
          stopChecks(target);
        } else if (previousInterval !== config.intervalSeconds) {
          startChecks(target);
        }
        emit(target);
      }
    },

    describe() {
      return [...targets.values()].map(view);
    },

    routable() {
      const candidates = [...targets.values()].filter((target) => !target.drain);
      if (!config.enabled) return candidates.map((target) => ({ ...target.endpoint }));
      const healthy = candidates.filter((target) => target.state === "healthy");
      return (healthy.length > 0 ? healthy : candidates).map((target) => ({ ...target.endpoint }));
    },

    counts() {
      let healthy = 0;
      let unhealthy = 0;
      if (!config.enabled) return { healthy, unhealthy };
      for (const target of targets.values()) {
        if (target.drain) continue;
        if (target.state === "healthy") healthy += 1;
        else if (target.state === "unhealthy") unhealthy += 1;
      }
      return { healthy, unhealthy };
    },

    setInUse(next) {
      if (next === inUse) return;
      const wasChecking = checking();
      inUse = next;
      for (const target of targets.values()) {
        if (target.drain) continue;
        if (!wasChecking && checking()) {
          resetToInitial(target);
          startChecks(target);
        } else if (!checking()) {
          stopChecks(target);
        }
        emit(target);
      }
    },

    close() {
      closed = true;
      for (const target of targets.values()) {
        stopChecks(target);
        target.drain?.finish();
      }
    },
  };
}

function fixed(
  base: { id: string; port: number },
  state: TargetState,
  reason: keyof typeof DESCRIPTIONS,
): TargetHealthView {
  return { ...base, state, reason, description: DESCRIPTIONS[reason] };
}
