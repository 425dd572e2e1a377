/**
 * Runs the sandbox's load generator on its own thread, so that 200 requests a second of client work do
 * not share an event loop with the sandbox they measure. It answers {ready} once loaded. Messages:
 * {start} starts the first run (answers {started}); {next: phase} starts the next phase's
 * run and stops the current one; {stop: phase} stops the current one. Each answers with {phase, report}.
 */
import { parentPort, workerData } from "node:worker_threads";
import { startLoad, type LoadRun } from "../../sandbox/aws";

const { url, rps } = workerData as { url: string; rps: number };
const port = parentPort;
if (!port) throw new Error("load-worker.ts runs only as a worker thread");

let run: LoadRun | undefined;
port.on("message", (message: { start?: true; next?: string; stop?: string }) => {
  if (message.start) {
    run = startLoad({ url, rps });
    port.postMessage({ started: true });
    return;
  }
  const phase = message.next ?? message.stop ?? "unnamed";
  const current = run;
  if (!current) throw new Error(`load-worker: "${phase}" asked before start`);
  if (message.next) run = startLoad({ url, rps });
  void current.stop().then((report) => {
    port.postMessage({ phase, report: { ...report, timeline: [] } });
    if (message.stop) port.close();
  });
});
port.postMessage({ ready: true });
