// `npm run bench:cli`: how long the commands a build or a debugging session runs take to start, each
// run a fresh `node dist/bin/vmstate.js …` process, against `node -e 0` in the same rounds. The
// contenders take turns within each round and the figures are medians; the ratios are what the
// targets of docs/performance.md are stated in. The last line is one JSON object with the ratios.

import { spawnSync } from "node:child_process";
import { mkdtempSync, openSync, closeSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { median } from "./processes.js";
import { fixturesDir, packageRoot } from "../fuzz/fixtures.js";

const cli = join(packageRoot, "dist", "bin", "vmstate.js");
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 15);

interface Contender {
  /** The key of its ratio in the JSON line. */
  readonly key: string;
  readonly label: string;
  readonly args: readonly string[];
  /** At most this many times `node -e 0`. */
  readonly target: number;
}

/** Wall-clock seconds of one process run in the package root; fails unless it exits 0. */
function timed(args: readonly string[]): number {
  const devNull = openSync("/dev/null", "w");
  try {
    const start = performance.now();
    const r = spawnSync(process.execPath, args, {
      cwd: packageRoot,
      stdio: ["ignore", devNull, "pipe"],
      encoding: "utf8",
      timeout: 120_000,
    });
    const seconds = (performance.now() - start) / 1000;
    if (r.status !== 0)
      throw new Error(`node ${args.join(" ")} exited with ${r.status ?? r.signal}: ${r.stderr}`);
    return seconds;
  } finally {
    closeSync(devNull);
  }
}

function main(): void {
  const scratch = mkdtempSync(join(tmpdir(), "vmstate-bench-cli-"));
  try {
    const dump = (machine: string): string => join(fixturesDir, `vmstate-dump-${machine}.json`);
    const contenders: Contender[] = [
      { key: "version", label: "vmstate --version", args: ["--version"], target: 1.5 },
      {
        key: "check",
        label: "vmstate check schemas/virtio-net.vmstate",
        args: ["check", join("schemas", "virtio-net.vmstate")],
        target: 4,
      },
      {
        key: "decode",
        label: "vmstate decode idle-pc.stream (0.6 MB)",
        args: [
          "decode",
          join(fixturesDir, "streams", "idle-pc.stream"),
          "-o",
          join(scratch, "idle-pc.json"),
        ],
        target: 5,
      },
      {
        key: "compat",
        label: "vmstate compat --qemu-dump (pc → q35 dumps)",
        args: ["compat", "--qemu-dump", dump("pc"), dump("q35")],
        target: 4,
      },
      {
        key: "gen_check",
        label: "vmstate gen --check, nothing changed",
        args: ["gen", "--check"],
        target: 3,
      },
    ];
    // gen --check of an unchanged set reads the cache that `npm run gen` (or this run) fills.
    timed([cli, "gen", "--check"]);
    const baseline: number[] = [];
    const samples = contenders.map(() => [] as number[]);
    for (let round = 0; round < ROUNDS; round++) {
      baseline.push(timed(["-e", "0"]));
      contenders.forEach((c, i) => samples[i]!.push(timed([cli, ...c.args])));
    }
    const base = median(baseline);
    console.log(
      `node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"} × ${cpus().length}, load average ${loadavg()[0]!.toFixed(2)}; ${ROUNDS} interleaved rounds, medians, every run a fresh process\n`,
    );
    console.log(`${"node -e 0".padEnd(48)}${(base * 1000).toFixed(0).padStart(6)} ms`);
    const ratios: Record<string, number> = {};
    contenders.forEach((c, i) => {
      const m = median(samples[i]!);
      const ratio = m / base;
      ratios[`${c.key}_x`] = Number(ratio.toFixed(2));
      const verdict = ratio <= c.target ? "met" : "missed";
      console.log(
        `${c.label.padEnd(48)}${(m * 1000).toFixed(0).padStart(6)} ms   ${ratio.toFixed(2)}× node -e 0   target ≤ ${c.target}×: ${verdict}`,
      );
    });
    console.log(JSON.stringify({ node_e0_ms: Number((base * 1000).toFixed(1)), ...ratios }));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main();
