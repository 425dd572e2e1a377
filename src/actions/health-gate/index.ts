/** health-gate's entry, for tests and source runs (the build makes dist/health-gate/index.js from a template that does the same): inputs are validated first; what it does then (./main.ts) is loaded with import(). */
import type { Fetch } from "../../util/node-fetch";
import { healthGateAction } from "./definition";
import { isMainModule, runAction, type RuntimeOptions } from "../../runtime/run-action";

export function run(options: RuntimeOptions & { fetch?: Fetch } = {}): Promise<boolean> {
  return runAction(healthGateAction, async (settings, ctx) => (await import("./main")).main(settings, ctx, options.fetch), options);
}

if (isMainModule(import.meta.url)) void run();
