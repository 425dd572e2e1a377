// Cold start of each built action when its inputs are missing (the validation-failure path), against
// a bare `node -e 0`: runs them alternately, N times each, and prints the medians.
//
//   node scripts/cold-start.mjs [runs=11]
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const runs = Number(process.argv[2] ?? 11);
const { actions } = JSON.parse(readFileSync(join(root, "scripts/actions.json"), "utf8"));
const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" };

// Wall time is what a workflow waits for; CPU time (user + sys, from GNU time when installed) is
// less disturbed by other load on the machine.
const gnuTime = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

function time(args) {
  const command = gnuTime ? [gnuTime, ["-f", "cpu %U %S", process.execPath, ...args]] : [process.execPath, args];
  const start = process.hrtime.bigint();
  const result = spawnSync(command[0], command[1], { cwd: root, env, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(result.stderr ?? "");
  return { ms, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : undefined, status: result.status };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const entries = actions.map((a) => a.name).filter((name) => existsSync(join(root, "dist", name, "index.js")));
for (const a of actions) if (!entries.includes(a.name)) console.log(`skip ${a.name}: dist/${a.name}/index.js is not built`);
const samples = { "node -e 0": { wall: [], cpu: [] } };
for (const name of entries) samples[name] = { wall: [], cpu: [] };
const record = (key, t) => {
  samples[key].wall.push(t.ms);
  if (t.cpuMs !== undefined) samples[key].cpu.push(t.cpuMs);
};
for (let i = 0; i < runs; i++) {
  record("node -e 0", time(["-e", "0"]));
  for (const name of entries) {
    const t = time([join("dist", name, "index.js")]);
    if (t.status !== 1) throw new Error(`dist/${name}/index.js exited ${t.status} without inputs; expected 1`);
    record(name, t);
    record("node -e 0", time(["-e", "0"]));
  }
}
const base = samples["node -e 0"];
const baseWall = median(base.wall);
const baseCpu = base.cpu.length ? median(base.cpu) : undefined;
console.log(`median of ${runs} runs each, alternating with node -e 0 (${process.version})`);
const rows = [["command", "wall", "over node -e 0", "cpu", "over node -e 0"]];
const fmt = (ms) => (ms === undefined ? "n/a" : `${ms.toFixed(1)} ms`);
const over = (ms, b) => (ms === undefined || b === undefined ? "n/a" : `+${(ms - b).toFixed(1)} ms`);
for (const [name, s] of Object.entries(samples)) {
  const wall = median(s.wall);
  const cpu = s.cpu.length ? median(s.cpu) : undefined;
  const isBase = name === "node -e 0";
  rows.push([isBase ? name : `node dist/${name}/index.js`, fmt(wall), isBase ? "" : over(wall, baseWall), fmt(cpu), isBase ? "" : over(cpu, baseCpu)]);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  "));
