/**
 * Hand-written fakes of the Fleet and LaunchTemplates ports. Auto Scaling groups keep instances whose
 * lifecycle runs on the injected clock (Pending → InService; Terminating → gone), launches follow a
 * per-launch script (slow, unhealthy in the target group, or failing with a scaling activity),
 * suspended Launch/Terminate really stop scaling, and every call and capacity change is logged.
 * `targetsOf(arn)` gives the target health the groups' instances would have, to wire into FakeElb:
 * `elb.healthOf.set(GREEN_ARN, () => fleet.targetsOf(GREEN_ARN))`.
 */
import type { CapacityChange, Fleet, FleetGroup, FleetInstance, LaunchTemplateRef, LaunchTemplates, ScalingActivity } from "../../src/ports/fleet";
import type { TargetHealthEntry, TargetStateName } from "../../src/ports/load-balancer";
import type { Clock } from "../../src/util/clock";
import { CallLog, type FakeCall } from "./call-log";

export interface LaunchScript {
  /** Time from launch to InService, in ms. Default 20 s. */
  pendingMs?: number;
  /** Time from InService to passing the target group's health check, in ms. Default 10 s. */
  healthyAfterMs?: number;
  /** Target health once checks have run. Default healthy. */
  health?: { state: TargetStateName; reason?: string; description?: string };
  /** The launch fails: no instance, and a Failed scaling activity with this status message. */
  failLaunch?: string;
}

export interface FakeInstance {
  id: string;
  launchedAt: number;
  version: string;
  script: LaunchScript;
  /** When scale-in picked it. */
  terminatingAt?: number;
}

export interface FakeGroup {
  name: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  launchTemplate?: LaunchTemplateRef | undefined;
  targetGroupArns: string[];
  suspended: Set<string>;
  tags: Record<string, string>;
  instances: FakeInstance[];
  activities: ScalingActivity[];
  /** Launch attempts so far (the index passed to the script). */
  launches: number;
  lastFailedLaunchAt?: number;
}

export interface GroupSpec {
  name: string;
  minSize?: number;
  maxSize?: number;
  /** Instances already InService and healthy, of `instanceVersion` (default: the template's version). */
  running?: number;
  instanceVersion?: string;
  launchTemplate?: LaunchTemplateRef | undefined;
  targetGroupArns: string[];
  suspended?: string[];
  tags?: Record<string, string>;
}

function validationError(message: string): Error {
  return Object.assign(new Error(message), { name: "ValidationError", $metadata: { httpStatusCode: 400 } });
}

export class FakeFleet extends CallLog implements Fleet {
  readonly groups = new Map<string, FakeGroup>();
  readonly capacityChanges: { name: string; change: CapacityChange }[] = [];
  /** How the n-th launch of a group goes (n counts from 0 per group). */
  script: (group: string, n: number) => LaunchScript = () => ({});
  /** Time an instance spends Terminating (deregistration delay and shutdown), in ms. */
  terminateMs = 5_000;
  /** The version an instance reports, given the group's (real Auto Scaling may resolve `$Latest` to a number). */
  reportVersion: (templateVersion: string) => string = (v) => v;
  /** Time between launch retries after a failed launch, in ms. */
  retryLaunchMs = 10_000;
  private nextId = 1;
  private nextActivity = 1;

  constructor(private readonly clock: Clock) {
    super();
  }

  addGroup(spec: GroupSpec): FakeGroup {
    const running = spec.running ?? 0;
    const version = spec.instanceVersion ?? spec.launchTemplate?.version ?? "1";
    const now = this.clock.now();
    const group: FakeGroup = {
      name: spec.name,
      minSize: spec.minSize ?? 0,
      maxSize: spec.maxSize ?? 10,
      desiredCapacity: running,
      launchTemplate: spec.launchTemplate,
      targetGroupArns: [...spec.targetGroupArns],
      suspended: new Set(spec.suspended ?? []),
      tags: { ...(spec.tags ?? {}) },
      instances: Array.from({ length: running }, () => ({ id: this.instanceId(), launchedAt: now - 3_600_000, version, script: {} })),
      activities: [],
      launches: 0,
    };
    this.groups.set(spec.name, group);
    return group;
  }

  private instanceId(): string {
    return `i-${(this.nextId++).toString(16).padStart(17, "0")}`;
  }

  /** Calls that change something, for "no writes" assertions. */
  writes(): FakeCall[] {
    return this.calls.filter((c) => ["setCapacity", "setLaunchTemplate", "suspend", "resume", "tag"].includes(c.op));
  }

  addActivity(name: string, activity: Partial<ScalingActivity> & { statusCode: string }): ScalingActivity {
    const full: ScalingActivity = {
      id: `act-${this.nextActivity++}`,
      description: "",
      cause: "",
      startTime: new Date(this.clock.now()),
      ...activity,
    };
    this.mustGet(name).activities.unshift(full);
    return full;
  }

