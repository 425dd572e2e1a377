/**
 * Auto Scaling behaviour: keeps each group at its desired capacity with real instances launched from
 * the group's launch template version, registers them into the group's target groups once they boot,
 * drains them before terminating, and replaces instances that die. Every action is a scaling activity.
 */
import type { World } from "./world";
import type { Activity, AutoScalingGroup, Instance, LaunchTemplate, LaunchTemplateVersion } from "./model";

const ZONES = ["a", "b", "c"];

export function resolveVersion(template: LaunchTemplate, spec: string): LaunchTemplateVersion | undefined {
  if (spec === "$Latest") return template.versions.at(-1);
  const number = spec === "$Default" ? template.defaultVersion : Number(spec);
  return template.versions.find((v) => v.number === number);
}

export class AutoScaling {
  private stopped = false;
  private launchCount = 0;

  constructor(private readonly world: World) {}

  close(): void {
    this.stopped = true;
  }

  reconcileAll(): void {
    for (const group of this.world.groups.values()) this.reconcile(group);
  }

  private iso(at = this.world.clock.now()): string {
    return new Date(at).toISOString().replace(/\.[0-9]{3}Z$/, "Z");
  }

  reconcile(group: AutoScalingGroup): void {
    if (this.stopped || this.world.isClosed) return;
    const now = this.world.clock.now();
    const checking = !group.suspended.has("HealthCheck");

    for (const instance of group.instances.values()) {
      if (instance.lifecycle !== "Pending" && instance.lifecycle !== "InService") continue;
      if (instance.health === "Unhealthy" || !checking) continue;
      if (instance.running.dead) {
        this.markUnhealthy(instance, "an EC2 instance status check failure");
      } else if (group.healthCheckType === "ELB" && instance.lifecycle === "InService" && now - instance.launchedAt >= this.world.clock.realMs(group.healthCheckGracePeriod)) {
        const failing = group.targetGroupArns.some((arn) =>
          this.world.targetGroups.get(arn)?.health.describe().some((v) => v.id === instance.id && v.state === "unhealthy"),
        );
        if (failing) this.markUnhealthy(instance, "an ELB system health check failure");
      }
    }

    if (!group.suspended.has("ReplaceUnhealthy")) {
      for (const instance of [...group.instances.values()]) {
        if (instance.health !== "Unhealthy" || (instance.lifecycle !== "Pending" && instance.lifecycle !== "InService")) continue;
        const cause = `At ${this.iso()} an instance was taken out of service in response to ${unhealthyReasons.get(instance) ?? "a health check failure"}.`;
        // The replacement's launch cites why the capacity dropped.
        group.lastCapacityCause = cause;
        void this.terminate(group, instance, cause);
      }
    }

    const active = [...group.instances.values()].filter((i) => i.lifecycle === "Pending" || i.lifecycle === "InService");
    const before = active.length;
    if (before < group.desiredCapacity && !group.suspended.has("Launch") && now >= group.launchBackoffUntil) {
      const cause = `${group.lastCapacityCause ? `${group.lastCapacityCause} ` : ""}At ${this.iso()} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${before} to ${group.desiredCapacity}.`;
      for (let n = before; n < group.desiredCapacity; n++) {
        if (!this.launch(group, cause)) break;
      }
      group.lastCapacityCause = undefined;
    } else if (before > group.desiredCapacity && !group.suspended.has("Terminate") && !this.world.refreshes.holdsScaleIn(group)) {
      const template = this.world.launchTemplates.get(group.launchTemplate.id);
      const current = template ? resolveVersion(template, group.launchTemplate.version)?.number : undefined;
      const victims = active
        .filter((i) => !i.protectedFromScaleIn)
        .sort(
          (a, b) =>
            Number(b.health === "Unhealthy") - Number(a.health === "Unhealthy") ||
            Number(b.version !== String(current)) - Number(a.version !== String(current)) ||
            a.launchedAt - b.launchedAt,
        )
        .slice(0, before - group.desiredCapacity);
      const cause = `${group.lastCapacityCause ? `${group.lastCapacityCause} ` : ""}At ${this.iso()} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from ${before} to ${group.desiredCapacity}.`;
      for (const victim of victims) void this.terminate(group, victim, cause);
      group.lastCapacityCause = undefined;
    }
  }

  private markUnhealthy(instance: Instance, reason: string): void {
    instance.health = "Unhealthy";
    unhealthyReasons.set(instance, reason);
  }

  private activity(group: AutoScalingGroup, description: string, cause: string, zone: string): Activity {
    const activity: Activity = {
      ActivityId: this.world.uuid(),
      AutoScalingGroupName: group.name,
      AutoScalingGroupARN: group.arn,
      Description: description,
      Cause: cause,
      StartTime: this.world.clock.now(),
      StatusCode: "InProgress",
      Progress: 0,
      Details: JSON.stringify({ "Subnet ID": `subnet-0${zone}1b2c3d4e5f6a7b8`, "Availability Zone": `${this.world.region}${zone}` }),
    };
    this.world.activities.push(activity);
    return activity;
  }

  private finish(activity: Activity, status: "Successful" | "Failed" | "Cancelled", message?: string): void {
    activity.StatusCode = status;
    activity.Progress = 100;
    activity.EndTime = this.world.clock.now();
    if (message) activity.StatusMessage = message;
  }

  /** Launches one instance beyond what reconciling would (an instance refresh's launch before terminate). */
  launchInstance(group: AutoScalingGroup, cause: string): boolean {
    return this.launch(group, cause);
  }

