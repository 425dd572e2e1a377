/** shift-traffic's post step: when the main step did not finish, put the stable weights back (./post-main.ts, loaded with import() once the inputs are valid). */
import { shiftTrafficAction } from "./definition";
import { isMainModule, runAction, type RuntimeOptions } from "../../runtime/run-action";

export function run(options: RuntimeOptions = {}): Promise<boolean> {
  return runAction(shiftTrafficAction, async (settings, ctx) => (await import("./post-main")).main(settings, ctx), { post: true, ...options });
}

if (isMainModule(import.meta.url)) void run();
