/** Narrow port to EC2 Auto Scaling's instance refresh (adapter: src/adapters/aws/instance-refresh.ts; fake: test/support/fake-refresh.ts). */
import type { LaunchTemplateRef } from "./fleet";

export type RefreshStatus =
  | "Pending"
  | "InProgress"
  | "Successful"
  | "Failed"
  | "Cancelling"
  | "Cancelled"
  | "RollbackInProgress"
  | "RollbackFailed"
  | "RollbackSuccessful"
  | "Baking";

/** Running forward: cancellable, and reversible with RollbackInstanceRefresh. */
export const REFRESH_RUNNING: readonly RefreshStatus[] = ["Pending", "InProgress", "Baking"];
/** No other refresh can start while one is in one of these. */
export const REFRESH_ACTIVE: readonly RefreshStatus[] = [...REFRESH_RUNNING, "Cancelling", "RollbackInProgress"];

export interface RefreshPreferences {
  minHealthyPercentage: number;
  maxHealthyPercentage: number;
  /** Seconds; absent: the group's default instance warm-up or health check grace period. */
  instanceWarmupSeconds?: number | undefined;
  checkpointPercentages?: number[] | undefined;
  checkpointDelaySeconds?: number | undefined;
  skipMatching: boolean;
  autoRollback: boolean;
  alarms: string[];
  bakeTimeSeconds?: number | undefined;
}

export interface RefreshStart {
  groupName: string;
  /** The desired configuration: a numbered launch template version. */
  launchTemplate: LaunchTemplateRef;
  preferences: RefreshPreferences;
}

export interface RefreshState {
  id: string;
  status: RefreshStatus;
  statusReason?: string | undefined;
  percentageComplete: number;
  instancesToUpdate: number;
  startTime: Date;
  /** The desired configuration's launch template version, when it had one. */
  desiredVersion?: string | undefined;
}

export interface InstanceRefreshes {
  /** StartInstanceRefresh; returns its id. Throws when a refresh is already active on the group. */
  start(start: RefreshStart): Promise<string>;
  /** The group's most recent refresh, if any. */
  latest(groupName: string): Promise<RefreshState | undefined>;
  /** CancelInstanceRefresh; false when no refresh was running. */
  cancel(groupName: string): Promise<boolean>;
  /** RollbackInstanceRefresh: "none" when no refresh was running, "irreversible" when AWS cannot roll it back (with its reason). */
  rollback(groupName: string): Promise<{ outcome: "started" | "none" | "irreversible"; reason?: string | undefined }>;
}
