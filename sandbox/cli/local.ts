/**
 * Command line: `npm run local -- <action> [env file] [input=value ...]`.
 * Runs one action's built entry (dist/, through its action.yml) in the local runner (sandbox/runner), as a
 * GitHub runner would: main step, then the post step when its post-if holds. Prints the log as it
 * comes, then the outputs, the state handed to the post step and the step summary, which it also
 * writes to GITHUB_STEP_SUMMARY when the env file names one. Exits 0 when every step succeeded.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { UsageError } from "./cli-args";
import { LOCAL_USAGE, parseDotEnv, parseLocalArgs, planLocalRun, type LocalRun } from "./local-args";

const ROOT = resolve(import.meta.dirname, "..", "..");
/** npm runs scripts in the package's folder; paths on the command line are the caller's. */
const CALLER_DIR = process.env.INIT_CWD ?? process.cwd();
const SANDBOX_HINT = "npm run -s sandbox -- up --time-scale 20 --port 4566";

const say = (line = "") => process.stdout.write(`${line}\n`);

async function readEnvFile(given: string | undefined): Promise<{ file?: string; vars: Record<string, string> }> {
  const file = given ?? (existsSync(resolve(CALLER_DIR, ".env")) ? ".env" : undefined);
  if (file === undefined) return { vars: {} };
  let text: string;
  try {
    text = await readFile(resolve(CALLER_DIR, file), "utf8");
  } catch (error) {
    throw new UsageError(`env file "${file}" cannot be read: ${(error as Error).message}`);
  }
  return { file, vars: parseDotEnv(text, file) };
}

/** Fails at once, saying how to start it, when the endpoint is a loopback address where nothing listens. */
async function checkEndpoint(endpoint: string | undefined): Promise<void> {
  if (endpoint === undefined) {
    say("note: AWS_ENDPOINT_URL is not set, so the action talks to AWS itself with your credentials");
    return;
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new UsageError(`AWS_ENDPOINT_URL "${endpoint}" is not a URL; the sandbox prints its endpoint, e.g. http://127.0.0.1:4566`);
  }
  if (!["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) return;
  try {
    await fetch(new URL("/_sandbox/environment", url), { signal: AbortSignal.timeout(3_000) });
  } catch (error) {
    const why = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new UsageError(`nothing answers at AWS_ENDPOINT_URL ${endpoint} (${why}); start the sandbox first, in another terminal: ${SANDBOX_HINT}`);
  }
}

function printSection(title: string, entries: Record<string, string>): void {
  const names = Object.keys(entries);
  say(`── ${title}${names.length ? "" : ": none"}`);
  for (const name of names) say(`  ${name}=${entries[name]}`);
}

async function runOne(action: string, plan: LocalRun): Promise<number> {
  const { renderMarkdown, runAction } = await import("../runner");
  const show = (line: string) => {
    if (plan.debug || !line.startsWith("##[debug]")) say(`  ${line}`);
  };
  say(`── ${action}: main step`);
  const result = await runAction({
    action: resolve(ROOT, "actions", action),
    inputs: plan.inputs,
    env: plan.env,
    onLog: show,
    onPostStart: () => say(`── ${action}: post step`),
  });
  say(`── ${action}: main step ${result.conclusion} (exit ${result.exitCode}) in ${(result.durationMs / 1000).toFixed(1)} s`);
  if (result.post) say(`── ${action}: post step ${result.post.conclusion} (exit ${result.post.exitCode})`);
  else if (result.postSkipped) say(`── ${action}: post step skipped: ${result.postSkipped}`);
  printSection("outputs", result.outputs);
  printSection("state (for the post step)", result.state);
  const summary = [result.summary, result.post?.summary ?? ""].filter((s) => s.trim() !== "").join("\n");
  if (plan.summaryFile !== undefined) {
    const file = resolve(CALLER_DIR, plan.summaryFile);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, summary, "utf8");
    say(`── step summary, written to ${relative(CALLER_DIR, file) || file}:`);
    say(summary.trim() ? renderMarkdown(summary) : "  (empty)");
  } else {
    say("── step summary (markdown; set GITHUB_STEP_SUMMARY in the env file to write it to a file):");
    say(summary.trim() ? summary.trimEnd() : "(empty)");
  }
  const ok = result.conclusion === "success" && (result.post === undefined || result.post.conclusion === "success");
  return ok ? 0 : 1;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    say(LOCAL_USAGE);
    return 0;
  }
  const args = parseLocalArgs(argv);
  const { file, vars } = await readEnvFile(args.envFile);
  const { loadActionDefinition } = await import("../runner");
  const definition = await loadActionDefinition(resolve(ROOT, "actions", args.action));
  const plan = planLocalRun(args.action, Object.keys(definition.inputs), vars, args.inputs, file);
  say(`${args.action} on node ${process.version} with ${file === undefined ? "no env file" : file}: ${Object.entries(plan.inputs).map(([k, v]) => `${k}=${v}`).join(" ") || "no inputs"}`);
  for (const line of plan.ignored) say(`ignored ${line}`);
  await checkEndpoint(plan.env.AWS_ENDPOINT_URL ?? process.env.AWS_ENDPOINT_URL);
  return runOne(args.action, plan);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`local: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
