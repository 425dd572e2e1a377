/**
 * Command line: `npm run -s sandbox -- up [--config file | --template file [--parameter K=V]...] [--time-scale N] [--port N] [--seed N]`
 * (`-s` keeps npm's banner off standard output). Prints one line of JSON describing the environment,
 * runs until SIGINT/SIGTERM, then closes everything. On a terminal, standard error also gets the
 * `export` line that points the SDK and the AWS CLI at it.
 */
import type { StartSandboxOptions } from "../aws";
import { loadConfig, parseArgs, UsageError } from "./cli-args";

async function main(): Promise<number> {
  const flags = parseArgs(process.argv.slice(2));
  const options: StartSandboxOptions = {};
  if (flags.config !== undefined) options.config = (await loadConfig(flags.config)) as never;
  if (flags.template !== undefined) {
    const { loadTemplateFile } = await import("../aws");
    const built = await loadTemplateFile(flags.template, { parameters: flags.parameters ?? {} });
    options.config = built.config;
    if (built.notModelled.length) process.stderr.write(`sandbox: checked, not modelled (no network or IAM in the sandbox): ${built.notModelled.join(", ")}\n`);
  }
  if (flags.timeScale !== undefined) options.timeScale = flags.timeScale;
  if (flags.port !== undefined) options.port = flags.port;
  if (flags.seed !== undefined) options.seed = flags.seed;
  // Loaded only once the flags are valid, so a usage error answers at once.
  const { startSandbox } = await import("../aws");
  const sandbox = await startSandbox(options);
  process.stdout.write(`${JSON.stringify(sandbox.environment)}\n`);
  if (process.stderr.isTTY) {
    const region = sandbox.environment.region;
    process.stderr.write(`# export AWS_ENDPOINT_URL=${sandbox.endpoint} AWS_REGION=${region} AWS_DEFAULT_REGION=${region} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test\n`);
  }
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await sandbox.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`sandbox: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
