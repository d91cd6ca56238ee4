// What the whole-process benchmarks (bench:cli, bench:gen, bench:stream) share: the median of their
// runs and a reporter of each child's peak RSS.

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A module for `node --import` that writes the process's peak RSS (KiB) where BENCH_RSS says. */
export const rssReporter = `data:text/javascript,${encodeURIComponent(
  'import { writeFileSync } from "node:fs"; process.on("exit", () => writeFileSync(process.env.BENCH_RSS, String(process.resourceUsage().maxRSS)));',
)}`;
