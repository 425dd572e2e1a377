/**
 * Rule and listener changes reach the data plane late. "Rule updates do not take effect immediately,
 * so requests could be routed using the previous rule configuration for a short time after you update
 * a rule" (ALB guide, "Edit a listener rule"). The sandbox has `NODES` load balancer nodes; node k
 * routes by the actions of a rule as they were (k + 1) / NODES × the propagation delay ago, and requests
 * go to the nodes in turn, so for a while after a write old and new weights coexist, request by request.
 * No randomness: the same writes and requests route the same way. Conditions, and rules created or
 * deleted, take effect at once (only the actions propagate).
 */
import type { Action } from "./model";

const NODES = 4;

interface Version {
  at: number;
  actions: Action[];
}

export class Propagation {
  private readonly versions = new Map<string, Version[]>();
  private counter = 0;

  constructor(
    private readonly now: () => number,
    /** Real milliseconds a change takes to reach the last node; 0: at once. */
    readonly delayMs: number,
  ) {}

  /** After a write (and at start): the rule's actions as of now. */
  record(ruleArn: string, actions: Action[]): void {
    if (this.delayMs <= 0) return;
    const at = this.now();
    const list = this.versions.get(ruleArn) ?? [];
    list.push({ at, actions: structuredClone(actions) });
    // Keep the newest version every node has already seen, and everything after it.
    const cutoff = at - this.delayMs;
    while (list.length > 1 && list[1]!.at <= cutoff) list.shift();
    this.versions.set(ruleArn, list);
  }

  /** The node that serves the next request. */
  nextNode(): number {
    this.counter = (this.counter + 1) % NODES;
    return this.counter;
  }

  /** The actions `node` routes a rule by at `now`: the newest version at least its delay old. */
  view(ruleArn: string, current: Action[], node: number): Action[] {
    const list = this.versions.get(ruleArn);
    if (!list || list.length === 0 || this.delayMs <= 0) return current;
    const seenBefore = this.now() - (this.delayMs * (node + 1)) / NODES;
    let seen = list[0]!;
    for (const v of list) if (v.at <= seenBefore) seen = v;
    return seen.actions;
  }
}
