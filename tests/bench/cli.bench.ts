/**
 * `npm run bench:cli`: how long the command line takes to start. Runs, interleaved, BENCH_RUNS times each (default
 * 15): the whole `npm run -s cli -- datasets`, node's part (`node lib/cli/run.cjs datasets`) and a bare `node -e 1`;
 * prints their medians, the command line's own start (node's part minus bare node) against the 0.1 s target, and
 * the load average. The build and its code cache are made first, outside the timings.
 */
import { spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const NODE_PART: [string, ...string[]] = [process.execPath, path.join(ROOT, "lib/cli/run.cjs"), "datasets"];
const commands: Record<string, [string, ...string[]]> = {
  "npm run -s cli -- datasets": ["npm", "run", "-s", "cli", "--", "datasets"],
  "node lib/cli/run.cjs datasets": NODE_PART,
  "node -e 1": [process.execPath, "-e", "1"],
};

function time([cmd, ...args]: [string, ...string[]]): number {
  const s = performance.now();
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: "ignore" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: exit ${r.status}`);
  return performance.now() - s;
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(" ");
console.log(`load average before: ${load()}`);
time(NODE_PART);
time(NODE_PART);
const times: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
for (let i = 0; i < RUNS; i++) for (const [k, c] of Object.entries(commands)) (times[k] ??= []).push(time(c));
const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
for (const [k, v] of Object.entries(m)) console.log(`${k.padEnd(32)} median ${v.toFixed(1)} ms (${RUNS} runs)`);
const own = (m["node lib/cli/run.cjs datasets"] ?? NaN) - (m["node -e 1"] ?? NaN);
console.log(`the command line's own start: ${own.toFixed(1)} ms (target < 100 ms: ${own < 100 ? "met" : "NOT met"})`);
console.log(`load average after: ${load()}`);
