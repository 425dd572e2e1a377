/** health-gate's entry: inputs are validated first; what it does then (src/entries/main/health-gate.ts) is loaded with import(). */
import type { Fetch } from "../../util/node-fetch";
import { healthGateAction } from "./definition";
import { isMainModule, runAction, type RuntimeOptions } from "../../entries/runtime";

export function run(options: RuntimeOptions & { fetch?: Fetch } = {}): Promise<boolean> {
  return runAction(healthGateAction, async (settings, ctx) => (await import("./main")).main(settings, ctx, options.fetch), options);
}

if (isMainModule(import.meta.url)) void run();