  /** EnterStandby (deregistered from the group's target groups, not counted in capacity) or ExitStandby. */
  setStandby(instance: Instance, standby: boolean): void {
    const group = this.world.groups.get(instance.groupName);
    if (!group) return;
    if (standby && instance.lifecycle === "InService") {
      instance.lifecycle = "Standby";
      for (const tg of this.world.targetGroups.values()) if (tg.targets.has(instance.id)) void this.world.deregisterTarget(tg, instance.id);
    } else if (!standby && instance.lifecycle === "Standby") {
      instance.lifecycle = "InService";
      for (const arn of group.targetGroupArns) {
        const tg = this.world.targetGroups.get(arn);
        if (tg) this.world.registerTarget(tg, instance.id, tg.port);
      }
    }
  }

  /** Terminates one instance as the group does: deregister, drain, stop. */
  terminateInstance(group: AutoScalingGroup, instance: Instance, cause: string): Promise<void> {
    return this.terminate(group, instance, cause);
  }

  /** Launches one instance; false when the launch failed (the group then backs off for 10 s). */
  private launch(group: AutoScalingGroup, cause: string): boolean {
    const world = this.world;
    const zone = ZONES[this.launchCount++ % ZONES.length]!;
    // During an instance refresh new instances get the refresh's configuration.
    const ref = world.refreshes.templateFor(group);
    const template = world.launchTemplates.get(ref.id);
    const version = template ? resolveVersion(template, ref.version) : undefined;
    const behaviour = version ? world.releases.get(version.imageId) : undefined;
    if (!template || !version || !behaviour) {
      const message = !template
        ? `The specified launch template, with template ID ${ref.id}, does not exist. Launching EC2 instance failed.`
        : !version
          ? `The specified launch template version ${ref.version} of ${template.name} does not exist. Launching EC2 instance failed.`
          : `The image id '[${version.imageId}]' does not exist. Launching EC2 instance failed.`;
      const activity = this.activity(group, `Launching a new EC2 instance.  Status Reason: ${message}`, cause, zone);
      this.finish(activity, "Failed", message);
      group.launchBackoffUntil = world.clock.now() + world.clock.realMs(10);
      return false;
    }
    const id = `i-0${world.hex(16)}`;
    const activity = this.activity(group, `Launching a new EC2 instance: ${id}`, cause, zone);
    activity.Progress = 20;
    const running = world.dataPlane.launchInstance({ instanceId: id, behaviour: { ...behaviour }, clock: world.clock, random: world.random });
    const instance: Instance = {
      id,
      groupName: group.name,
      launchTemplateId: template.id,
      launchTemplateName: template.name,
      version: String(version.number),
      imageId: version.imageId,
      instanceType: version.instanceType,
      availabilityZone: `${world.region}${zone}`,
      lifecycle: "Pending",
      health: "Healthy",
      launchedAt: world.clock.now(),
      release: behaviour.version,
      running,
    };
    launchActivities.set(instance, activity);
    group.instances.set(id, instance);
    world.instances.set(id, instance);
    running.onDeath(() => {
      if (activity.StatusCode === "InProgress") this.finish(activity, "Failed", `Instance ${id} terminated unexpectedly during launch.`);
      this.reconcile(group);
    });
    running.ready.then(
      () => {
        if (instance.lifecycle !== "Pending" || world.isClosed) return;
        world.instanceReady(instance);
        if (!group.suspended.has("AddToLoadBalancer")) {
          for (const arn of group.targetGroupArns) {
            const tg = world.targetGroups.get(arn);
            if (tg) world.registerTarget(tg, id, tg.port);
          }
        }
        instance.lifecycle = "InService";
        instance.inServiceAt = world.clock.now();
        if (activity.StatusCode === "InProgress") this.finish(activity, "Successful");
      },
      (error: unknown) => {
        if (activity.StatusCode === "InProgress") this.finish(activity, "Failed", `Instance ${id} failed to start: ${error instanceof Error ? error.message : String(error)}`);
        this.markUnhealthy(instance, "an EC2 instance status check failure");
      },
    );
    return true;
  }

  /** Deregisters from every target group, waits for draining, then stops the instance. */
  private async terminate(group: AutoScalingGroup, instance: Instance, cause: string): Promise<void> {
    const world = this.world;
    instance.lifecycle = "Terminating";
    const launch = launchActivities.get(instance);
    if (launch?.StatusCode === "InProgress") this.finish(launch, "Cancelled", `Instance ${instance.id} was terminated before it finished booting.`);
    const zone = instance.availabilityZone.slice(-1);
    const activity = this.activity(group, `Terminating EC2 instance: ${instance.id}`, cause, zone);
    activity.Progress = 50;
    const holding = [...world.targetGroups.values()].filter((tg) => tg.targets.has(instance.id));
    if (holding.length > 0) activity.StatusCode = "WaitingForELBConnectionDraining";
    try {
      await Promise.all(holding.map((tg) => world.deregisterTarget(tg, instance.id)));
      if (world.isClosed) return;
      activity.StatusCode = "InProgress";
      if (!instance.running.dead) await instance.running.stop();
      instance.lifecycle = "Terminated";
      group.instances.delete(instance.id);
      this.finish(activity, "Successful");
    } catch (error) {
      this.finish(activity, "Failed", `Terminating ${instance.id} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.reconcile(group);
  }
}

const unhealthyReasons = new WeakMap<Instance, string>();
const launchActivities = new WeakMap<Instance, Activity>();
