/**
 * Derives the input constraints of every operation in the official AWS Smithy models (trimmed copies of
 * aws/api-models-aws) and writes them, compact, to sandbox/aws/api/models/<service>.json.
 *
 *   node --import tsx scripts/vendor-aws-models.ts [--from <models dir>] [--check]
 *
 * --from defaults to ../shared/aws-models beside the repository. --check writes nothing and fails when a
 * vendored file differs from what the models give. Nothing here is typed by hand: every constraint is
 * copied from a trait (required, length, pattern, range, enum values, xmlName) of a shape that an
 * operation's input reaches.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Bounds, MemberRef, VendoredModel, VendoredShape } from "../sandbox/aws";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const VENDOR_DIR = join(ROOT, "sandbox", "aws", "api", "models");
export const DEFAULT_SOURCE = resolve(ROOT, "..", "shared", "aws-models");

/** Model file → vendored file name. */
export const MODEL_FILES = { elbv2: "elbv2.json", asg: "asg.json", cw: "cw.json" } as const;

interface SmithyMember {
  target: string;
  traits?: Record<string, unknown>;
}
interface SmithyShape {
  type: string;
  input?: { target: string };
  members?: Record<string, SmithyMember>;
  member?: SmithyMember;
  key?: SmithyMember;
  value?: SmithyMember;
  traits?: Record<string, unknown>;
}
interface SmithyModel {
  source?: string;
  shapes: Record<string, SmithyShape>;
}

const NUMBER_TYPES = new Set(["byte", "short", "integer", "long", "float", "double", "bigInteger", "bigDecimal", "intEnum"]);
const INTEGER_TYPES = new Set(["byte", "short", "integer", "long", "bigInteger", "intEnum"]);
const PRELUDE: Record<string, string> = {
  String: "string", Boolean: "boolean", PrimitiveBoolean: "boolean", Integer: "integer", PrimitiveInteger: "integer",
  Long: "long", PrimitiveLong: "long", Double: "double", PrimitiveDouble: "double", Float: "float", Timestamp: "timestamp", Blob: "blob",
};

const localName = (id: string) => (id.startsWith("smithy.api#") ? id : id.slice(id.indexOf("#") + 1));

function bounds(value: unknown): Bounds | undefined {
  if (!value || typeof value !== "object") return undefined;
  const { min, max } = value as { min?: unknown; max?: unknown };
  const out: Bounds = {};
  if (typeof min === "number") out.min = min;
  if (typeof max === "number") out.max = max;
  return Object.keys(out).length > 0 ? out : undefined;
}

function convert(id: string, shape: SmithyShape): { vendored: VendoredShape; refs: string[] } {
  const traits = shape.traits ?? {};
  const length = bounds(traits["smithy.api#length"]);
  switch (shape.type) {
    case "structure": {
      const members: Record<string, MemberRef> = {};
      for (const [name, m] of Object.entries(shape.members ?? {})) {
        const entry: MemberRef = { target: localName(m.target) };
        if (m.traits && "smithy.api#required" in m.traits) entry.required = true;
        const xml = m.traits?.["smithy.api#xmlName"];
        if (typeof xml === "string" && xml !== name) entry.xmlName = xml;
        members[name] = entry;
      }
      return { vendored: { type: "structure", members }, refs: Object.values(shape.members ?? {}).map((m) => m.target) };
    }
    case "list":
    case "set": {
      const member = shape.member!;
      const xml = member.traits?.["smithy.api#xmlName"];
      const vendored: VendoredShape = { type: "list", member: localName(member.target), ...(typeof xml === "string" && xml !== "member" ? { memberXmlName: xml } : {}), ...(length ? { length } : {}) };
      return { vendored, refs: [member.target] };
    }
    case "map":
      return { vendored: { type: "map", key: localName(shape.key!.target), value: localName(shape.value!.target), ...(length ? { length } : {}) }, refs: [shape.key!.target, shape.value!.target] };
    case "enum": {
      const values = Object.entries(shape.members ?? {}).map(([name, m]) => {
        const v = m.traits?.["smithy.api#enumValue"];
        return typeof v === "string" ? v : name;
      });
      return { vendored: { type: "enum", values }, refs: [] };
    }
    case "string": {
      const legacyEnum = traits["smithy.api#enum"];
      if (Array.isArray(legacyEnum)) return { vendored: { type: "enum", values: legacyEnum.map((e: { value: string }) => e.value) }, refs: [] };
      const pattern = traits["smithy.api#pattern"];
      return { vendored: { type: "string", ...(length ? { length } : {}), ...(typeof pattern === "string" ? { pattern } : {}) }, refs: [] };
    }
    default: {
      if (NUMBER_TYPES.has(shape.type)) {
        const range = bounds(traits["smithy.api#range"]);
        return { vendored: { type: "number", integer: INTEGER_TYPES.has(shape.type), ...(range ? { range } : {}) }, refs: [] };
      }
      if (shape.type === "operation" || shape.type === "service" || shape.type === "resource") throw new Error(`${id}: a ${shape.type} cannot be an input member`);
      return { vendored: { type: "other", smithyType: shape.type }, refs: [] };
    }
  }
}

