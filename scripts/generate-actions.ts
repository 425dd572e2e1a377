/**
 * Writes each action's action.yml and README.md from its definition (src/actions/<name>/definition.ts), so the
 * schema stays the single truth for inputs and outputs.
 *
 *   npm run generate              write actions/<name>/action.yml and README.md
 *   npm run generate -- --check   fail, naming the files, when any of them is not what would be written
 */
import { existsSync, readdirSync, readFileSync, rmSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { stringify } from "yaml";
import type { ActionDefinition } from "../src/inputs/define";
import catalog from "./actions.json";

export interface Branding {
  icon: string;
  color: string;
}

/** What the generator reads from a definition: everything but its cross-input check. */
export type DefinitionDocs = Pick<ActionDefinition, "name" | "title" | "description" | "inputs" | "outputs" | "post" | "branding" | "readme">;

export interface ActionSource {
  definition: DefinitionDocs;
  branding: Branding;
  /** The text of docs/iam/<name>.json, when it exists. */
  iamPolicy?: string | undefined;
}

const REPOSITORY = "zero-downtime-actions/alb-deploy";
const MARKER = "by npm run generate; do not edit.";

export function headerLine(name: string): string {
  return `Generated from src/actions/${name}/definition.ts ${MARKER}`;
}

/** Where an entry's bundle lands: `<action>` → dist/<action>/index.js, `<action>-post` → dist/<action>/post.js. */
export function distPath(action: string, entry: string): string {
  if (entry === action) return `dist/${action}/index.js`;
  if (entry === `${action}-post`) return `dist/${action}/post.js`;
  throw new Error(`${action}: post entry "${entry}" must be named "${action}-post" (src/actions/${action}/post-main.ts, built to dist/${action}/post.js).`);
}

export function renderActionYml({ definition: d, branding }: ActionSource): string {
  const inputs: Record<string, Record<string, unknown>> = {};
  for (const [name, spec] of Object.entries(d.inputs)) {
    inputs[name] = {
      description: spec.description,
      required: spec.required === true,
      ...(spec.default !== undefined ? { default: spec.default } : {}),
    };
  }
  const outputs: Record<string, { description: string }> = {};
  for (const [name, spec] of Object.entries(d.outputs)) outputs[name] = { description: spec.description };
  const runs: Record<string, string> = { using: "node24", main: `../../${distPath(d.name, d.name)}` };
  if (d.post) {
    runs.post = `../../${distPath(d.name, d.post.entry)}`;
    runs["post-if"] = d.post.if;
  }
  const document = {
    name: d.title,
    description: d.description,
    branding: { icon: branding.icon, color: branding.color },
    inputs,
    ...(Object.keys(outputs).length > 0 ? { outputs } : {}),
    runs,
  };
  return `# ${headerLine(d.name)}\n${stringify(document, { lineWidth: 0, singleQuote: false })}`;
}

/** Text that GitHub's Markdown shows as written: `<region>` would otherwise vanish as an HTML tag. */
function prose(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").trim();
}

function cell(value: string): string {
  return prose(value).replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");
}

function code(value: string): string {
  return value.includes("`") ? `\`\` ${value} \`\`` : `\`${value}\``;
}

function placeholder(name: string, secret: boolean | undefined): string {
  const variable = name.toUpperCase().replace(/[^A-Z0-9]+/g, "_");
  return secret ? `\${{ secrets.${variable} }}` : `\${{ vars.${variable} }}`;
}

function usage(d: DefinitionDocs): string {
  const withLines: string[] = [];
  for (const [name, spec] of Object.entries(d.inputs)) {
    if (spec.required) withLines.push(`      ${name}: ${placeholder(name, spec.secret)}`);
  }
  // The environment inputs are each optional, but the definition's check wants exactly one.
  if (!withLines.length && "listener-arn" in d.inputs && !d.inputs["listener-arn"]!.required) {
    withLines.push(`      listener-arn: ${placeholder("listener-arn", false)} # or rule-arn, or environment-tags`);
  }
  return [
    "```yaml",
    "permissions:",
    "  id-token: write # to assume an AWS role with OpenID Connect",
    "  contents: read",
    "steps:",
    "  - uses: aws-actions/configure-aws-credentials@7474bc4690e29a8392af63c5b98e7449536d5c3a # v4.3.1",
    "    with:",
    "      role-to-assume: ${{ vars.DEPLOY_ROLE_ARN }}",
    "      aws-region: us-east-1",
    `  - uses: ${REPOSITORY}/actions/${d.name}@v1`,
    ...(withLines.length > 0 ? ["    with:", ...withLines] : []),
    "```",
  ].join("\n");
}

export function renderReadme({ definition: d, iamPolicy }: ActionSource): string {
  const parts: string[] = [`<!-- ${headerLine(d.name)} -->`, `# ${prose(d.title)}`, prose(d.description), "## Usage", usage(d)];
  if (d.post) parts.push(`This action has a post step that runs when \`${d.post.if}\`.`);
  if (d.readme) parts.push(d.readme.trim());

  const inputRows = Object.entries(d.inputs).map(([name, spec]) => {
    const fallback = spec.default === undefined ? "" : code(spec.default);
    return `| ${code(name)} | ${spec.required ? "yes" : "no"} | ${fallback} | ${cell(spec.description)} | ${cell(spec.valid)} |`;
  });
  parts.push("## Inputs");
  parts.push(inputRows.length > 0 ? ["| Name | Required | Default | Description | Valid values |", "| --- | --- | --- | --- | --- |", ...inputRows].join("\n") : "This action has no inputs.");

  const outputRows = Object.entries(d.outputs).map(([name, spec]) => `| ${code(name)} | ${cell(spec.description)} |`);
  parts.push("## Outputs");
  parts.push(outputRows.length > 0 ? ["| Name | Description |", "| --- | --- |", ...outputRows].join("\n") : "This action has no outputs.");

  if (iamPolicy !== undefined) {
    parts.push("## IAM permissions", "The role the workflow assumes needs at least this policy:", "```json\n" + iamPolicy.trim() + "\n```");
  }
  return `${parts.join("\n\n")}\n`;
}

/** Problems in a definition that would make the generated files lie. */
export function definitionProblems(d: DefinitionDocs, file: string): string[] {
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(d.inputs)) {
    if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) problems.push(`${file}: input "${name}" is not kebab-case`);
    if (!spec.description?.trim()) problems.push(`${file}: input ${name} has no description`);
    if (!spec.valid?.trim()) problems.push(`${file}: input ${name} does not say which values are valid`);
    if (spec.default !== undefined) {
      const parsed = spec.schema.safeParse(spec.default);
      if (!parsed.success) problems.push(`${file}: the default ${JSON.stringify(spec.default)} of input ${name} does not parse: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    }
  }
  for (const [name, spec] of Object.entries(d.outputs)) {
    if (!spec.description?.trim()) problems.push(`${file}: output ${name} has no description`);
  }
  if (d.post) {
    try {
      distPath(d.name, d.post.entry);
    } catch (error) {
      problems.push(`${file}: ${(error as Error).message}`);
    }
  }
  return problems;
}

function isDefinition(value: unknown, name: string): value is DefinitionDocs {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<DefinitionDocs>;
  return v.name === name && typeof v.inputs === "object" && typeof v.outputs === "object" && typeof v.title === "string";
}

export interface Loaded {
  sources: ActionSource[];
  /** Actions without a definition yet, with the reason. */
  skipped: string[];
  problems: string[];
}

/** Imports src/actions/<name>/definition.ts for each action in scripts/actions.json and finds its definition by shape. */
export async function loadActions(root: string): Promise<Loaded> {
  const loaded: Loaded = { sources: [], skipped: [], problems: [] };
  for (const { name } of catalog.actions) {
    const file = `src/actions/${name}/definition.ts`;
    if (!existsSync(join(root, file))) {
      loaded.skipped.push(`${name}: ${file} does not exist yet`);
      continue;
    }
    let module: Record<string, unknown>;
    try {
      module = (await import(pathToFileURL(join(root, file)).href)) as Record<string, unknown>;
    } catch (error) {
      loaded.problems.push(`${file} does not load: ${(error as Error).message.split("\n")[0]}`);
      continue;
    }
    const found = Object.values(module).filter((v) => isDefinition(v, name));
    if (found.length !== 1) {
      loaded.problems.push(`${file}: expected one exported defineAction(...) value with name "${name}", found ${found.length}`);
      continue;
    }
    const definition = found[0]!;
    loaded.problems.push(...definitionProblems(definition, file));
    if (!definition.branding) {
      loaded.problems.push(`${file}: the definition has no branding (icon and color, as the Marketplace shows them)`);
      continue;
    }
    const iamFile = join(root, "docs/iam", `${name}.json`);
    let iamPolicy: string | undefined;
    if (existsSync(iamFile)) {
      iamPolicy = readFileSync(iamFile, "utf8");
      try {
        JSON.parse(iamPolicy);
      } catch (error) {
        loaded.problems.push(`docs/iam/${name}.json is not valid JSON: ${(error as Error).message}`);
      }
    }
    loaded.sources.push({ definition, branding: definition.branding, iamPolicy });
  }
  return loaded;
}

/** Every generated file, by path relative to the repository root. */
export function render(sources: ActionSource[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const source of sources) {
    files.set(`actions/${source.definition.name}/action.yml`, renderActionYml(source));
    files.set(`actions/${source.definition.name}/README.md`, renderReadme(source));
  }
  return files;
}

/** Generated files on disk that no definition produces any more (they carry the generated header). */
export function staleFiles(root: string, files: Map<string, string>): string[] {
  const dir = join(root, "actions");
  if (!existsSync(dir)) return [];
  const stale: string[] = [];
  for (const action of readdirSync(dir).sort()) {
    for (const file of ["action.yml", "README.md"]) {
      const path = `actions/${action}/${file}`;
      if (files.has(path) || !existsSync(join(root, path))) continue;
      if (readFileSync(join(root, path), "utf8").includes(MARKER)) stale.push(path);
    }
  }
  return stale;
}

/** Generated files that are missing, differ from what would be written, or are left from a removed definition. */
export function outOfDate(root: string, files: Map<string, string>): string[] {
  const differing = [...files].filter(([path, text]) => !existsSync(join(root, path)) || readFileSync(join(root, path), "utf8") !== text).map(([path]) => path);
  return [...differing, ...staleFiles(root, files).map((s) => `${s} (no definition produces it any more)`)];
}

async function main(argv: string[]): Promise<number> {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const check = argv.includes("--check");
  const loaded = await loadActions(root);
  for (const s of loaded.skipped) console.log(`skip ${s}`);
  if (loaded.problems.length > 0) {
    console.error(`Cannot generate action metadata:\n  ${loaded.problems.join("\n  ")}`);
    return 1;
  }
  const files = render(loaded.sources);
  const stale = staleFiles(root, files);
  if (check) {
    const wrong = outOfDate(root, files);
    if (wrong.length > 0) {
      console.error(`Generated files are out of date:\n  ${wrong.join("\n  ")}\nRun \`npm run generate\` and commit the result.`);
      return 1;
    }
    console.log(`${files.size} generated files are up to date (${loaded.sources.length} actions).`);
    return 0;
  }
  for (const [path, text] of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    const before = existsSync(join(root, path)) ? readFileSync(join(root, path), "utf8") : undefined;
    if (before !== text) writeFileSync(join(root, path), text);
    console.log(`${before === text ? "unchanged" : "wrote"} ${path}`);
  }
  for (const path of stale) {
    rmSync(join(root, path));
    console.log(`removed ${path} (no definition produces it any more)`);
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
