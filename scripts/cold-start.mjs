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

function time(args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd: root, env, stdio: "ignore" });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms, status: result.status };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const entries = actions.map((a) => a.name).filter((name) => existsSync(join(root, "dist", name, "index.js")));
for (const a of actions) if (!entries.includes(a.name)) console.log(`skip ${a.name}: dist/${a.name}/index.js is not built`);
const samples = { "node -e 0": [] };
for (const name of entries) samples[name] = [];
for (let i = 0; i < runs; i++) {
  samples["node -e 0"].push(time(["-e", "0"]).ms);
  for (const name of entries) {
    const { ms, status } = time([join("dist", name, "index.js")]);
    if (status !== 1) throw new Error(`dist/${name}/index.js exited ${status} without inputs; expected 1`);
    samples[name].push(ms);
    samples["node -e 0"].push(time(["-e", "0"]).ms);
  }
}
const baseline = median(samples["node -e 0"]);
console.log(`median of ${runs} runs each, alternating with node -e 0 (${process.version})`);
console.log(`${"command".padEnd(32)} ${"median".padStart(9)} ${"over node -e 0".padStart(15)}`);
for (const [name, values] of Object.entries(samples)) {
  const m = median(values);
  const label = name === "node -e 0" ? name : `node dist/${name}/index.js`;
  console.log(`${label.padEnd(32)} ${`${m.toFixed(1)} ms`.padStart(9)} ${name === "node -e 0" ? "" : `+${(m - baseline).toFixed(1)} ms`.padStart(15)}`);
}
