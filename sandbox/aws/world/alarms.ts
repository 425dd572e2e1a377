/** Alarm evaluation each sandbox second: the state changes only on a transition, as in CloudWatch; `ignore` keeps the current state when data is missing. */
import type { World } from "./world";

export function evaluateAlarms(world: World, now: number): void {
  for (const alarm of world.alarms.values()) {
    const result = world.dataPlane.evaluateAlarm(alarm.definition, world.metrics, now, { previousState: alarm.state });
    if (result.state === alarm.state) continue;
    alarm.state = result.state;
    alarm.reason = result.reason;
    alarm.stateUpdatedAt = now;
  }
}
