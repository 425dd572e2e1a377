/** deploy-green's entry: inputs are validated first; what it does then (src/entries/main/deploy-green.ts) is loaded with import(). */
import { deployGreenDefinition } from "./definition";
import { isMainModule, runAction, type RuntimeOptions } from "../../entries/runtime";

export function run(options: RuntimeOptions = {}): Promise<boolean> {
  return runAction(deployGreenDefinition, async (settings, ctx) => (await import("./main")).main(settings, ctx), options);
}

if (isMainModule(import.meta.url)) void run();
