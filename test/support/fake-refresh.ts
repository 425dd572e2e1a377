/**
 * A hand-written fake of the InstanceRefreshes port over a FakeFleet group: a refresh moves the
 * group's instances to its version one poll at a time (each replacement is an instance already
 * InService and healthy), a rollback moves them back, and the answers AWS gives (a refresh already
 * active, nothing to cancel or roll back, an irreversible refresh) are scripted. Every call is logged.
 */
import type { InstanceRefreshes, RefreshStart, RefreshState } from "../../src/ports/refresh";
import { REFRESH_RUNNING } from "../../src/ports/refresh";
import type { Clock } from "../../src/util/clock";
import { CallLog } from "./call-log";
import type { FakeFleet } from "./fake-fleet";

interface FakeRefresh extends RefreshState {
  groupName: string;
  target: string;
  previous: string;
  /** How the refresh ends once every instance is on its version. */
  endAs: "Successful" | "Failed";
}

export class FakeRefreshes extends CallLog implements InstanceRefreshes {
  readonly refreshes: FakeRefresh[] = [];
  /** RollbackInstanceRefresh answers IrreversibleInstanceRefresh (the group was on $Latest or $Default). */
  irreversible = false;
  /** How the next started refresh ends. */
  nextEnds: "Successful" | "Failed" = "Successful";
  private n = 1;

  constructor(
    private readonly fleet: FakeFleet,
    private readonly clock: Clock,
  ) {
    super();
  }

  /** A refresh some earlier step started: running to `target`, with `replaced` instances already on it. */
  running(groupName: string, target: string, replaced: number): FakeRefresh {
    const group = this.fleet.groups.get(groupName)!;
    const r = this.add(groupName, target, group.launchTemplate?.version ?? "1", "InProgress");
    for (const i of group.instances.slice(0, replaced)) i.version = target;
    return r;
  }

  private add(groupName: string, target: string, previous: string, status: RefreshState["status"]): FakeRefresh {
    const r: FakeRefresh = { id: `ir-${this.n++}`, groupName, status, percentageComplete: 0, instancesToUpdate: 0, startTime: new Date(this.clock.now()), desiredVersion: target, target, previous, endAs: this.nextEnds };
    this.refreshes.push(r);
    return r;
  }

  async start(s: RefreshStart): Promise<string> {
    this.record("start", { group: s.groupName, version: s.launchTemplate.version, skipMatching: s.preferences.skipMatching });
    const group = this.fleet.groups.get(s.groupName)!;
    if (this.refreshes.some((r) => r.groupName === s.groupName && !/^(Successful|Failed|Cancelled|RollbackSuccessful|RollbackFailed)$/.test(r.status))) {
      throw Object.assign(new Error("An Instance Refresh is already in progress"), { name: "InstanceRefreshInProgressFault" });
    }
    return this.add(s.groupName, s.launchTemplate.version, group.launchTemplate?.version ?? "1", "Pending").id;
  }

  /** Each read moves one instance toward the refresh's version, as a refresh makes progress between polls. */
  async latest(groupName: string): Promise<RefreshState | undefined> {
    this.record("latest", { group: groupName });
    const r = this.refreshes.filter((x) => x.groupName === groupName).at(-1);
    if (!r) return undefined;
    this.progress(r);
    const { groupName: _g, target: _t, previous: _p, endAs: _e, ...state } = r;
    return { ...state };
  }

  private progress(r: FakeRefresh): void {
    const group = this.fleet.groups.get(r.groupName)!;
    if (r.status === "Pending") r.status = "InProgress";
    if (r.status === "Cancelling") r.status = "Cancelled";
    const rollingBack = r.status === "RollbackInProgress";
    if (r.status !== "InProgress" && !rollingBack) return;
    const want = rollingBack ? r.previous : r.target;
    const off = group.instances.filter((i) => i.version !== want);
    if (off.length > 0) off[0]!.version = want;
    const on = group.instances.filter((i) => i.version === r.target).length;
    r.percentageComplete = Math.floor((on * 100) / Math.max(1, group.instances.length));
    r.instancesToUpdate = Math.max(0, off.length - 1);
    if (off.length > 1) return;
    if (rollingBack) r.status = "RollbackSuccessful";
    else {
      r.status = r.endAs;
      if (r.endAs === "Successful" && group.launchTemplate) group.launchTemplate = { ...group.launchTemplate, version: r.target };
    }
  }

  async cancel(groupName: string): Promise<boolean> {
    this.record("cancel", { group: groupName });
    const r = this.refreshes.filter((x) => x.groupName === groupName).at(-1);
    if (!r || !REFRESH_RUNNING.includes(r.status)) return false;
    r.status = "Cancelling";
    return true;
  }

  async rollback(groupName: string): Promise<{ outcome: "started" | "none" | "irreversible"; reason?: string }> {
    this.record("rollback", { group: groupName });
    const r = this.refreshes.filter((x) => x.groupName === groupName).at(-1);
    if (!r || !REFRESH_RUNNING.includes(r.status)) return { outcome: "none" };
    if (this.irreversible) return { outcome: "irreversible", reason: "The Auto Scaling group uses the launch template's $Default version" };
    r.status = "RollbackInProgress";
    return { outcome: "started" };
  }
}
