/**
 * When CloudWatch serves a minute. AWS/ApplicationELB metrics are "reported in 60-second intervals"
 * ("CloudWatch metrics for your Application Load Balancer"), so the current minute is never readable,
 * and a finished minute shows up only after an ingest delay that AWS does not document (1–3 min is
 * commonly observed). The sandbox serves a minute once it is complete and `lagSeconds` more sandbox
 * seconds have passed: the same for every metric and series, so it depends only on the clock.
 */
import type { SandboxClock } from "../contracts";

/** Real epoch ms before which every sample is published: the end of the newest published minute. */
export function publishedUntil(clock: Pick<SandboxClock, "now" | "realMs">, lagSeconds: number): number {
  const minuteMs = clock.realMs(60);
  return Math.floor((clock.now() - clock.realMs(lagSeconds)) / minuteMs) * minuteMs;
}
