/** The default environment (the README's "The default environment") and the image ids of its five releases. */
import type { SandboxConfig } from "./config";

/** Image ids of the default releases. */
export const RELEASE_IMAGES = {
  v1: "ami-0f3c9a1e7b2d45a01",
  v2: "ami-0b7e41d2c98f3a602",
  v3: "ami-04d8e2f6a1c7b9e03",
  v4: "ami-09a6c3e1f5d2b7c04",
  v5: "ami-0e2b8d4f6a9c1e305",
} as const;

const healthy = (version: string) => ({ path: "/health", status: 200, body: { status: "ok", version } });

/** The default environment: one ALB, blue/green target groups and Auto Scaling groups, five releases. */
export function defaultConfig(): SandboxConfig {
  const healthCheck = { path: "/health", intervalSeconds: 5, timeoutSeconds: 2, healthyThreshold: 2, unhealthyThreshold: 2 };
  const tags = { environment: "sandbox", service: "web" };
  return {
    region: "us-east-1",
    accountId: "123456789012",
    releases: {
      [RELEASE_IMAGES.v1]: { version: "v1", latencyMs: { median: 20, p99: 60 }, errorRate: 0, health: healthy("v1"), bootSeconds: 10 },
      [RELEASE_IMAGES.v2]: { version: "v2", latencyMs: { median: 15, p99: 45 }, errorRate: 0, health: healthy("v2"), bootSeconds: 10 },
      [RELEASE_IMAGES.v3]: { version: "v3", latencyMs: { median: 60, p99: 250 }, errorRate: 0.1, health: healthy("v3"), bootSeconds: 10 },
      [RELEASE_IMAGES.v4]: { version: "v4", latencyMs: { median: 20, p99: 60 }, errorRate: 0, health: { path: "/health", status: 503, body: { status: "starting", version: "v4" } }, bootSeconds: 10 },
      [RELEASE_IMAGES.v5]: { version: "v5", latencyMs: { median: 20, p99: 60 }, errorRate: 0, health: healthy("v5"), bootSeconds: 10, crashAfterSeconds: 20 },
    },
    targetGroups: [
      { name: "web-blue", port: 80, healthCheck, deregistrationDelaySeconds: 10, tags },
      { name: "web-green", port: 80, healthCheck, deregistrationDelaySeconds: 10, tags },
    ],
    loadBalancers: [
      {
        name: "web",
        tags,
        listeners: [
          {
            port: 80,
            defaultAction: { type: "forward", targetGroups: [{ name: "web-blue", weight: 1 }, { name: "web-green", weight: 0 }] },
          },
        ],
      },
    ],
    launchTemplates: [
      { name: "web-blue", versions: [{ imageId: RELEASE_IMAGES.v1, instanceType: "t3.micro", description: "v1" }] },
      { name: "web-green", versions: [{ imageId: RELEASE_IMAGES.v1, instanceType: "t3.micro", description: "v1" }] },
    ],
    autoScalingGroups: [
      { name: "web-blue", minSize: 0, maxSize: 10, desiredCapacity: 2, launchTemplate: { name: "web-blue", version: "$Default" }, targetGroups: ["web-blue"], tags },
      { name: "web-green", minSize: 0, maxSize: 10, desiredCapacity: 0, launchTemplate: { name: "web-green", version: "$Default" }, targetGroups: ["web-green"], tags },
    ],
    alarms: [
      { alarmName: "web-green-target-5xx", metricName: "HTTPCode_Target_5XX_Count", loadBalancer: "web", targetGroup: "web-green", statistic: "Sum", periodSeconds: 60, evaluationPeriods: 1, threshold: 5, comparisonOperator: "GreaterThanThreshold", treatMissingData: "notBreaching" },
    ],
  };
}
