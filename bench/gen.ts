// `npm run bench:gen`: how long `vmstate gen` and `vmstate check` take, each run a fresh process as
// in a build: the project's schemas without the cache and with it, synthetic schemas of 1, 1 000,
// 10 000 and 100 000 fields, and one of 250 000 constants, with the peak RSS of each. The growth
// between the last two sizes says whether a stage is linear in schema size. A run that fails (out
// of memory, say) is reported as such. The last line is one JSON object with the medians.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { median, rssReporter } from "./processes.js";
import { packageRoot } from "../fuzz/fixtures.js";
import { syntheticSchema } from "./synthetic.js";

const root = packageRoot;
const cli = join(root, "dist", "bin", "vmstate.js");
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 5);
/** Runs of the 10 000-field schema: several seconds each. */
const BIG_RUNS = Number(process.env["BENCH_GEN_BIG_RUNS"] ?? 3);
/** Field counts of the synthetic schemas; the growth is that of the last over the one before. */
const SIZES = (process.env["BENCH_GEN_FIELDS"] ?? "1,1000,10000,100000").split(",").map(Number);
/** Constants of the constants schema (`const C1 = C0 + 1;` …); 0 leaves it out. */
const CONSTANTS = Number(process.env["BENCH_GEN_CONSTANTS"] ?? 250000);

/** The constants schema: a chain of constants and one struct whose array length is the last. */
function constantsSchema(n: number): string {
  const lines = [`// ${n} constants for \`npm run bench:gen\`.`];
  for (let i = 0; i < n; i++) lines.push(`const C${i} = ${i === 0 ? "1" : `C${i - 1} + 1`};`);
  lines.push(
    `struct S "s" version 1 {\n  a: u8[C${n - 1} % 7];\n}\n\nsection s "s" version 1 {\n  s: S;\n}`,
  );
  return `${lines.join("\n")}\n`;
}

/** Seconds and peak RSS (MiB) of one `vmstate …` process, or why it failed. */
function measured(
  args: readonly string[],
  cwd: string,
): { seconds: number; rssMiB: number } | string {
  const rss = join(cwd, `.rss-${process.pid}`);
  const start = performance.now();
  const r = spawnSync(process.execPath, [`--import=${rssReporter}`, cli, ...args], {
    cwd,
    encoding: "utf8",
    maxBuffer: 64 << 20,
    timeout: 30 * 60_000,
    env: { ...process.env, BENCH_RSS: rss },
  });
  const seconds = (performance.now() - start) / 1000;
  if (r.status !== 0) {
    const why = /heap out of memory/.test(r.stderr)
      ? "out of memory (Node's default heap limit)"
      : `exit ${r.status ?? r.signal}`;
    return `${why} after ${seconds.toFixed(1)} s`;
  }
  let rssMiB = NaN;
  try {
    rssMiB = Number(readFileSync(rss, "utf8")) / 1024;
    rmSync(rss);
  } catch {
    // No report: the figure stays unknown.
  }
  return { seconds, rssMiB };
}

