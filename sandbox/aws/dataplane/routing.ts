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

/** The Set-Cookie value that pins a client to a target group for `durationSeconds`. */
export function stickyCookie(targetGroupArn: string, durationSeconds: number): string {
  const value = Buffer.from(targetGroupArn, "utf8").toString("base64url");
  return `${STICKY_COOKIE}=${value}; Max-Age=${durationSeconds}; Path=/`;
}

/** The target group ARN named by the stickiness cookie in a Cookie header, if any. */
export function readStickyGroup(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  for (const pair of cookieHeader.split(";")) {
    const [name, ...rest] = pair.trim().split("=");
    if (name !== STICKY_COOKIE) continue;
    const decoded = Buffer.from(rest.join("="), "base64url").toString("utf8");
    return decoded.length > 0 ? decoded : undefined;
  }
  return undefined;
}
