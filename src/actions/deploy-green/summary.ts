/** deploy-green's step summary: what changed (before → after), the version, instances, health, time and links. */
import { consoleUrl, regionOf } from "../../util/arn";
import type { DeployGreenResult } from "../../domain/deploy-green";
import { bold, italic, joined, link, seconds, summary } from "../../util/summary";

export interface SummaryLinks {
  runUrl?: string | undefined;
}

export function renderDeployGreenSummary(result: DeployGreenResult, links: SummaryLinks = {}): string {
  const region = regionOf(result.targetGroupArn) ?? "us-east-1";
  const heading = result.dryRun ? `deploy-green (dry run): ${result.version} → ${result.slot.name}` : `deploy-green: ${result.version} is up on ${result.slot.name}`;
  const facts: Array<[string, string]> = [
    ["Version", result.version],
    ["Deployment", result.deploymentId],
    ["Slot", `${result.slot.name} (${result.slot.targetGroupName}), idle; live: ${result.live.name} (${result.live.share}% of traffic)`],
    ["Launch template version", /^\d+$|^\$/.test(result.launchTemplate.after.version) ? result.launchTemplate.after.version : "created on a real run"],
    ["Instances", result.dryRun ? `${result.capacity.after.desiredCapacity} planned` : `${result.instances.length} InService and healthy`],
    ["Health", result.health ? `${result.health.summary}${result.stableForMs > 0 ? `, held for ${result.stableForMs / 1000}s (stable-for)` : ""}` : "not checked (dry run)"],
    ["Time taken", seconds(result.elapsedMs)],
  ];
  const out = summary()
    .heading(heading, 2)
    .list(facts.map(([k, v]) => [bold(`${k}:`), " ", v]))
    .heading(result.dryRun ? "Plan" : "What changed", 3)
    .table(
      ["Change", "Before", "After"],
      result.changes.map((c) => [c.what, c.before, c.after]),
    )
    .paragraph(
      result.dryRun
        ? italic("Dry run: nothing was changed.")
        : "The listener was not changed: traffic stays on the live slot until shift-traffic moves it. This run keeps the deployment lock for shift-traffic.",
    );
  if (result.lockWarning) out.paragraph([bold("Warning:"), " ", result.lockWarning]);
  if (result.resumed.length > 0) out.paragraph(`Suspended processes ${result.resumed.join(", ")} ${result.dryRun ? "would be" : "were"} resumed.`);
  out.paragraph(
    joined([
      link(`Target group ${result.slot.targetGroupName}`, consoleUrl.targetGroup(result.targetGroupArn)),
      link(`Auto Scaling group ${result.asgName}`, consoleUrl.autoScalingGroup(region, result.asgName)),
      links.runUrl ? link("Workflow run", links.runUrl) : null,
    ]),
  );
  return out.toString();
}

/** The summary of a failed run: the reason, as the error says it (one line per line), and the run link. */
export function renderDeployGreenFailure(message: string, links: SummaryLinks = {}): string {
  return summary()
    .heading("deploy-green failed", 2)
    .paragraph(...message.split(/\r?\n/))
    .paragraph(links.runUrl ? link("Workflow run", links.runUrl) : null)
    .toString();
}
