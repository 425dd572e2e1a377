/** Open-loop load in phases, generated on a worker thread (see load-worker.ts). */
import { Worker } from "node:worker_threads";
import type { LoadReport } from "../../sandbox/aws";

export type { LoadReport };

export interface PhasedLoad {
  /** Ends the current phase (its report is returned) and starts the next at once: traffic never pauses. */
  next(finishedPhase: string): Promise<LoadReport>;
  /** Ends the current phase and the worker. */
  stop(finishedPhase: string): Promise<LoadReport>;
}

export async function startPhasedLoad(url: string, rps: number): Promise<PhasedLoad> {
  const worker = new Worker(new URL("./load-worker.mjs", import.meta.url), { workerData: { url, rps } });
  // Wait until the worker has loaded the generator, then start it: no phase loses its first seconds.
  const answer = (expected: string) =>
    new Promise<void>((resolve, reject) => {
      worker.once("message", (m: Record<string, unknown>) => (m[expected] ? resolve() : reject(new Error(`load worker answered ${JSON.stringify(m)}, expected ${expected}`))));
      worker.once("error", reject);
    });
  await answer("ready");
  const started = answer("started");
  worker.postMessage({ start: true });
  await started;
  let failure: Error | undefined;
  worker.on("error", (error) => (failure = error));
  const ask = (message: { next?: string; stop?: string }) =>
    new Promise<LoadReport>((resolve, reject) => {
      if (failure) return reject(failure);
      worker.once("message", (answer: { report: LoadReport }) => resolve(answer.report));
      worker.once("error", reject);
      worker.postMessage(message);
    });
  return {
    next: (phase) => ask({ next: phase }),
    async stop(phase) {
      const report = await ask({ stop: phase });
      await worker.terminate();
      return report;
    },
  };
}
