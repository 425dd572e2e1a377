/**
 * Alarm evaluation each sandbox second: the state changes only on a transition, as in CloudWatch; `ignore`
 * keeps the current state when data is missing. An alarm sees only the periods CloudWatch has published
 * (metricPublicationLagSeconds), the data GetMetricData serves.
 */
import { publishedUntil } from "../metrics/publication";
import type { World } from "./world";

export function evaluateAlarms(world: World, now: number): void {
  const until = publishedUntil(world.clock, world.metricPublicationLagSeconds);
  for (const alarm of world.alarms.values()) {
    const result = world.dataPlane.evaluateAlarm(alarm.definition, world.metrics, now, { previousState: alarm.state, publishedUntil: until });
    if (result.state === alarm.state) continue;
    alarm.state = result.state;
    alarm.reason = result.reason;
    alarm.stateUpdatedAt = now;
  }
}
