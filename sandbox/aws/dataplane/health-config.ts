/** A target group's health check settings, checked as ELBv2 checks them, and its matcher compiled. */
import { z } from "zod";
import type { HealthCheckConfig } from "../contracts";
import { parseMatcher } from "./health-probe";

const healthCheckConfigSchema = z
  .object({
    enabled: z.boolean(),
    protocol: z.enum(["HTTP", "HTTPS"]),
    port: z.string().regex(/^(traffic-port|\d{1,5})$/, 'must be "traffic-port" or a port number as a string'),
    path: z.string().startsWith("/"),
    intervalSeconds: z.number().positive(),
    timeoutSeconds: z.number().positive(),
    healthyThreshold: z.number().int().min(1),
    unhealthyThreshold: z.number().int().min(1),
    matcher: z.string().min(1),
  })
  .refine((c) => c.timeoutSeconds < c.intervalSeconds, {
    message: "timeoutSeconds must be less than intervalSeconds",
    path: ["timeoutSeconds"],
  });

export function parseHealthCheckConfig(config: HealthCheckConfig): { config: HealthCheckConfig; matches: (status: number) => boolean } {
  const parsed = healthCheckConfigSchema.safeParse(config);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    throw new Error(`invalid health check configuration ${JSON.stringify(config)}: ${problems}`);
  }
  return { config, matches: parseMatcher(config.matcher) };
}
