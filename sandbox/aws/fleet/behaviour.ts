import { z } from "zod";
import type { ReleaseBehaviour } from "../contracts";

/** The single truth for what a release behaviour may hold. */
export const releaseBehaviourSchema = z
  .object({
    version: z.string().min(1),
    latencyMs: z.object({ median: z.number().positive(), p99: z.number().positive() }),
    errorRate: z.number().min(0).max(1),
    health: z.object({
      path: z.string().startsWith("/"),
      status: z.number().int().min(100).max(599),
      body: z.unknown(),
    }),
    bootSeconds: z.number().min(0),
    crashAfterSeconds: z.number().min(0).optional(),
    database: z.object({ url: z.string(), reads: z.string(), writes: z.array(z.string()).min(1) }).optional(),
  })
  .refine((b) => b.latencyMs.p99 >= b.latencyMs.median, {
    message: "latencyMs.p99 must be at least latencyMs.median",
    path: ["latencyMs", "p99"],
  });

/** Validates a behaviour, naming the instance and every bad field in the error. */
export function parseBehaviour(instanceId: string, behaviour: ReleaseBehaviour): ReleaseBehaviour {
  const parsed = releaseBehaviourSchema.safeParse(behaviour);
  if (parsed.success) return behaviour;
  const problems = parsed.error.issues
    .map((issue) => `${issue.path.join(".") || "(behaviour)"}: ${issue.message}`)
    .join("; ");
  throw new Error(`invalid release behaviour for instance ${instanceId} (version ${JSON.stringify(behaviour?.version)}): ${problems}`);
}
