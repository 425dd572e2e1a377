/** deploy-green's step summary: what changed (before → after), the version, instances, health, time and links. */
import { consoleUrl, regionOf } from "../domain/arn";
import type { DeployGreenResult } from "../domain/deploy-green";
import { cell, link, seconds, table } from "../github/summary";

export interface SummaryLinks {
  runUrl?: string | undefined;
}

export function renderDeployGreenSummary(result: DeployGreenResult, links: SummaryLinks = {}): string {
  const region = regionOf(result.targetGroupArn) ?? "us-east-1";
  const heading = result.dryRun
    ? `## deploy-green (dry run): ${cell(result.version)} → ${cell(result.slot.name)}`
    : `## deploy-green: ${cell(result.version)} is up on ${cell(result.slot.name)}`;
  const facts = [
    ["Version", result.version],
    ["Deployment", result.deploymentId],
    ["Slot", `${result.slot.name} (${result.slot.targetGroupName}), idle; live: ${result.live.name} (${result.live.share}% of traffic)`],
    ["Launch template version", /^\d+$|^\$/.test(result.launchTemplate.after.version) ? result.launchTemplate.after.version : "created on a real run"],
    ["Instances", result.dryRun ? `${result.capacity.after.desiredCapacity} planned` : `${result.instances.length} InService and healthy`],
    ["Health", result.health ? `${result.health.summary}${result.stableForMs > 0 ? `, held for ${result.stableForMs / 1000}s (stable-for)` : ""}` : "not checked (dry run)"],
    ["Time taken", seconds(result.elapsedMs)],
  ]
    .map(([k, v]) => `- **${k}:** ${cell(v)}`)
    .join("\n");
  const changes = table(
    ["Change", "Before", "After"],
    result.changes.map((c) => [c.what, c.before, c.after]),
  );
  const linkList = [
    link(`Target group ${result.slot.targetGroupName}`, consoleUrl.targetGroup(result.targetGroupArn)),
    link(`Auto Scaling group ${result.asgName}`, consoleUrl.autoScalingGroup(region, result.asgName)),
    ...(links.runUrl ? [link("Workflow run", links.runUrl)] : []),
  ];
  const notes = [
    result.dryRun ? "_Dry run: nothing was changed._" : "The listener was not changed: traffic stays on the live slot until shift-traffic moves it. This run keeps the deployment lock for shift-traffic.",
    ...(result.lockWarning ? [`**Warning:** ${result.lockWarning}`] : []),
    ...(result.resumed.length > 0 ? [`Suspended processes ${result.resumed.join(", ")} ${result.dryRun ? "would be" : "were"} resumed.`] : []),
  ];
  return [heading, facts, `### ${result.dryRun ? "Plan" : "What changed"}`, changes, notes.join("\n\n"), linkList.join(" · ")].join("\n\n") + "\n";
}

/** The summary of a failed run: the reason, as the error says it, and the run link. */
export function renderDeployGreenFailure(message: string, links: SummaryLinks = {}): string {
  return [`## deploy-green failed`, message.replace(/\r?\n/g, "  \n"), ...(links.runUrl ? [link("Workflow run", links.runUrl)] : [])].join("\n\n") + "\n";
}
