/**
 * Part 1: cold start of every bundle on its validation-failure path (no inputs), whole process, as a
 * ratio to `node -e 0` run alternately in the same loop; peak RSS from inside; bundle sizes.
 */
import { readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ACTIONS, bundlePath, type BenchContext } from "../context";
import { bareEnv } from "../env";
import { runNode, tail } from "../proc";
import { budgeted, info, type PartResult, type Row } from "../report";
import { pairedRatio, summarize } from "../stats";


/** Files reached from `entry` through static `import … from "x"`, `import "x"` and `export … from "x"` (dynamic import() excluded). */
export function staticGraph(entry: string, read: (path: string) => string = (p) => readFileSync(p, "utf8")): string[] {
  const seen = new Set<string>();
  const pending = [resolve(entry)];
  const staticImport = /(?:^|[;\n}])\s*(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?["']([^"']+)["']/g;
  while (pending.length) {
    const file = pending.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = read(file);
    for (const match of text.matchAll(staticImport)) {
      const spec = match[1] as string;
      if (spec.startsWith(".")) pending.push(resolve(dirname(file), spec));
    }
  }
  return [...seen];
}

export async function coldStart(ctx: BenchContext): Promise<PartResult> {
  const runs = Math.max(20, ctx.runs);
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  const env = bareEnv();
  for (const action of ACTIONS) {
    const entry = bundlePath(ctx, action);
    // One untimed run of each so the file cache is warm for both.
    await runNode([entry], { env, cwd: ctx.root });
    await runNode(["-e", "0"], { env, cwd: ctx.root });
    const bundleMs: number[] = [];
    const baseMs: number[] = [];
    const bundleCpu: number[] = [];
    const baseCpu: number[] = [];
    const bundleRss: number[] = [];
    const baseRss: number[] = [];
    for (let i = 0; i < runs; i++) {
      // Alternate which goes first so neither always follows the other.
      const order = i % 2 === 0 ? ["bundle", "base"] : ["base", "bundle"];
      for (const which of order) {
        const run = await runNode(which === "bundle" ? [entry] : ["-e", "0"], { env, cwd: ctx.root, rss: true, timeoutMs: 30_000 });
        if (run.maxRssMiB === undefined || run.cpuMs === undefined) throw new Error(`${which === "bundle" ? action : "node -e 0"} printed no resource usage at exit:\n${tail(run)}`);
        if (which === "bundle") {
          if (run.code === 0 || run.code === null) throw new Error(`${action} with no inputs exited ${run.code} (${run.signal ?? "no signal"}); expected a validation failure:\n${tail(run)}`);
          bundleMs.push(run.wallMs);
          bundleCpu.push(run.cpuMs);
          bundleRss.push(run.maxRssMiB);
        } else {
          baseMs.push(run.wallMs);
          baseCpu.push(run.cpuMs);
          baseRss.push(run.maxRssMiB);
        }
      }
    }
    const bundle = summarize(bundleMs);
    const base = summarize(baseMs);
    const r = pairedRatio(bundleMs, baseMs);
    const overMs = bundle.median - 1.3 * base.median;
    rows.push(
      budgeted(
        { part: "cold-start", metric: `${action} wall / node -e 0`, unit: "×", value: r, note: `${Math.round(bundle.median)} ms vs ${Math.round(base.median)} ms (medians, validation-failure path)` },
        1.3,
        "≤ 1.3×",
        `cut about ${Math.max(1, Math.ceil(overMs))} ms of wall time at this machine's speed (load less before inputs are validated; defer chunks to import())`,
      ),
    );
    const cpu = pairedRatio(bundleCpu, baseCpu);
    rows.push(info({ part: "cold-start", metric: `${action} CPU / node -e 0`, unit: "×", value: cpu, note: `user+system ${summarize(bundleCpu).median.toFixed(0)} ms vs ${summarize(baseCpu).median.toFixed(0)} ms; less sensitive than wall time to other load on the machine` }));
    const rss = summarize(bundleRss);
    const baseRssMedian = summarize(baseRss).median;
    rows.push(
      budgeted(
        { part: "cold-start", metric: `${action} peak RSS`, unit: "MiB", value: rss, note: `node -e 0: ${baseRssMedian.toFixed(1)} MiB, so the bundle adds ${(rss.median - baseRssMedian).toFixed(1)} MiB` },
        45,
        "≤ 45 MiB",
        `${(rss.median - 45).toFixed(1)} MiB less would have to be loaded before validation fails (node alone takes ${baseRssMedian.toFixed(1)} MiB)`,
      ),
    );
    const files = staticGraph(entry);
    const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
    rows.push(
      budgeted(
        { part: "cold-start", metric: `${action} bundle (entry + static chunks)`, unit: "KB", value: bytes / 1000, note: `${files.length} files` },
        500,
        "≤ 500 KB",
        "move what is not needed on every run behind import()",
      ),
    );
    details[action] = { bundleMs, baseMs, bundleCpuMs: bundleCpu, baseCpuMs: baseCpu, bundleRssMiB: bundleRss, baseRssMiB: baseRss, staticFiles: files.map((f) => f.slice(ctx.root.length + 1)), staticBytes: bytes };
  }
  return { name: "cold-start", rows, details };
}
