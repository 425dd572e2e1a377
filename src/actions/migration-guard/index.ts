/** migration-guard's entry, for tests and source runs (the build makes dist/migration-guard/index.js from a template that does the same): inputs are validated first; what it does then (./main.ts) is loaded with import(). */
import { migrationGuardAction } from "./definition";
import { isMainModule, runAction, type RuntimeOptions } from "../../runtime/run-action";

export function run(options: RuntimeOptions = {}): Promise<boolean> {
  return runAction(migrationGuardAction, async (settings, ctx) => (await import("./main")).main(settings, ctx), options);
}

if (isMainModule(import.meta.url)) void run();
