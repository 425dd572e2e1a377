/**
 * The sandbox's configuration: one zod schema, the single truth for what an environment may contain.
 * Resources refer to each other by name; ARNs and ids are generated when the world is built.
 */
import { z } from "zod";

/**
 * An object that refuses keys it does not know: a misspelt key (`targetgroups:`) or a file that is
 * not a sandbox configuration at all is an error naming the key and the keys that are valid there.
 */
function strict<T extends z.core.$ZodLooseShape>(shape: T) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== "unrecognized_keys") return undefined;
      const hints = issue.keys.map((key) => {
        const near = known.find((k) => k.toLowerCase() === key.toLowerCase());
        return near ? `"${key}" (did you mean "${near}"?)` : `"${key}"`;
      });
      return `unknown key${issue.keys.length > 1 ? "s" : ""} ${hints.join(", ")}; valid keys here: ${known.join(", ")}`;
    },
  });
}

const name = (what: string) =>
  z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/, {
    message: `${what} name must be 1–32 letters, digits or hyphens, not starting or ending with a hyphen`,
  });

export const imageIdSchema = z.string().regex(/^ami-[0-9a-f]{8}(?:[0-9a-f]{9})?$/, {
  message: "image id must look like ami-<17 hex digits> (or ami-<8 hex digits>)",
});

