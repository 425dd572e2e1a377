import type { Random } from "../../../src/util/clock";
import type { ForwardGroup } from "../contracts";

/** Name of the load balancer's target-group stickiness cookie. */
export const STICKY_COOKIE = "AWSALBTG";

/** Picks a group with probability weight / total weight; undefined when no group has a weight above 0. */
export function pickWeighted(groups: ForwardGroup[], random: Random): ForwardGroup | undefined {
  const live = groups.filter((group) => group.weight > 0);
  const total = live.reduce((sum, group) => sum + group.weight, 0);
  if (total <= 0) return undefined;
  let point = random() * total;
  for (const group of live) {
    point -= group.weight;
    if (point < 0) return group;
  }
  return live[live.length - 1];
}

/**
 * The Set-Cookie value that pins a client to a target group for `durationSeconds`. The value carries
 * the group and when the stickiness ends (real epoch ms), so an expired cookie is not honoured even if
 * the client still sends it; every answer issues a fresh one, as the load balancer does.
 */
export function stickyCookie(targetGroupArn: string, durationSeconds: number, expiresAt = Number.MAX_SAFE_INTEGER): string {
  const value = Buffer.from(`${targetGroupArn}|${Math.floor(expiresAt)}`, "utf8").toString("base64url");
  return `${STICKY_COOKIE}=${value}; Max-Age=${durationSeconds}; Path=/`;
}

/** The target group ARN named by a valid (unexpired at `now`) stickiness cookie in a Cookie header, if any. */
export function readStickyGroup(cookieHeader: string | undefined, now = 0): string | undefined {
  if (!cookieHeader) return undefined;
  for (const pair of cookieHeader.split(";")) {
    const [name, ...rest] = pair.trim().split("=");
    if (name !== STICKY_COOKIE) continue;
    const decoded = Buffer.from(rest.join("="), "base64url").toString("utf8");
    const bar = decoded.lastIndexOf("|");
    const arn = bar >= 0 ? decoded.slice(0, bar) : decoded;
    const expiresAt = bar >= 0 ? Number(decoded.slice(bar + 1)) : Number.MAX_SAFE_INTEGER;
    return arn.length > 0 && expiresAt > now ? arn : undefined;
  }
  return undefined;
}