  private mustGet(name: string): FakeGroup {
    const group = this.groups.get(name);
    if (!group) throw validationError(`AutoScalingGroup name not found - ${name}`);
    return group;
  }

  private lifecycle(i: FakeInstance, now: number): string | undefined {
    if (i.terminatingAt !== undefined) return now - i.terminatingAt >= this.terminateMs ? undefined : "Terminating";
    return now - i.launchedAt >= (i.script.pendingMs ?? 20_000) ? "InService" : "Pending";
  }

  /** Brings a group to its desired capacity as time allows, as Auto Scaling would. */
  private reconcile(group: FakeGroup): void {
    const now = this.clock.now();
    group.instances = group.instances.filter((i) => this.lifecycle(i, now) !== undefined);
    const active = group.instances.filter((i) => i.terminatingAt === undefined);
    if (active.length > group.desiredCapacity && !group.suspended.has("Terminate")) {
      // Oldest launch template version first, then oldest instance.
      const current = group.launchTemplate?.version;
      const order = [...active].sort((a, b) => Number(a.version === current) - Number(b.version === current) || a.launchedAt - b.launchedAt);
      for (const i of order.slice(0, active.length - group.desiredCapacity)) {
        i.terminatingAt = now;
        this.addActivity(group.name, { statusCode: "Successful", description: `Terminating EC2 instance: ${i.id}`, cause: "the desired capacity was lowered" });
      }
    }
    if (active.length < group.desiredCapacity && !group.suspended.has("Launch")) {
      if (group.lastFailedLaunchAt !== undefined && now - group.lastFailedLaunchAt < this.retryLaunchMs) return;
      for (let n = active.length; n < group.desiredCapacity; n++) {
        const script = this.script(group.name, group.launches++);
        if (script.failLaunch) {
          group.lastFailedLaunchAt = now;
          this.addActivity(group.name, {
            statusCode: "Failed",
            description: "Launching a new EC2 instance.  Status Reason: " + script.failLaunch,
            cause: "an instance was started in response to a difference between desired and actual capacity",
            statusMessage: script.failLaunch,
          });
          return;
        }
        const instance: FakeInstance = { id: this.instanceId(), launchedAt: now, version: this.reportVersion(group.launchTemplate?.version ?? "1"), script };
        group.instances.push(instance);
        this.addActivity(group.name, { statusCode: "Successful", description: `Launching a new EC2 instance: ${instance.id}` });
      }
    }
  }

  private snapshot(group: FakeGroup): FleetGroup {
    this.reconcile(group);
    const now = this.clock.now();
    return {
      name: group.name,
      minSize: group.minSize,
      maxSize: group.maxSize,
      desiredCapacity: group.desiredCapacity,
      launchTemplate: group.launchTemplate ? { ...group.launchTemplate } : undefined,
      targetGroupArns: [...group.targetGroupArns],
      suspendedProcesses: [...group.suspended],
      tags: { ...group.tags },
      instances: group.instances.map(
        (i): FleetInstance => ({ id: i.id, lifecycleState: this.lifecycle(i, now) ?? "Terminated", healthStatus: "Healthy", launchTemplateVersion: i.version }),
      ),
    };
  }

  /** The target health the instances of every group attached to `arn` would have now. */
  targetsOf(arn: string): TargetHealthEntry[] {
    const now = this.clock.now();
    const out: TargetHealthEntry[] = [];
    for (const group of this.groups.values()) {
      if (!group.targetGroupArns.includes(arn)) continue;
      this.reconcile(group);
      for (const i of group.instances) {
        const state = this.lifecycle(i, now);
        if (state === undefined) continue;
        if (state === "Terminating") out.push({ id: i.id, port: 80, state: "draining", reason: "Target.DeregistrationInProgress", description: "Target deregistration is in progress" });
        else if (state === "Pending") out.push({ id: i.id, port: 80, state: "initial", reason: "Elb.RegistrationInProgress", description: "Target registration is in progress" });
        else if (now - i.launchedAt - (i.script.pendingMs ?? 20_000) < (i.script.healthyAfterMs ?? 10_000)) {
          out.push({ id: i.id, port: 80, state: "initial", reason: "Elb.InitialHealthChecking", description: "Initial health checks in progress" });
        } else out.push({ id: i.id, port: 80, state: "healthy", ...(i.script.health ?? {}) });
      }
    }
    return out;
  }

  // Fleet
  async describe(name: string): Promise<FleetGroup | undefined> {
    this.record("describe", name);
    const group = this.groups.get(name);
    return group ? this.snapshot(group) : undefined;
  }