/** A release backed by the sandbox's Postgres (./database/): which column of `users` it reads and which it writes. */
const column = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, { message: "a column name: lower-case letters, digits and _" });
const databaseBehaviourSchema = strict({
  url: z.string().regex(/^postgres(ql)?:\/\/([a-z_][a-z0-9_]*@)?(127\.0\.0\.1|localhost):\d+\//, { message: "a postgres:// URL on loopback" }),
  reads: column,
  writes: z.array(column).min(1),
});

export const releaseSchema = strict({
  version: z.string().min(1),
  latencyMs: strict({ median: z.number().min(0), p99: z.number().min(0) }).refine((l) => l.p99 >= l.median, {
    message: "latencyMs.p99 must be at least latencyMs.median",
  }),
  errorRate: z.number().min(0).max(1),
  health: strict({ path: z.string().startsWith("/"), status: z.number().int().min(100).max(599), body: z.unknown() }),
  bootSeconds: z.number().min(0),
  crashAfterSeconds: z.number().positive().optional(),
  database: databaseBehaviourSchema.optional(),
});

export const healthCheckSchema = strict({
  enabled: z.boolean().default(true),
  protocol: z.enum(["HTTP", "HTTPS"]).default("HTTP"),
  port: z.string().regex(/^(traffic-port|[1-9][0-9]{0,4})$/, { message: 'port must be "traffic-port" or a port number' }).default("traffic-port"),
  path: z.string().startsWith("/").default("/"),
  intervalSeconds: z.number().int().min(5).max(300).default(30),
  timeoutSeconds: z.number().int().min(2).max(120).default(5),
  healthyThreshold: z.number().int().min(2).max(10).default(5),
  unhealthyThreshold: z.number().int().min(2).max(10).default(2),
  matcher: z.string().regex(/^[0-9]{3}([,-][0-9]{3})*$/, { message: 'matcher must look like "200", "200,202" or "200-299"' }).default("200"),
});

const stickinessSchema = strict({
  enabled: z.boolean().default(false),
  durationSeconds: z.number().int().min(1).max(604800).default(86400),
});

const bucketSchema = strict({
  burst: z.number().int().min(1, { message: "burst must be at least 1" }),
  perSecond: z.number().positive({ message: "perSecond must be above 0" }),
});

const actionSchema = z.discriminatedUnion("type", [
  strict({
    type: z.literal("forward"),
    targetGroups: z
      .array(strict({ name: z.string(), weight: z.number().int().min(0).max(999).default(1) }))
      .min(1)
      .max(5, { message: "a forward action takes at most 5 target groups" }),
    stickiness: stickinessSchema.optional(),
  }),
  strict({
    type: z.literal("fixed-response"),
    statusCode: z.number().int().min(200).max(599),
    contentType: z.string().default("text/plain"),
    body: z.string().default(""),
  }),
  strict({
    type: z.literal("redirect"),
    statusCode: z.union([z.literal(301), z.literal(302)]).default(301),
    protocol: z.string().optional(),
    host: z.string().optional(),
    port: z.string().optional(),
    path: z.string().optional(),
    query: z.string().optional(),
  }),
]);
export type ActionConfig = z.infer<typeof actionSchema>;

const tagsSchema = z.record(z.string().min(1).max(128), z.string().max(256)).default({});

export const configSchema = strict({
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-[0-9]$/, { message: "region must look like us-east-1" }).default("us-east-1"),
    accountId: z.string().regex(/^[0-9]{12}$/, { message: "accountId must be 12 digits" }).default("123456789012"),
    /**
     * ELBv2 tag read lag in wall-clock milliseconds (not scaled by the time scale): for this long after
     * AddTags/RemoveTags on a resource, DescribeTags answers its previous tags (AWS does not promise
     * read-after-write tags). On by default (1 s); 0: off.
     */
    tagReadLagMs: z.number().int().min(0, { message: "tagReadLagMs must be 0 or more" }).max(3_600_000, { message: "tagReadLagMs must be at most 3600000 (one hour)" }).default(1000),
    /**
     * CloudWatch publication lag in sandbox seconds: GetMetricData serves a minute only once it is complete
     * and this much longer has passed (AWS publishes ALB metrics per whole minute and late; 1–3 min is
     * commonly observed). 0: a minute is served as soon as it ends.
     */
    metricPublicationLagSeconds: z.number().min(0, { message: "metricPublicationLagSeconds must be 0 or more" }).max(3600, { message: "metricPublicationLagSeconds must be at most 3600" }).default(120),
    /**
     * Stickiness beats weight, as on AWS: while a forward action's stickiness is on, a client with a valid
     * AWSALBTG cookie keeps its target group even at weight 0. false: the cookie is honoured only while
     * its group has weight.
     */
    stickinessBeatsWeight: z.boolean().default(true),
    /**
     * Sandbox seconds a ModifyListener/ModifyRule takes to reach every load balancer node: request by
     * request, old and new actions coexist for this long (AWS: "requests could be routed using the
     * previous rule configuration for a short time"). 0: at once.
     */
    propagationSeconds: z.number().min(0, { message: "propagationSeconds must be 0 or more" }).max(300, { message: "propagationSeconds must be at most 300" }).default(5),
    /**
     * API throttling: a token bucket per API class for the whole sandbox (one account), in wall-clock
     * seconds. ELB Describe* 40/10 is documented; the rest are the nearest documented or commonly
     * reported figures (docs/FIDELITY.md says which).
     */
    apiThrottling: strict({
      enabled: z.boolean().default(true),
      elbDescribe: bucketSchema.default({ burst: 40, perSecond: 10 }),
      elbMutating: bucketSchema.default({ burst: 20, perSecond: 5 }),
      autoScalingDescribe: bucketSchema.default({ burst: 40, perSecond: 10 }),
      autoScalingMutating: bucketSchema.default({ burst: 20, perSecond: 5 }),
      ec2Describe: bucketSchema.default({ burst: 100, perSecond: 20 }),
      ec2Mutating: bucketSchema.default({ burst: 50, perSecond: 5 }),
      cloudWatchGetMetricData: bucketSchema.default({ burst: 50, perSecond: 50 }),
      cloudWatchDescribeAlarms: bucketSchema.default({ burst: 9, perSecond: 9 }),
      cloudWatchOther: bucketSchema.default({ burst: 20, perSecond: 20 }),
    }).default({
      enabled: true,
      elbDescribe: { burst: 40, perSecond: 10 },
      elbMutating: { burst: 20, perSecond: 5 },
      autoScalingDescribe: { burst: 40, perSecond: 10 },
      autoScalingMutating: { burst: 20, perSecond: 5 },
      ec2Describe: { burst: 100, perSecond: 20 },
      ec2Mutating: { burst: 50, perSecond: 5 },
      cloudWatchGetMetricData: { burst: 50, perSecond: 50 },
      cloudWatchDescribeAlarms: { burst: 9, perSecond: 9 },
      cloudWatchOther: { burst: 20, perSecond: 20 },
    }),
    releases: z
      .record(z.string(), releaseSchema)
      .superRefine((releases, ctx) => {
        for (const key of Object.keys(releases)) {
          const check = imageIdSchema.safeParse(key);
          if (!check.success) ctx.addIssue({ code: "custom", path: [key], message: `"${key}": ${check.error.issues[0]?.message ?? "invalid image id"}` });
        }
      })
      .default({}),
    targetGroups: z
      .array(
        strict({
          name: name("target group"),
          port: z.number().int().min(1).max(65535).default(80),
          protocol: z.enum(["HTTP", "HTTPS"]).default("HTTP"),
          healthCheck: healthCheckSchema.default(healthCheckSchema.parse({})),
          deregistrationDelaySeconds: z.number().int().min(0).max(3600).default(300),
          stickiness: stickinessSchema.default({ enabled: false, durationSeconds: 86400 }),
          tags: tagsSchema,
        }),
      )
      .default([]),
    loadBalancers: z
      .array(
        strict({
          name: name("load balancer"),
          tags: tagsSchema,
          listeners: z
            .array(
              strict({
                port: z.number().int().min(1).max(65535).default(80),
                protocol: z.literal("HTTP").default("HTTP"),
                /** Loopback port the listener really binds; 0 picks a free one. */
                bindPort: z.number().int().min(0).max(65535).default(0),
                defaultAction: actionSchema,
                rules: z
                  .array(
                    strict({
                      priority: z.number().int().min(1).max(50000),
                      pathPatterns: z.array(z.string()).optional(),
                      hostHeaders: z.array(z.string()).optional(),
                      action: actionSchema,
                      tags: tagsSchema,
                    }),
                  )
                  .default([]),
                tags: tagsSchema,
              }),
            )
            .min(1),
        }),
      )
      .default([]),
    launchTemplates: z
      .array(
        strict({
          name: z.string().regex(/^[A-Za-z0-9().\-/_]{3,128}$/, { message: "launch template name must be 3–128 of A-Z a-z 0-9 ( ) . - / _" }),
          versions: z
            .array(strict({ imageId: imageIdSchema, instanceType: z.string().default("t3.micro"), description: z.string().optional() }))
            .min(1),
          defaultVersion: z.number().int().min(1).default(1),
        }),
      )
      .default([]),
    autoScalingGroups: z
      .array(
        strict({
          name: z.string().min(1).max(255),
          minSize: z.number().int().min(0),
          maxSize: z.number().int().min(0),
          desiredCapacity: z.number().int().min(0),
          launchTemplate: strict({ name: z.string(), version: z.string().regex(/^(\$Latest|\$Default|[1-9][0-9]*)$/).default("$Default") }),
          targetGroups: z.array(z.string()).default([]),
          healthCheckType: z.enum(["EC2", "ELB"]).default("EC2"),
          healthCheckGracePeriodSeconds: z.number().int().min(0).default(300),
          tags: tagsSchema,
        }),
      )
      .default([]),
    alarms: z
      .array(
        strict({
          alarmName: z.string().min(1).max(255),
          namespace: z.string().default("AWS/ApplicationELB"),
          metricName: z.string(),
          /** Adds the LoadBalancer dimension of this load balancer. */
          loadBalancer: z.string().optional(),
          /** Adds the TargetGroup dimension of this target group. */
          targetGroup: z.string().optional(),
          dimensions: z.array(strict({ name: z.string(), value: z.string() })).default([]),
          statistic: z.string().default("Sum"),
          periodSeconds: z.number().int().min(10).default(60),
          evaluationPeriods: z.number().int().min(1).default(1),
          datapointsToAlarm: z.number().int().min(1).optional(),
          threshold: z.number(),
          comparisonOperator: z.enum(["GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"]),
          treatMissingData: z.enum(["missing", "notBreaching", "breaching", "ignore"]).default("missing"),
        }),
      )
      .default([]),
  })
  .superRefine((config, ctx) => {
    const tgs = new Set(config.targetGroups.map((t) => t.name));
    const lbs = new Set(config.loadBalancers.map((l) => l.name));
    const lts = new Map(config.launchTemplates.map((l) => [l.name, l]));
    const dup = (list: string[], what: string, path: string) => {
      const seen = new Set<string>();
      for (const n of list) {
        if (seen.has(n)) ctx.addIssue({ code: "custom", path: [path], message: `duplicate ${what} name "${n}"` });
        seen.add(n);
      }
    };
    dup(config.targetGroups.map((t) => t.name), "target group", "targetGroups");
    dup(config.loadBalancers.map((t) => t.name), "load balancer", "loadBalancers");
    dup(config.launchTemplates.map((t) => t.name), "launch template", "launchTemplates");
    dup(config.autoScalingGroups.map((t) => t.name), "Auto Scaling group", "autoScalingGroups");
    const checkAction = (action: ActionConfig, path: (string | number)[]) => {
      if (action.type !== "forward") return;
      action.targetGroups.forEach((g, i) => {
        if (!tgs.has(g.name)) ctx.addIssue({ code: "custom", path: [...path, "targetGroups", i, "name"], message: `unknown target group "${g.name}"; known: ${[...tgs].join(", ") || "none"}` });
      });
    };
    config.loadBalancers.forEach((lb, i) =>
      lb.listeners.forEach((l, j) => {
        checkAction(l.defaultAction, ["loadBalancers", i, "listeners", j, "defaultAction"]);
        l.rules.forEach((r, k) => checkAction(r.action, ["loadBalancers", i, "listeners", j, "rules", k, "action"]));
      }),
    );
    config.launchTemplates.forEach((lt, i) => {
      if (lt.defaultVersion > lt.versions.length) ctx.addIssue({ code: "custom", path: ["launchTemplates", i, "defaultVersion"], message: `defaultVersion ${lt.defaultVersion} does not exist (the template has ${lt.versions.length} versions)` });
    });
    config.autoScalingGroups.forEach((asg, i) => {
      const at = (p: string) => ["autoScalingGroups", i, p];
      if (asg.minSize > asg.maxSize) ctx.addIssue({ code: "custom", path: at("minSize"), message: `minSize ${asg.minSize} is greater than maxSize ${asg.maxSize}` });
      if (asg.desiredCapacity < asg.minSize || asg.desiredCapacity > asg.maxSize)
        ctx.addIssue({ code: "custom", path: at("desiredCapacity"), message: `desiredCapacity ${asg.desiredCapacity} must lie between minSize ${asg.minSize} and maxSize ${asg.maxSize}` });
      const lt = lts.get(asg.launchTemplate.name);
      if (!lt) ctx.addIssue({ code: "custom", path: at("launchTemplate"), message: `unknown launch template "${asg.launchTemplate.name}"` });
      else if (/^[0-9]+$/.test(asg.launchTemplate.version) && Number(asg.launchTemplate.version) > lt.versions.length)
        ctx.addIssue({ code: "custom", path: at("launchTemplate"), message: `launch template "${lt.name}" has no version ${asg.launchTemplate.version}` });
      asg.targetGroups.forEach((t, k) => {
        if (!tgs.has(t)) ctx.addIssue({ code: "custom", path: ["autoScalingGroups", i, "targetGroups", k], message: `unknown target group "${t}"` });
      });
    });
    config.alarms.forEach((a, i) => {
      if (a.targetGroup && !tgs.has(a.targetGroup)) ctx.addIssue({ code: "custom", path: ["alarms", i, "targetGroup"], message: `unknown target group "${a.targetGroup}"` });
      if (a.loadBalancer && !lbs.has(a.loadBalancer)) ctx.addIssue({ code: "custom", path: ["alarms", i, "loadBalancer"], message: `unknown load balancer "${a.loadBalancer}"` });
    });
  });

export type SandboxConfig = z.input<typeof configSchema>;
export type ResolvedConfig = z.output<typeof configSchema>;
export type ReleaseConfig = z.output<typeof releaseSchema>;

/** Parses a configuration; the error lists every problem with its path. */
export function parseConfig(input: unknown): ResolvedConfig {
  const result = configSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  - ${i.path.join(".") || "(root)"}: ${i.message}`);
  throw new Error(`invalid sandbox configuration:\n${lines.join("\n")}`);
}

export { defaultConfig, RELEASE_IMAGES } from "./default-config";
