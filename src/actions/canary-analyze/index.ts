/** canary-analyze's entry: inputs are validated first; what it does then (src/entries/main/canary-analyze.ts) is loaded with import(). */
import { canaryAnalyzeAction } from "./definition";
import { isMainModule, runAction, type RuntimeOptions } from "../../entries/runtime";

export function run(options: RuntimeOptions = {}): Promise<boolean> {
  return runAction(canaryAnalyzeAction, async (settings, ctx) => (await import("./main")).main(settings, ctx), options);
}

if (isMainModule(import.meta.url)) void run();