function preludeShape(id: string): SmithyShape {
  const type = PRELUDE[id.slice("smithy.api#".length)];
  if (!type) throw new Error(`unknown prelude shape ${id}`);
  return { type };
}

/** Derives the vendored form of one Smithy model. */
export function vendorModel(model: SmithyModel, sourceLabel: string): VendoredModel {
  const operations: Record<string, string | null> = {};
  const shapes: Record<string, VendoredShape> = {};
  const pending: string[] = [];
  const opIds = Object.keys(model.shapes).filter((id) => model.shapes[id]!.type === "operation").sort();
  for (const id of opIds) {
    const input = model.shapes[id]!.input?.target;
    operations[localName(id)] = input && input !== "smithy.api#Unit" ? localName(input) : null;
    if (input && input !== "smithy.api#Unit") pending.push(input);
  }
  const seen = new Set<string>();
  const found = new Map<string, VendoredShape>();
  while (pending.length > 0) {
    const id = pending.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const shape = id.startsWith("smithy.api#") ? preludeShape(id) : model.shapes[id];
    if (!shape) throw new Error(`shape ${id} is referenced but not in the model`);
    const { vendored, refs } = convert(id, shape);
    if (vendored.type === "string" && vendored.pattern !== undefined) new RegExp(vendored.pattern, "u");
    found.set(localName(id), vendored);
    pending.push(...refs);
  }
  for (const name of [...found.keys()].sort()) shapes[name] = found.get(name)!;
  return { source: sourceLabel, operations, shapes };
}

/** The vendored files' contents by file name, derived from the models in `sourceDir`. */
export function vendorAll(sourceDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [service, file] of Object.entries(MODEL_FILES)) {
    const model = JSON.parse(readFileSync(join(sourceDir, file), "utf8")) as SmithyModel;
    const label = `${model.source ?? "aws/api-models-aws"} (${file}, trimmed to the operations the suite calls)`;
    out[`${service}.json`] = `${JSON.stringify(vendorModel(model, label))}\n`;
  }
  return out;
}

function main(argv: string[]): number {
  const fromAt = argv.indexOf("--from");
  const source = fromAt >= 0 && argv[fromAt + 1] ? resolve(argv[fromAt + 1]!) : DEFAULT_SOURCE;
  const check = argv.includes("--check");
  const files = vendorAll(source);
  const stale: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    const path = join(VENDOR_DIR, name);
    let current: string | undefined;
    try {
      current = readFileSync(path, "utf8");
    } catch {
      current = undefined;
    }
    if (current === text) continue;
    if (check) stale.push(name);
    else writeFileSync(path, text);
  }
  if (check && stale.length > 0) {
    process.stderr.write(`vendored models differ from the models in ${source}: ${stale.join(", ")}; run node --import tsx scripts/vendor-aws-models.ts\n`);
    return 1;
  }
  process.stdout.write(check ? `vendored models match ${source}\n` : `vendored ${Object.keys(files).join(", ")} from ${source}\n`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
