// Timing for the codec benchmarks: one mitata measurement of a function, as the median time per
// call, with batches of calls long enough that garbage collection lands in every sample.

import { measure } from "mitata";

export { median } from "./processes.js";

function positive(name: string, fallback: number): number {
  const v = Number(process.env[name] ?? fallback);
  if (!(v > 0)) throw new Error(`${name} must be a positive number`);
  return v;
}

/** Interleaved rounds of every contender. */
export const ROUNDS = positive("BENCH_ROUNDS", 7);
/** CPU time mitata spends on one contender in one round. */
export const MEASURE_MS = positive("BENCH_MEASURE_MS", 150);
/** Each sample averages a batch of calls about this long. */
const SAMPLE_NS = 1_000_000;

/** node --expose-gc gives a collection before each measurement (mitata's fallback would allocate 1 GiB instead). */
export const collect = (globalThis as { gc?: () => void }).gc;

/** Median nanoseconds per call of one mitata measurement. */
export async function time(run: () => unknown): Promise<number> {
  let calls = 0;
  const start = performance.now();
  do {
    run();
    calls++;
  } while (performance.now() - start < 20);
  const perCall = ((performance.now() - start) * 1e6) / calls;
  const batch = perCall >= SAMPLE_NS / 2 ? 1 : Math.max(4, Math.round(SAMPLE_NS / perCall / 4) * 4);
  const stats = await measure(run, {
    min_cpu_time: MEASURE_MS * 1e6,
    batch_samples: batch,
    batch_unroll: batch === 1 ? 1 : 4,
    batch_threshold: batch === 1 ? 0 : Number.MAX_SAFE_INTEGER,
    warmup_threshold: Number.MAX_SAFE_INTEGER,
    gc: collect ?? false,
  });
  return stats.p50;
}

export function show(ns: number): string {
  return ns >= 1e6
    ? `${(ns / 1e6).toFixed(2)} ms`
    : ns >= 1e3
      ? `${(ns / 1e3).toFixed(1)} µs`
      : `${ns.toFixed(0)} ns`;
}
