/** zod parsers for the string values GitHub passes as inputs. Each takes the trimmed string, "" when not given. */
import * as z from "../util/zod";
import { ARN_PATTERNS } from "../util/arn";
import type { MinHealthy, StableFor } from "../domain/target-health";
import { untrusted } from "../util/untrusted";

/** Control characters other than tab and the line breaks, and the C1 controls. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/** A line break as the runner's log (CR or LF), or one a viewer shows (NEL, LS, PS). */
const LINE_BREAK = /[\r\n\u0085\u2028\u2029]/;

/**
 * Reports a problem from inside a transform. zod/mini's transform ctx is the parse payload itself, with
 * no addIssue; the issue is the one classic zod's `ctx.addIssue({ code: "custom", message })` records.
 */
export function addIssue(ctx: z.core.ParsePayload, message: string): void {
  ctx.issues.push({ code: "custom", message, input: ctx.value });
}

const oneLine = () => z.refine<string>((s) => !LINE_BREAK.test(s), "must be one line: it contains a line break (CR or LF)");
const noControl = () => z.refine<string>((s) => !CONTROL.test(s), "contains control characters");

/** One line of text, or undefined when empty. */
export const optionalText = (max = 1024) =>
  z.pipe(z.string().check(z.maxLength(max, `at most ${max} characters`), noControl(), oneLine()), z.transform((s: string) => (s === "" ? undefined : s)));

/** Text of several lines (YAML), or undefined when empty. */
export const optionalMultilineText = (max = 65536) =>
  z.pipe(z.string().check(z.maxLength(max, `at most ${max} characters`), noControl()), z.transform((s: string) => (s === "" ? undefined : s)));

/** One line of text, not empty. */
export const text = (max = 1024) => z.string().check(z.minLength(1, "must not be empty"), z.maxLength(max, `at most ${max} characters`), noControl(), oneLine());

/** `true`/`false` in the YAML 1.2 core schema's spellings, as @actions/core reads booleans. */
export const boolean = () =>
  z.pipe(z.string(), z.transform((s: string, ctx) => {
    if (["true", "True", "TRUE"].includes(s)) return true;
    if (["false", "False", "FALSE", ""].includes(s)) return false;
    addIssue(ctx, "not a boolean");
    return z.NEVER;
  }));

const DURATION = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?$/;

/** `90`, `90s`, `5m`, `1h30m` → milliseconds. */
export function parseDuration(value: string): number | undefined {
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const m = DURATION.exec(value);
  if (!m || value === "") return undefined;
  const [h, min, s] = [m[1], m[2], m[3]].map((x) => Number(x ?? 0));
  return ((h! * 60 + min!) * 60 + s!) * 1000;
}

export const duration = (options: { min?: number; max: number }) =>
  z.pipe(z.string(), z.transform((s: string, ctx) => {
    const ms = parseDuration(s);
    if (ms === undefined) {
      addIssue(ctx, "not a duration");
      return z.NEVER;
    }
    if (ms < (options.min ?? 0) || ms > options.max) {
      addIssue(ctx, `out of range ${(options.min ?? 0) / 1000}s–${options.max / 1000}s`);
      return z.NEVER;
    }
    return ms;
  }));

export const optionalDuration = (options: { min?: number; max: number }) =>
  z.union([z.pipe(z.literal(""), z.transform(() => undefined)), duration(options)]);

/** `auto`, or how long health must hold once it passes (0s: succeed on the first passing poll). */
export const stableFor = () =>
  z.union([
    z.pipe(z.string().check(z.regex(/^auto$/i)), z.transform((): StableFor => ({ kind: "auto" }))),
    z.pipe(duration({ max: 30 * 60_000 }), z.transform((ms: number): StableFor => ({ kind: "fixed", ms }))),
  ]);

const PERCENT = /^(?:100(?:\.0)?|\d{1,2}(?:\.\d)?)$/;

/** A traffic percentage 0–100 with at most one decimal, e.g. `0.5`, `10`, `100`. */
export const percent = () =>
  z.pipe(z.string(), z.transform((s: string, ctx) => {
    if (!PERCENT.test(s)) {
      addIssue(ctx, "not a percentage from 0 to 100 with at most one decimal");
      return z.NEVER;
    }
    return Number(s);
  }));

