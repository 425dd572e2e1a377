/** What a service module provides to the HTTP front: its protocol and its operation handlers. */
import type { World } from "../world/world";
import { AwsError } from "./errors";

export interface OperationContext {
  world: World;
  requestId: string;
}

export type Handler = (params: Record<string, unknown>, ctx: OperationContext) => unknown;

export interface ServiceDefinition {
  /** Name in the call log: ElasticLoadBalancingV2, AutoScaling, EC2, CloudWatch. */
  name: string;
  /** SigV4 signing name found in the credential scope. */
  signingName: string;
  version: string;
  namespace: string;
  protocol: "query" | "ec2";
  operations: Record<string, Handler>;
}

/** Opaque page tokens holding the index of the next item. */
export function paginate<T>(items: T[], token: string | undefined, pageSize: number, invalid: () => AwsError): { page: T[]; next?: string } {
  let start = 0;
  if (token !== undefined && token !== "") {
    const match = /^p([0-9]+)$/.exec(Buffer.from(token, "base64url").toString("utf8"));
    if (!match) throw invalid();
    start = Number(match[1]);
  }
  const end = Math.min(items.length, start + pageSize);
  const page = items.slice(start, end);
  return end < items.length ? { page, next: Buffer.from(`p${end}`, "utf8").toString("base64url") } : { page };
}
