/** Narrow ports to EC2 Auto Scaling and EC2 launch templates (adapters: src/adapters/aws/autoscaling.ts, launch-templates.ts; fake: test/support/fake-fleet.ts). */

export interface FleetInstance {
  id: string;
  lifecycleState: string;
  healthStatus: string;
  launchTemplateVersion?: string | undefined;
}

export interface LaunchTemplateRef {
  id?: string | undefined;
  name?: string | undefined;
  version: string;
}

export interface FleetGroup {
  name: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  instances: FleetInstance[];
  launchTemplate?: LaunchTemplateRef | undefined;
  targetGroupArns: string[];
  suspendedProcesses: string[];
  tags: Record<string, string>;
}

export interface ScalingActivity {
  id: string;
  statusCode: string;
  description: string;
  cause: string;
  statusMessage?: string | undefined;
  startTime: Date;
}

export interface CapacityChange {
  minSize?: number | undefined;
  maxSize?: number | undefined;
  desiredCapacity: number;
}

export interface Fleet {
  describe(name: string): Promise<FleetGroup | undefined>;
  /** Groups whose tags match every given key=value. */
  findByTags(tags: Record<string, string>): Promise<FleetGroup[]>;
  /** Groups attached to any of these target groups. */
  findByTargetGroups(targetGroupArns: string[]): Promise<FleetGroup[]>;
  setCapacity(name: string, change: CapacityChange): Promise<void>;
  setLaunchTemplate(name: string, template: LaunchTemplateRef): Promise<void>;
  suspend(name: string, processes: string[]): Promise<void>;
  resume(name: string, processes: string[]): Promise<void>;
  activities(name: string, since: Date): Promise<ScalingActivity[]>;
  tag(name: string, tags: Record<string, string>): Promise<void>;
}

export interface LaunchTemplates {
  /** Creates a new version from the given one with only the image changed; returns the new version number. */
  createVersionWithImage(template: LaunchTemplateRef, imageId: string, description?: string): Promise<string>;
  /** The version as a number (`$Latest`/`$Default` looked up) and its image, in one read. */
  describeVersion(template: LaunchTemplateRef): Promise<{ version: string; imageId: string | undefined }>;
}
