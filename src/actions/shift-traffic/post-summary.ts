/** The step summary of shift-traffic's post step: whether it put the stable weights back, per target group. */
import { consoleUrl, targetGroupName } from "../../util/arn";
import type { RestoreOutcome } from "../../domain/restore";
import { shareOf } from "../../domain/weights";
import { link, summary } from "../../util/summary";

export function renderPostSummary(outcome: Pick<RestoreOutcome, "changed" | "before" | "after" | "message">): string {
  const rows = outcome.after.map((g) => [
    link(targetGroupName(g.targetGroupArn), consoleUrl.targetGroup(g.targetGroupArn)),
    `${shareOf(outcome.before, g.targetGroupArn)}%`,
    `${shareOf(outcome.after, g.targetGroupArn)}%`,
  ]);
  return summary()
    .heading(outcome.changed ? "↩️ shift-traffic post step restored the stable weights" : "shift-traffic post step: weights already stable", 3)
    .table(["Target group", "Before", "After"], rows)
    .paragraph(outcome.message)
    .toString();
}
