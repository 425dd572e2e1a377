/**
 * zod building blocks for request parameters. Query protocols send every scalar as a string and an
 * empty list as ""; the JSON protocol sends real numbers and booleans. These accept both.
 */
import { z } from "zod";
import { validationError, type AwsError } from "./errors";

export const str = z.string();

export const int = (min?: number, max?: number) => {
  let schema = z.coerce.number().int();
  if (min !== undefined) schema = schema.min(min, { message: `Member must have value greater than or equal to ${min}` });
  if (max !== undefined) schema = schema.max(max, { message: `Member must have value less than or equal to ${max}` });
  return z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), schema);
};

export const num = z.preprocess((v) => (typeof v === "string" && v.trim() !== "" ? Number(v) : v), z.number().finite());

export const bool = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]);

export const list = <T extends z.ZodType>(item: T, max?: number) => {
  const array = max === undefined ? z.array(item) : z.array(item).max(max, { message: `Member must have length less than or equal to ${max}` });
  return z.preprocess((v) => (v === "" ? [] : v), array);
};

/** A tag's shape; its lengths and pattern are the model's, checked before any handler runs (model-validate.ts). */
export const tag = z.object({ Key: z.string(), Value: z.string().optional() });

/** AWS-style path: `defaultActions.1.member.forwardConfig.targetGroups.2.member.weight`. */
function awsPath(path: PropertyKey[]): string {
  const out: string[] = [];
  for (const part of path) {
    if (typeof part === "number") out.push(`${part + 1}.member`);
    else out.push(String(part).charAt(0).toLowerCase() + String(part).slice(1));
  }
  return out.join(".");
}

/** Parses `input` with `schema`; a failure becomes a ValidationError that names each bad parameter. */
export function parseParams<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  throw zodToValidation(result.error);
}

export function zodToValidation(error: z.ZodError): AwsError {
  const issues = error.issues.slice(0, 5).map((issue) => {
    const where = awsPath(issue.path);
    if (issue.code === "invalid_type" && issue.input === undefined) {
      return `Value null at '${where}' failed to satisfy constraint: Member must not be null`;
    }
    const shown = issue.input === undefined || typeof issue.input === "object" ? "" : `'${String(issue.input)}' `;
    return `Value ${shown}at '${where}' failed to satisfy constraint: ${issue.message}`;
  });
  const count = error.issues.length;
  return validationError(`${count} validation error${count === 1 ? "" : "s"} detected: ${issues.join("; ")}`);
}
