/** rolling-update's entry, for tests and source runs (the build makes dist/rolling-update/index.js from a template that does the same): inputs are validated first; what it does then (./main.ts) is loaded with import(). */
import { rollingUpdateAction } from "./definition";
import { isMainModule, runAction, type RuntimeOptions } from "../../runtime/run-action";

export function run(options: RuntimeOptions = {}): Promise<boolean> {
  return runAction(rollingUpdateAction, async (settings, ctx) => (await import("./main")).main(settings, ctx), options);
}

if (isMainModule(import.meta.url)) void run();
