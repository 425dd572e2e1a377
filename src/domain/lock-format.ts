/**
 * What the deployment lock records, and how it is written in ELBv2 tags. Every value keeps to the
 * characters ELBv2 allows in a tag value (letters, digits, spaces and `_ . : / = + - @`, at most 256).
 * The format of earlier versions (`owner=<run>;expires=<time>` in one tag of the listener or rule) is
 * still read, so a deployment started before an upgrade is not ignored.
 */
import { TAG } from "./tags";

/** Who holds a lock: a workflow run, one of its jobs and its attempt. */
export interface LockOwner {
  /** `<owner>/<repo>/actions/runs/<run id>`. */
  run: string;
  /** The job's id in the workflow (GITHUB_JOB). */
  job: string;
  /** GITHUB_RUN_ATTEMPT: a re-run of a job is a later attempt of its run. */
  attempt: number;
}

/** active: a step is working under it; parked: the step ended and left it for a later step of its run. */
export type LockState = "active" | "parked";

export interface LockHolder {
  /** Shown in messages: the run, with its job and attempt when known. */
  owner: string;
  run: string;
  job?: string | undefined;
  attempt?: number | undefined;
  /** Random per acquisition: tells two steps of one job apart. */
  id?: string | undefined;
  state: LockState;
  /** When the holder last renewed (its own clock), when known. */
  renewedAt?: Date | undefined;
  expiresAt: Date;
  /** The lock rule that carries it; absent for a lock of the earlier format. */
  ruleArn?: string | undefined;
  /** A lock of the earlier format (a tag on the environment's listener or rule). */
  legacy?: boolean | undefined;
}

export const LOCK_TAGS = {
  lease: TAG.lock,
  run: "deploy:lock-run",
  job: "deploy:lock-job",
  environment: "deploy:lock-for",
} as const;

const ALLOWED = /[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu;

/** Text made fit for an ELBv2 tag value: other characters become `_`, cut to 256 characters. */
export function lockText(text: string): string {
  return [...text.replace(ALLOWED, "_")].slice(0, 256).join("");
}

export function describeOwner(owner: { run: string; job?: string | undefined; attempt?: number | undefined }): string {
  const parts = [owner.job ? `job ${owner.job}` : undefined, owner.attempt !== undefined ? `attempt ${owner.attempt}` : undefined].filter(Boolean);
  return parts.length ? `${owner.run} (${parts.join(", ")})` : owner.run;
}

export interface LeaseTerms {
  owner: LockOwner;
  id: string;
  state: LockState;
  renewedAt: Date;
  expiresAt: Date;
  environment: string;
}

/** The tags of a lock rule. */
export function lockTags(terms: LeaseTerms): Record<string, string> {
  return {
    ...leaseTag(terms),
    [LOCK_TAGS.run]: lockText(terms.owner.run),
    [LOCK_TAGS.job]: lockText(`job=${terms.owner.job} attempt=${terms.owner.attempt}`),
    [LOCK_TAGS.environment]: lockText(terms.environment),
  };
}

/** The one tag a renewal or parking rewrites. */
export function leaseTag(terms: Pick<LeaseTerms, "id" | "state" | "renewedAt" | "expiresAt">): Record<string, string> {
  return { [LOCK_TAGS.lease]: `state=${terms.state} id=${terms.id} renewed=${terms.renewedAt.toISOString()} expires=${terms.expiresAt.toISOString()}` };
}

function field(value: string, name: string): string | undefined {
  return new RegExp(`(?:^| )${name}=(\\S+)`).exec(value)?.[1];
}

function date(text: string | undefined): Date | undefined {
  if (!text) return undefined;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** A lock rule's holder from its tags; `undefined` when the tags are not (or not yet) readable as a lock. */
export function parseLockTags(tags: Record<string, string>, ruleArn?: string): LockHolder | undefined {
  const lease = tags[LOCK_TAGS.lease];
  const run = tags[LOCK_TAGS.run];
  if (!lease || !run) return undefined;
  const state = field(lease, "state");
  const expiresAt = date(field(lease, "expires"));
  if ((state !== "active" && state !== "parked") || !expiresAt) return undefined;
  const jobTag = tags[LOCK_TAGS.job] ?? "";
  const job = field(jobTag, "job");
  const attempt = Number(field(jobTag, "attempt"));
  const holder = { run, job, attempt: Number.isInteger(attempt) ? attempt : undefined };
  return { ...holder, owner: describeOwner(holder), id: field(lease, "id"), state, renewedAt: date(field(lease, "renewed")), expiresAt, ruleArn };
}

/** A lock of the earlier format: `owner=<run>;expires=<time>` (read only; it is never written again). */
export function parseLegacyLock(value: string | undefined): LockHolder | undefined {
  if (!value) return undefined;
  const m = /^owner=(.*);expires=(.+)$/.exec(value);
  if (!m) return undefined;
  const expiresAt = date(m[2]);
  if (!expiresAt) return undefined;
  return { owner: m[1]!, run: m[1]!, state: "active", expiresAt, legacy: true };
}

/**
 * The listener priority reserved for an environment's lock: 50000 (the highest) for a listener's
 * default action, and one of 40001–49999 from the rule's ARN for an environment behind a rule, so
 * environments that share a listener have their own lock (two rules may share one: then they are
 * locked together, which is safe).
 */
export function lockPriority(ref: { kind: "listener" | "rule"; arn: string }): number {
  if (ref.kind === "listener") return 50_000;
  let hash = 0x811c9dc5;
  for (const ch of ref.arn) {
    hash ^= ch.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return 40_001 + (hash % 9_999);
}

/** The listener of a listener or rule ARN. */
export function listenerOf(ref: { kind: "listener" | "rule"; arn: string }): string {
  if (ref.kind === "listener") return ref.arn;
  return ref.arn.replace(":listener-rule/", ":listener/").replace(/\/[0-9a-f]{16}$/, "");
}

/** The lock's owner for a workflow run's job and attempt. */
export function lockOwnerOf(run: { lockOwner: string; job?: string | undefined; runAttempt?: string | undefined }): LockOwner {
  return { run: run.lockOwner, job: run.job || "job", attempt: Number(run.runAttempt ?? "1") || 1 };
}
