/** shift-traffic's entry: inputs are validated first; what it does then (src/entries/main/shift-traffic.ts) is loaded with import(). */
import { shiftTrafficAction } from "./definition";
import { isMainModule, runAction, type RuntimeOptions } from "../../entries/runtime";

export function run(options: RuntimeOptions = {}): Promise<boolean> {
  return runAction(shiftTrafficAction, async (settings, ctx) => (await import("./main")).main(settings, ctx), options);
}

if (isMainModule(import.meta.url)) void run();
