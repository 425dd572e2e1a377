/**
 * One definition per action is the single truth for its inputs and outputs: the zod schema that
 * parses them, the types (`Settings<typeof def>`), the action.yml and the README tables are all
 * derived from it (scripts/generate-actions.ts).
 */
import * as z from "../util/zod";
import { ConfigurationError } from "../util/errors";
import { issueReason } from "../util/issue-reason";
import { untrusted } from "../util/untrusted";

export interface InputSpec<T = unknown> {
  description: string;
  /** The default as written in action.yml; parsed like any other value. */
  default?: string;
  required?: boolean;
  /**
   * Parses the trimmed string value ("" when not given). Definitions write it as a getter, so no
   * schema is built before it is needed: a missing required input is reported without building any.
   */
  schema: z.ZodMiniType<T>;
  /** Extra words for the error message: what would be valid. */
  valid: string;
  /** Never echo the value in errors and mask it. */
  secret?: boolean;
}

/**
 * The same input told in another action's words: its schema (still a getter, built only when
 * needed), valid values, default and the rest unchanged; only the description differs. A spread
 * (`{ ...spec, description }`) would read the getter and build the schema when the module loads.
 */
export function describedAs<S extends InputSpec>(spec: S, description: string): S {
  return Object.defineProperties({}, { ...Object.getOwnPropertyDescriptors(spec), description: { value: description, enumerable: true, writable: true, configurable: true } }) as S;
}

export interface OutputSpec {
  description: string;
}

export interface ActionDefinition<I extends Record<string, InputSpec> = Record<string, InputSpec>> {
  name: string;
  /** More of the action's README after its description (Markdown, ours): how it works, in sections. Never in action.yml. */
  readme?: string;
  /** What the Marketplace shows: a Feather icon name and a colour (action.yml `branding`). */
  branding?: { icon: string; color: string };
  title: string;
  description: string;
  inputs: I;
  outputs: Record<string, OutputSpec>;
  /**
   * Groups of inputs of which at least one must be given, with the error when none is. They are
   * checked on the raw values with the required inputs, before any schema is built, so a missing
   * input costs nothing; `check` still sees every combination.
   */
  requireOneOf?: { inputs: (keyof I & string)[]; message: string }[];
  /** Cross-input rules; return an error message naming the inputs, or undefined. */
  check?: (settings: SettingsOf<I>) => string | undefined;
  /**
   * The post step: its entry, its `post-if`, and the state its main step saves once it has begun to
   * change anything. Without that state the post step has nothing to do, and it ends before it
   * validates the inputs, so an input error the main step already reported is not reported twice.
   */
  post?: { entry: string; if: string; afterState?: string };
}

export type SettingsOf<I extends Record<string, InputSpec>> = { [K in keyof I]: I[K] extends InputSpec<infer T> ? T : never };
export type Settings<D> = D extends ActionDefinition<infer I> ? SettingsOf<I> : never;

export function defineAction<I extends Record<string, InputSpec>>(definition: ActionDefinition<I>): ActionDefinition<I> {
  return definition;
}

/** An input's value as an error shows it: one line, at most 80 characters, through `untrusted()`. */
function shown(value: string): string {
  return `"${untrusted(value, 80)}"`;
}

/**
 * Reads and validates every input. Throws one ConfigurationError naming the first bad input, its
 * value, and what would be valid. Missing required inputs are reported first.
 */
export function parseInputs<I extends Record<string, InputSpec>>(definition: ActionDefinition<I>, read: (name: string) => string): SettingsOf<I> {
  const raw: Record<string, string> = {};
  for (const [name, spec] of Object.entries(definition.inputs)) {
    const given = read(name);
    const value = given === "" && spec.default !== undefined ? spec.default : given;
    if (value === "" && spec.required) {
      throw new ConfigurationError(`Input required and not supplied: ${name}. ${spec.description} Valid: ${spec.valid}.`);
    }
    raw[name] = value;
  }
  for (const group of definition.requireOneOf ?? []) {
    if (group.inputs.every((name) => raw[name] === "")) throw new ConfigurationError(group.message);
  }
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(definition.inputs)) {
    const value = raw[name]!;
    const result = spec.schema.safeParse(value);
    if (!result.success) {
      const first = result.error.issues[0];
      const issue = first ? issueReason(first) : "invalid value";
      const what = spec.secret ? "the value given" : shown(value);
      throw new ConfigurationError(`Input ${name}: ${what} is not valid (${issue}). Valid: ${spec.valid}.`);
    }
    out[name] = result.data;
  }
  const settings = out as SettingsOf<I>;
  const problem = definition.check?.(settings);
  if (problem) throw new ConfigurationError(problem);
  return settings;
}
