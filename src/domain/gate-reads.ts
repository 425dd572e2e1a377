/**
 * How often a gate with URL checks reads target health. Its polls come 0.5–0.8 s apart for the URL
 * checks (consecutive-successes counts polls, and they cost no AWS call), but target health is read
 * on a poll only when the spaced policy's delay since the last read has passed: while the target
 * groups' status stays the same the reads back off as a gate on target groups alone does, and after
 * any change they come on every poll again. While the gate holds, and whenever every check would pass
 * on the last reads, target health is read on that poll: a pass is judged on a fresh read only.
 */
import type { Clock, Random } from "../util/clock";
import { nextDelay, type PollPolicy } from "../util/wait";
import type { TargetGroupHealthReport } from "./target-health";

export class TargetHealthReads {
  private reports: TargetGroupHealthReport[] | undefined;
  private last: string | undefined;
  private attempt = 0;
  private nextAt = -Infinity;
  private readonly start: number;

  /** `spaced` undefined: read on every poll. `pollGapMs`: the longest gap between the gate's polls. */
  constructor(
    private readonly read: () => Promise<TargetGroupHealthReport[]>,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly spaced: PollPolicy | undefined,
    private readonly pollGapMs: number,
  ) {
    this.start = clock.now();
  }

  /** This poll's reports, and whether they were read on it. */
  async current(holding: boolean): Promise<{ reports: TargetGroupHealthReport[]; fresh: boolean }> {
    if (this.reports && this.spaced && !holding && this.clock.now() < this.nextAt) return { reports: this.reports, fresh: false };
    return { reports: await this.fresh(), fresh: true };
  }

  /** Reads target health now. */
  async fresh(): Promise<TargetGroupHealthReport[]> {
    const reports = (this.reports = await this.read());
    if (!this.spaced) return reports;
    const status = reports.map((r) => r.summary).join("; ");
    if (status !== this.last) this.attempt = 0;
    this.last = status;
    const now = this.clock.now();
    const backingOff = now - this.start >= (this.spaced.backoffAfterMs ?? 0);
    // Due a poll's gap early, so the read after a backed-off delay comes no later than that delay.
    this.nextAt = now + nextDelay(backingOff ? this.attempt : 0, this.spaced, this.random) - this.pollGapMs;
    this.attempt++;
    return reports;
  }
}
