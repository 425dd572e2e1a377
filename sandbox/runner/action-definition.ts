import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { z } from "zod";

const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const ActionSchema = z.object({
  name: z.string().optional(),
  description: z.string().optional(),
  inputs: z
    .record(
      z.string(),
      z
        .object({
          description: z.string().optional(),
          required: z.union([z.boolean(), z.string()]).optional(),
          default: scalar.optional(),
          deprecationMessage: z.string().optional(),
        })
        .nullable()
        .transform((v) => v ?? {}),
    )
    .optional()
    .default({}),
  outputs: z.record(z.string(), z.unknown()).optional().default({}),
  runs: z.object({
    using: z.string(),
    main: z.string().optional(),
    pre: z.string().optional(),
    "pre-if": z.string().optional(),
    post: z.string().optional(),
    "post-if": scalar.optional(),
  }),
});

export interface ActionDefinition {
  directory: string;
  file: string;
  name: string;
  using: "node20" | "node24";
  inputs: Record<string, { required: boolean; default?: string; deprecationMessage?: string }>;
  outputs: string[];
  main: string;
  post?: string;
  postIf: string;
}

/** Reads an action's action.yml (or action.yaml) and checks that this runner can run it. */
export async function loadActionDefinition(directory: string): Promise<ActionDefinition> {
  const dir = resolve(directory);
  const file = [join(dir, "action.yml"), join(dir, "action.yaml")].find((f) => existsSync(f));
  if (!file) throw new Error(`No action.yml or action.yaml in ${dir}`);
  let raw: unknown;
  try {
    raw = parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new Error(`${file} is not valid YAML: ${(error as Error).message}`, { cause: error });
  }
  const parsed = ActionSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: '${issue?.path.join(".") ?? ""}' ${issue?.message}`);
  }
  const def = parsed.data;
  if (def.runs.using !== "node20" && def.runs.using !== "node24") {
    throw new Error(`${file}: runs.using '${def.runs.using}' is not supported here; valid: node20, node24`);
  }
  if (!def.runs.main) throw new Error(`${file}: runs.main is required for a ${def.runs.using} action`);
  if (def.runs.pre) throw new Error(`${file}: runs.pre is not supported by this runner`);
  for (const [key, entry] of [["main", def.runs.main], ["post", def.runs.post]] as const) {
    if (entry && !existsSync(resolve(dir, entry))) {
      throw new Error(`${file}: runs.${key} '${entry}' does not exist (${resolve(dir, entry)}); is the action built?`);
    }
  }
  const inputs: ActionDefinition["inputs"] = {};
  for (const [name, spec] of Object.entries(def.inputs)) {
    inputs[name] = {
      required: spec.required === true || spec.required === "true",
      ...(spec.default !== undefined ? { default: spec.default } : {}),
      ...(spec.deprecationMessage ? { deprecationMessage: spec.deprecationMessage } : {}),
    };
  }
  return {
    directory: dir,
    file,
    name: def.name ?? dir,
    using: def.runs.using,
    inputs,
    outputs: Object.keys(def.outputs),
    main: resolve(dir, def.runs.main),
    ...(def.runs.post ? { post: resolve(dir, def.runs.post) } : {}),
    postIf: def.runs["post-if"] ?? "always()",
  };
}

/** The variable an input is passed in: upper case, spaces to `_`, hyphens kept (`aws-region` → `INPUT_AWS-REGION`). */
export function inputVariableName(name: string): string {
  return `INPUT_${name.replace(/ /g, "_").toUpperCase()}`;
}
