/** The tags the suite keeps on target groups, Auto Scaling groups and listeners/rules. */
export const TAG = {
  slot: "deploy:slot",
  role: "deploy:role",
  version: "deploy:version",
  deploymentId: "deploy:deployment-id",
  sha: "deploy:sha",
  updatedAt: "deploy:updated-at",
  lock: "deploy:lock",
  rolledBackFrom: "deploy:rolled-back-from",
  reason: "deploy:reason",
} as const;

/** stable: serves traffic and is good; candidate: the new version; previous: last known good; failed: rolled back from. */
export const ROLES = ["stable", "candidate", "previous", "failed"] as const;
export type Role = (typeof ROLES)[number];

export function parseRole(value: string | undefined): Role | undefined {
  return (ROLES as readonly string[]).includes(value ?? "") ? (value as Role) : undefined;
}

/** AWS tag values are at most 256 characters. */
export function tagValue(value: string): string {
  return value.length <= 256 ? value : `${value.slice(0, 253)}...`;
}
