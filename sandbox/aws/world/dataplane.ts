/** The data plane's factories as one port, so the world can be built against them (see contracts.ts). */
import type {
  AlarmDefinition,
  AlarmState,
  AlarmEvaluation,
  HealthCheckConfig,
  MetricsStore,
  ReleaseBehaviour,
  RouteResolver,
  RunningInstance,
  RunningListener,
  SandboxClock,
  TargetGroupHealth,
  TargetHealthView,
} from "../contracts";

export interface DataPlane {
  startListener(options: { port?: number; resolve: RouteResolver; metrics: MetricsStore; clock: SandboxClock; random: () => number }): Promise<RunningListener>;
  createTargetGroupHealth(options: { config: HealthCheckConfig; clock: SandboxClock; onChange?: (view: TargetHealthView) => void }): TargetGroupHealth;
  launchInstance(options: { instanceId: string; behaviour: ReleaseBehaviour; clock: SandboxClock; random: () => number }): RunningInstance;
  createMetricsStore(clock: SandboxClock): MetricsStore;
  evaluateAlarm(alarm: AlarmDefinition, store: MetricsStore, now: number, options?: { previousState?: AlarmState; publishedUntil?: number }): AlarmEvaluation;
}