/** `1,10,50,100`: ascending percentages. */
export const steps = () =>
  z.pipe(z.string(), z.transform((s: string, ctx) => {
    const parts = s.split(",").map((p) => p.trim());
    const values: number[] = [];
    for (const p of parts) {
      if (!PERCENT.test(p) || Number(p) === 0) {
        addIssue(ctx, `step "${untrusted(p, 40)}" is not a percentage above 0 and at most 100 with at most one decimal`);
        return z.NEVER;
      }
      values.push(Number(p));
    }
    for (let i = 1; i < values.length; i++) {
      if (values[i]! <= values[i - 1]!) {
        addIssue(ctx, "steps must increase");
        return z.NEVER;
      }
    }
    if (values.length > 20) {
      addIssue(ctx, "at most 20 steps");
      return z.NEVER;
    }
    return values;
  }));

/** `2` (a count, at least 1) or `50%` (of registered targets, 1% to 100%). */
export const minHealthy = () =>
  z.pipe(z.string(), z.transform((s: string, ctx): MinHealthy => {
    const count = /^(\d{1,5})$/.exec(s);
    if (count && Number(count[1]) === 0) {
      addIssue(ctx, "0 would let traffic onto a target group with no healthy target; the least is 1");
      return z.NEVER;
    }
    if (count) return { kind: "count", value: Number(count[1]) };
    const pct = /^(\d{1,3})%$/.exec(s);
    if (pct && Number(pct[1]) >= 1 && Number(pct[1]) <= 100) return { kind: "percent", value: Number(pct[1]) };
    addIssue(ctx, "not a count or a percentage");
    return z.NEVER;
  }));

export const integer = (min: number, max: number) =>
  z.pipe(z.string(), z.transform((s: string, ctx) => {
    if (!/^\d{1,9}$/.test(s) || Number(s) < min || Number(s) > max) {
      addIssue(ctx, `not a whole number from ${min} to ${max}`);
      return z.NEVER;
    }
    return Number(s);
  }));

export const optionalInteger = (min: number, max: number) => z.union([z.pipe(z.literal(""), z.transform(() => undefined)), integer(min, max)]);

export const arn = (kind: keyof typeof ARN_PATTERNS) =>
  z.union([
    z.pipe(z.literal(""), z.transform(() => undefined)),
    z.string().check(z.regex(ARN_PATTERNS[kind], `not an Elastic Load Balancing ${kind} ARN`)),
  ]);

/** Non-empty lines, trimmed; `#` comments ignored. */
export function lines(value: string): string[] {
  return value
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

export const arnList = (kind: keyof typeof ARN_PATTERNS) =>
  z.pipe(z.string(), z.transform((s: string, ctx) => {
    const list = lines(s).flatMap((l) => l.split(",").map((x) => x.trim()).filter(Boolean));
    for (const item of list) {
      if (!ARN_PATTERNS[kind].test(item)) {
        addIssue(ctx, `"${untrusted(item, 120)}" is not an Elastic Load Balancing ${kind} ARN`);
        return z.NEVER;
      }
    }
    return list;
  }));

export const nameList = (pattern: RegExp, what: string) =>
  z.pipe(z.string(), z.transform((s: string, ctx) => {
    const list = lines(s).flatMap((l) => l.split(",").map((x) => x.trim()).filter(Boolean));
    for (const item of list) {
      if (!pattern.test(item) || CONTROL.test(item)) {
        addIssue(ctx, `"${untrusted(item, 120)}" is not ${what}`);
        return z.NEVER;
      }
    }
    return list;
  }));

/** Lines of `key=value` (tags). */
export const keyValues = () =>
  z.pipe(z.string(), z.transform((s: string, ctx) => {
    const out: Record<string, string> = {};
    for (const line of lines(s)) {
      const m = /^([^=]{1,128})=(.{0,256})$/.exec(line);
      if (!m || CONTROL.test(line)) {
        addIssue(ctx, `line "${untrusted(line, 120)}" is not key=value`);
        return z.NEVER;
      }
      out[m[1]!.trim()] = m[2]!.trim();
    }
    return out;
  }));

export const oneOf = <T extends string>(values: readonly [T, ...T[]]) =>
  z.string().check(z.refine((s): s is T => (values as readonly string[]).includes(s), `not one of ${values.join(", ")}`)) as unknown as z.ZodMiniType<T>;