/** Median seconds and the largest peak RSS of `n` runs; undefined, printed, when a run fails. */
function sized(
  label: string,
  n: number,
  args: readonly string[],
  cwd: string,
): { seconds: number; rssMiB: number } | undefined {
  const all: { seconds: number; rssMiB: number }[] = [];
  for (let i = 0; i < n; i++) {
    const m = measured(args, cwd);
    if (typeof m === "string") {
      console.log(`${label.padEnd(52)}   did not finish: ${m}`);
      return undefined;
    }
    all.push(m);
  }
  const seconds = median(all.map((m) => m.seconds));
  const rssMiB = Math.max(...all.map((m) => m.rssMiB));
  console.log(
    `${label.padEnd(52)}${seconds.toFixed(2).padStart(8)} s   ${rssMiB.toFixed(0).padStart(5)} MiB peak   (${n} run${n === 1 ? "" : "s"})`,
  );
  return { seconds, rssMiB };
}

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
    const gens = new Map<number, { seconds: number; rssMiB: number } | undefined>();
    const checks = new Map<number, { seconds: number; rssMiB: number } | undefined>();
    for (const fields of SIZES) {
      const file = join(scratch, `fields-${fields}.vmstate`);
      writeFileSync(file, syntheticSchema(fields));
      const n = fields >= 100000 ? 1 : fields >= 10000 ? BIG_RUNS : ROUNDS;
      const name = `${fields} field${fields === 1 ? "" : "s"}`;
      checks.set(fields, sized(`check, ${name}`, n, ["check", file], scratch));
      gens.set(
        fields,
        sized(
          `gen, ${name}`,
          n,
          ["gen", "--no-cache", file, "--out", join(scratch, "out")],
          scratch,
        ),
      );
    }
    let constants: {
      check?: { seconds: number; rssMiB: number };
      gen?: { seconds: number; rssMiB: number };
    } = {};
    if (CONSTANTS > 0) {
      console.log(`\na chain of ${CONSTANTS} constants and one struct`);
      const file = join(scratch, "constants.vmstate");
      writeFileSync(file, constantsSchema(CONSTANTS));
      const check = sized(`check, ${CONSTANTS} constants`, 1, ["check", file], scratch);
      const gen = sized(
        `gen, ${CONSTANTS} constants`,
        1,
        ["gen", "--no-cache", file, "--out", join(scratch, "out")],
        scratch,
      );
      constants = { ...(check ? { check } : {}), ...(gen ? { gen } : {}) };
    }
    const [smallest, mid, largest] = [
      SIZES[0]!,
      SIZES[SIZES.length - 2]!,
      SIZES[SIZES.length - 1]!,
    ];
    const growthOf = (of: typeof gens): number =>
      (of.get(largest)?.seconds ?? NaN) / (of.get(mid)?.seconds ?? NaN);
    const growth = growthOf(gens);
    const checkGrowth = growthOf(checks);
    const t1 = gens.get(smallest)?.seconds ?? NaN;
    const beyondStartup =
      ((gens.get(largest)?.seconds ?? NaN) - t1) / ((gens.get(mid)?.seconds ?? NaN) - t1);
    console.log(
      `\ngrowth from ${mid} to ${largest} fields: gen ${growth.toFixed(1)}× in wall time (${beyondStartup.toFixed(1)}× beyond a ${smallest}-field run), check ${checkGrowth.toFixed(1)}× (linear: ${(largest / mid).toFixed(0)}×)`,
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
    const peak = Math.max(
      ...[...gens.values(), ...checks.values(), constants.check, constants.gen].map(
        (m) => m?.rssMiB ?? Infinity,
      ),
    );
    const largestGen = gens.get(largest)?.seconds ?? Infinity;
    const largestCheck = checks.get(largest)?.seconds ?? Infinity;
    console.log(
      `  ${`${largest} vs ${mid} fields`.padEnd(30)} gen ${growth.toFixed(1)}×, check ${checkGrowth.toFixed(1)}×   target ≤ 12×: ${verdict(growth <= 12 && checkGrowth <= 12, quadratic)}`,
    );
    console.log(
      `  ${`${largest} fields`.padEnd(30)} check ${largestCheck.toFixed(2)} s, gen ${largestGen.toFixed(2)} s   target ≤ 5 s and ≤ 30 s: ${verdict(largestCheck <= 5 && largestGen <= 30, "prettier, the verifier's parse and TypeScript's type check of the module grow with the module (docs/performance.md)")}`,
    );
    console.log(
      `  peak RSS of any run            ${peak.toFixed(0)} MiB   target ≤ 1 024 MiB: ${verdict(peak <= 1024, "a run that did not finish counts as over")}`,
    );
    const round = (v: number, digits = 2): number => Number(v.toFixed(digits));
    const figure = (m: { seconds: number } | undefined): number | null =>
      m === undefined ? null : round(m.seconds);
    console.log(
      JSON.stringify({
        project_cold_s: round(cold),
        project_cached_gen_s: round(cachedGen),
        project_cached_check_s: round(cachedCheck),
        ...Object.fromEntries(SIZES.map((f) => [`fields_${f}_s`, figure(gens.get(f))])),
        ...Object.fromEntries(SIZES.map((f) => [`check_fields_${f}_s`, figure(checks.get(f))])),
        [`growth_${largest}_vs_${mid}`]: round(growth, 1),
        [`check_growth_${largest}_vs_${mid}`]: round(checkGrowth, 1),
        growth_beyond_startup: round(beyondStartup, 1),
        ...(CONSTANTS > 0
          ? { constants_check_s: figure(constants.check), constants_gen_s: figure(constants.gen) }
          : {}),
        peak_rss_mib: Number.isFinite(peak) ? round(peak, 0) : null,
      }),
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main();
