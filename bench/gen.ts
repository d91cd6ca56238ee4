// `npm run bench:gen`: how long `vmstate gen` takes, each run a fresh process as in a build: the
// project's schemas without the cache and with it, and synthetic schemas of 1, 1 000 and 10 000
// fields. The growth from 1 000 to 10 000 fields says whether generation is linear in schema size.
// The last line is one JSON object with the medians.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../fuzz/fixtures.js";
import { syntheticSchema } from "./synthetic.js";

const root = packageRoot;
const cli = join(root, "dist", "bin", "vmstate.js");
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 5);
/** Runs of the 10 000-field schema: several seconds each. */
const BIG_RUNS = Number(process.env["BENCH_GEN_BIG_RUNS"] ?? 3);
/** Field counts of the synthetic schemas; the growth is that of the last over the one before. */
const SIZES = (process.env["BENCH_GEN_FIELDS"] ?? "1,1000,10000").split(",").map(Number);

/** Wall-clock seconds of one `vmstate …` process; fails unless it exits with `status`. */
function run(args: readonly string[], cwd: string, status = 0): number {
  const start = performance.now();
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd,
    encoding: "utf8",
    maxBuffer: 64 << 20,
    timeout: 30 * 60_000,
  });
  const seconds = (performance.now() - start) / 1000;
  if (r.status !== status)
    throw new Error(
      `vmstate ${args.join(" ")} exited with ${r.status ?? r.signal}: ${r.stdout}${r.stderr}`,
    );
  return seconds;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function times(label: string, n: number, once: () => number): number {
  const all = Array.from({ length: n }, once);
  const m = median(all);
  const spread =
    n > 1
      ? `   (${Math.min(...all).toFixed(2)} to ${Math.max(...all).toFixed(2)}, ${n} runs)`
      : "   (1 run)";
  console.log(`${label.padEnd(52)}${m.toFixed(2).padStart(8)} s${spread}`);
  return m;
}

function main(): void {
  const scratch = mkdtempSync(join(tmpdir(), "vmstate-bench-gen-"));
  try {
    console.log(
      `node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"} × ${cpus().length}, load average ${loadavg()[0]!.toFixed(2)}; every run a fresh process`,
    );
    console.log("\nproject schemas (schemas/*.vmstate)");
    const out = join(scratch, "project");
    const cold = times("gen, no cache (check, emit, format, verify)", ROUNDS, () =>
      run(["gen", "--no-cache", "--out", out], root),
    );
    run(["gen", "--out", out], root); // fills the cache
    const cachedGen = times("gen, cache warm, nothing changed", ROUNDS, () =>
      run(["gen", "--out", out], root),
    );
    const cachedCheck = times("gen --check, cache warm, nothing changed", ROUNDS, () =>
      run(["gen", "--check", "--out", out], root),
    );

    console.log(
      "\nsynthetic schemas (structs of 50 fields of ten kinds, one section holding them all)",
    );
    const bySize = new Map<number, number>();
    for (const fields of SIZES) {
      const file = join(scratch, `fields-${fields}.vmstate`);
      writeFileSync(file, syntheticSchema(fields));
      const n = fields >= 10000 ? BIG_RUNS : ROUNDS;
      bySize.set(
        fields,
        times(`gen, ${fields} field${fields === 1 ? "" : "s"}`, n, () =>
          run(["gen", "--no-cache", file, "--out", join(scratch, "out")], scratch),
        ),
      );
    }
    const [smallest, mid, largest] = [
      SIZES[0]!,
      SIZES[SIZES.length - 2]!,
      SIZES[SIZES.length - 1]!,
    ];
    const [t1, t1000, t10000] = [smallest, mid, largest].map((s) => bySize.get(s)!) as [
      number,
      number,
      number,
    ];
    const growth = t10000 / t1000;
    const beyondStartup = (t10000 - t1) / (t1000 - t1);
    console.log(
      `\ngrowth from ${mid} to ${largest} fields: ${growth.toFixed(1)}× in wall time, ${beyondStartup.toFixed(1)}× beyond a ${smallest}-field run (linear: ${(largest / mid).toFixed(0)}×)`,
    );

    console.log("\ntargets:");
    const verdict = (ok: boolean, why: string): string =>
      ok ? "met" : `missed: ${why} (docs/performance.md)`;
    const loading = "most of it is loading ts-morph and prettier and their first, unoptimised runs";
    const quadratic =
      "some stage grows faster than the schema; `node --cpu-prof dist/bin/vmstate.js gen …` on the large schema shows which (ts-morph re-parsing the file after each insertion was the last one)";
    console.log(
      `  project schemas, cold          ${cold.toFixed(2)} s   target ≤ 2 s: ${verdict(cold <= 2, loading)}`,
    );
    console.log(
      `  unchanged set, gen / --check   ${cachedGen.toFixed(2)} / ${cachedCheck.toFixed(2)} s   target well under 1 s (≤ 0.5 s): ${verdict(Math.max(cachedGen, cachedCheck) <= 0.5, "the cache is not used")}`,
    );
    console.log(
      `  ${`${largest} vs ${mid} fields`.padEnd(30)} ${growth.toFixed(1)}×   target ≤ 12×: ${verdict(growth <= 12, quadratic)}`,
    );
    const round = (v: number, digits = 2): number => Number(v.toFixed(digits));
    console.log(
      JSON.stringify({
        project_cold_s: round(cold),
        project_cached_gen_s: round(cachedGen),
        project_cached_check_s: round(cachedCheck),
        [`fields_${smallest}_s`]: round(t1),
        [`fields_${mid}_s`]: round(t1000),
        [`fields_${largest}_s`]: round(t10000),
        [`growth_${largest}_vs_${mid}`]: round(growth, 1),
        growth_beyond_startup: round(beyondStartup, 1),
      }),
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main();