  async findByTags(tags: Record<string, string>): Promise<FleetGroup[]> {
    this.record("findByTags", tags);
    return [...this.groups.values()].filter((g) => Object.entries(tags).every(([k, v]) => g.tags[k] === v)).map((g) => this.snapshot(g));
  }

  async findByTargetGroups(targetGroupArns: string[]): Promise<FleetGroup[]> {
    this.record("findByTargetGroups", targetGroupArns);
    return [...this.groups.values()].filter((g) => g.targetGroupArns.some((a) => targetGroupArns.includes(a))).map((g) => this.snapshot(g));
  }

  async setCapacity(name: string, change: CapacityChange): Promise<void> {
    this.record("setCapacity", { name, change });
    const group = this.mustGet(name);
    const min = change.minSize ?? group.minSize;
    const max = change.maxSize ?? group.maxSize;
    if (min > max || change.desiredCapacity < min || change.desiredCapacity > max) {
      throw validationError(`Desired capacity:${change.desiredCapacity} must be between the specified min size:${min} and max size:${max}`);
    }
    this.reconcile(group);
    group.minSize = min;
    group.maxSize = max;
    group.desiredCapacity = change.desiredCapacity;
    this.capacityChanges.push({ name, change: { ...change } });
    this.reconcile(group);
  }

  async setLaunchTemplate(name: string, template: LaunchTemplateRef): Promise<void> {
    this.record("setLaunchTemplate", { name, template });
    if (!/^(\d+|\$Latest|\$Default)$/.test(template.version)) throw validationError(`Invalid launch template version: ${template.version}`);
    this.mustGet(name).launchTemplate = { ...template };
  }

  async suspend(name: string, processes: string[]): Promise<void> {
    this.record("suspend", { name, processes });
    const group = this.mustGet(name);
    for (const p of processes) group.suspended.add(p);
  }

  async resume(name: string, processes: string[]): Promise<void> {
    this.record("resume", { name, processes });
    const group = this.mustGet(name);
    for (const p of processes) group.suspended.delete(p);
  }

  async activities(name: string, since: Date): Promise<ScalingActivity[]> {
    this.record("activities", { name, since });
    const group = this.mustGet(name);
    this.reconcile(group);
    return group.activities.filter((a) => a.startTime.getTime() >= since.getTime()).map((a) => ({ ...a }));
  }

  async tag(name: string, tags: Record<string, string>): Promise<void> {
    this.record("tag", { name, tags });
    Object.assign(this.mustGet(name).tags, tags);
  }
}

export interface FakeTemplate {
  id: string;
  name: string;
  defaultVersion: number;
  /** Version number → image and description. */
  versions: Map<number, { imageId: string; description?: string | undefined }>;
}

export class FakeLaunchTemplates implements LaunchTemplates {
  readonly calls: FakeCall[] = [];
  readonly templates = new Map<string, FakeTemplate>();

  /** A template whose versions 1..n run these images. */
  addTemplate(id: string, name: string, images: string[], defaultVersion = 1): FakeTemplate {
    const template: FakeTemplate = { id, name, defaultVersion, versions: new Map(images.map((imageId, i) => [i + 1, { imageId }])) };
    this.templates.set(id, template);
    return template;
  }

  private find(ref: LaunchTemplateRef): FakeTemplate {
    const t = [...this.templates.values()].find((x) => (ref.id ? x.id === ref.id : x.name === ref.name));
    if (!t) throw Object.assign(new Error(`The specified launch template, with template ID ${ref.id ?? ref.name}, does not exist.`), { name: "InvalidLaunchTemplateId.NotFound", $metadata: {} });
    return t;
  }

  private number(t: FakeTemplate, version: string): number {
    const n = version === "$Latest" ? Math.max(...t.versions.keys()) : version === "$Default" ? t.defaultVersion : Number(version);
    if (!t.versions.has(n)) throw Object.assign(new Error(`Version ${version} of ${t.id} does not exist`), { name: "InvalidLaunchTemplateId.VersionNotFound", $metadata: {} });
    return n;
  }

  async createVersionWithImage(template: LaunchTemplateRef, imageId: string, description?: string): Promise<string> {
    this.calls.push({ op: "createVersionWithImage", args: { template, imageId, description } });
    const t = this.find(template);
    this.number(t, template.version);
    const next = Math.max(...t.versions.keys()) + 1;
    t.versions.set(next, { imageId, description });
    return String(next);
  }

  async describeVersion(template: LaunchTemplateRef): Promise<{ version: string; imageId: string | undefined }> {
    this.calls.push({ op: "describeVersion", args: template });
    const t = this.find(template);
    const n = this.number(t, template.version);
    return { version: String(n), imageId: t.versions.get(n)?.imageId };
  }
}
