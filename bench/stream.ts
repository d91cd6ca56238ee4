// `npm run bench:stream`: `vmstate decode` and `vmstate encode` of a stream of several gigabytes
// that QEMU writes (a paused guest of BENCH_STREAM_MIB MiB of RAM, 2500 by default, every page of
// it non-zero: test/support/qemu.ts), against `cat FILE > /dev/null` and `cp`, and, when
// VMSTATE_ANALYZE_MIGRATION names a copy of QEMU's scripts/analyze-migration.py, against QEMU's
// own reader, on that stream and on each fixture stream. Every run is a fresh process, the
// contenders take turns within each round, and the figures are medians. The streams are made in a
// temporary folder, which is removed at the end. The last line is one JSON object with the ratios.

import { spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
} from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { median, rssReporter } from "./processes.js";
import { fixturesDir, packageRoot, streamNames, streamParams } from "../fuzz/fixtures.js";
import { ARENA_START, Checksum, createArena, type Arena } from "../stream/checksum.js";
import { CHUNK } from "../stream/window.js";
import { qemuVersion, ramStream } from "../test/support/qemu.js";

const cli = join(packageRoot, "dist", "bin", "vmstate.js");
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 3);
const MIB = Number(process.env["BENCH_STREAM_MIB"] ?? 2500);
const analyzer = process.env["VMSTATE_ANALYZE_MIGRATION"];
const PYTHON = process.env["PYTHON"] ?? "python3";

interface Timed {
  readonly seconds: number;
  /** Peak RSS in MiB, for vmstate runs. */
  readonly rssMiB?: number;
}

/** Runs a command with its standard output to /dev/null; fails unless it exits 0. */
function run(command: string, args: readonly string[], rssFile?: string): Timed {
  const timed = attempt(command, args, rssFile);
  if (typeof timed === "string") throw new Error(timed);
  return timed;
}

/** Runs a command with its standard output to /dev/null: its time, or what went wrong. */
function attempt(command: string, args: readonly string[], rssFile?: string): Timed | string {
  const devNull = openSync("/dev/null", "w");
  try {
    const start = performance.now();
    const r = spawnSync(command, args, {
      stdio: ["ignore", devNull, "pipe"],
      encoding: "utf8",
      env: rssFile === undefined ? process.env : { ...process.env, BENCH_RSS: rssFile },
      timeout: 30 * 60_000,
    });
    const seconds = (performance.now() - start) / 1000;
    if (r.status !== 0)
      return `${command} ${args.join(" ")} exited with ${r.status ?? r.signal}: ${r.stderr}`;
    const rssMiB =
      rssFile !== undefined && existsSync(rssFile)
        ? Number(readFileSync(rssFile, "utf8")) / 1024
        : undefined;
    return rssMiB === undefined ? { seconds } : { seconds, rssMiB };
  } finally {
    closeSync(devNull);
  }
}

function vmstate(args: readonly string[], rssFile: string): Timed {
  return run(process.execPath, [`--import=${rssReporter}`, cli, ...args, "--quiet"], rssFile);
}

/** Whether two files have the same bytes. */
function sameBytes(a: string, b: string): boolean {
  if (statSync(a).size !== statSync(b).size) return false;
  const [fa, fb] = [openSync(a, "r"), openSync(b, "r")];
  const [x, y] = [Buffer.alloc(8 << 20), Buffer.alloc(8 << 20)];
  try {
    for (let at = 0; ; at += x.length) {
      const n = readSync(fa, x, 0, x.length, at);
      if (n === 0) return true;
      if (readSync(fb, y, 0, n, at) !== n || x.compare(y, 0, n, 0, n) !== 0) return false;
    }
  } finally {
    closeSync(fa);
    closeSync(fb);
  }
}

/**
 * Seconds to read a file in this process as decode reads it, CHUNK bytes at a time into an arena's
 * memory (stream/checksum.ts), doing `each` with every piece.
 */
function readThrough(
  file: string,
  each: (from: number, n: number, bytes: Uint8Array) => void,
): number {
  const arena = createArena(ARENA_START + CHUNK);
  return readInto(file, arena, each);
}

function readInto(
  file: string,
  arena: Arena,
  each: (from: number, n: number, bytes: Uint8Array) => void,
): number {
  const fd = openSync(file, "r");
  try {
    const start = performance.now();
    for (let at = 0; ;) {
      const n = readSync(fd, arena.bytes, ARENA_START, CHUNK, at);
      if (n === 0) break;
      each(ARENA_START, n, arena.bytes);
      at += n;
    }
    return (performance.now() - start) / 1000;
  } finally {
    closeSync(fd);
  }
}

/** What the RAM checksum costs, against SHA-256 of the same bytes (docs/streams.md, "RAM"). */
function checksumCost(file: string): void {
  const timed = (label: string, once: () => number): void => {
    line(
      label,
      Array.from({ length: ROUNDS }, () => ({ seconds: once() })),
    );
  };
  console.log(`\nthe stream read in this process, ${CHUNK >> 10} KiB at a time`);
  timed("read", () => readThrough(file, () => {}));
  timed("read + the RAM checksum", () => {
    const arena = createArena(ARENA_START + CHUNK);
    const sum = new Checksum(arena);
    sum.reset();
    const seconds = readInto(file, arena, (from, n) => sum.update(from, n));
    sum.digest();
    return seconds;
  });
  timed("read + SHA-256", () => {
    const hash = createHash("sha256");
    return readThrough(file, (from, n, bytes) => hash.update(bytes.subarray(from, from + n)));
  });
}

interface Contender {
  readonly name: string;
  readonly run: () => Timed;
}

/** Rounds of every contender, each round starting at the next one; the times of each, by name. */
function rounds(contenders: readonly Contender[], n: number): Map<string, Timed[]> {
  const times = new Map<string, Timed[]>(contenders.map((c) => [c.name, []]));
  for (let round = 0; round < n; round++)
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(round + k) % contenders.length]!;
      times.get(c.name)!.push(c.run());
    }
  return times;
}

function line(label: string, times: readonly Timed[]): number {
  const seconds = times.map((t) => t.seconds);
  const m = median(seconds);
  const rss = times.flatMap((t) => (t.rssMiB === undefined ? [] : [t.rssMiB]));
  console.log(
    `${label.padEnd(44)}${m.toFixed(3).padStart(8)} s   (${Math.min(...seconds).toFixed(3)} to ${Math.max(...seconds).toFixed(3)}, ${seconds.length} runs)` +
      (rss.length ? `   peak RSS ${Math.max(...rss).toFixed(0)} MiB` : ""),
  );
  return m;
}

function verdict(name: string, value: number, target: number): string {
  return `  ${name.padEnd(34)}${value.toFixed(2).padStart(6)}   target ≤ ${target}: ${value <= target ? "met" : `missed by ${Math.round((value / target - 1) * 100)}%`}`;
}

async function main(): Promise<void> {
  if (!qemuVersion())
    throw new Error(
      "bench:stream makes its stream with qemu-system-x86_64, which is not installed",
    );
  if (analyzer !== undefined && !existsSync(analyzer))
    throw new Error(`VMSTATE_ANALYZE_MIGRATION=${analyzer}: no such file`);
  const scratch = mkdtempSync(join(tmpdir(), "vmstate-bench-stream-"));
  const cleanUp = (): void => rmSync(scratch, { recursive: true, force: true });
  process.once("SIGINT", () => {
    cleanUp();
    process.exit(130);
  });
  try {
    console.log(
      `node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"} × ${cpus().length}, load average ${loadavg()[0]!.toFixed(2)}; every run a fresh process, ${ROUNDS} rounds`,
    );
    const made = performance.now();
    const stream = await ramStream(scratch, MIB, join(scratch, "guest.stream"));
    const size = statSync(stream).size;
    console.log(
      `\nQEMU (${qemuVersion()}) wrote the stream of a paused ${MIB} MiB guest: ${size} bytes, in ${((performance.now() - made) / 1000).toFixed(1)} s`,
    );
    const doc = join(scratch, "guest.json");
    const rss = join(scratch, "rss");
    // Once before timing: the stream is read into the page cache, and encode has its document.
    run("cat", [stream]);
    vmstate(["decode", stream, "-o", doc], rss);
    const encoded = join(scratch, "encoded.stream");
    vmstate(["encode", doc, "-o", encoded], rss);
    if (!sameBytes(encoded, stream))
      throw new Error("encode did not give the stream back byte for byte");
    rmSync(encoded);
    console.log("checked: encode gives the stream back byte for byte\n");

    checksumCost(stream);

    const copy = join(scratch, "copy.stream");
    const contenders: Contender[] = [
      { name: "cat", run: () => run("cat", [stream]) },
      {
        name: "decode",
        run: () => vmstate(["decode", stream, "-o", join(scratch, "timed.json")], rss),
      },
      {
        name: "cp",
        run: () => {
          const t = run("cp", [stream, copy]);
          rmSync(copy);
          return t;
        },
      },
      {
        name: "encode",
        run: () => {
          const t = vmstate(["encode", doc, "-o", encoded], rss);
          rmSync(encoded);
          return t;
        },
      },
      ...(analyzer === undefined
        ? []
        : [{ name: "analyze", run: () => run(PYTHON, [analyzer, "-f", stream]) }]),
    ];
    const big = rounds(contenders, ROUNDS);
    console.log(`the ${(size / 1e9).toFixed(2)} GB stream`);
    const cat = line("cat FILE > /dev/null", big.get("cat")!);
    const decode = line("vmstate decode FILE -o DOC", big.get("decode")!);
    const cp = line("cp FILE COPY", big.get("cp")!);
    const encode = line("vmstate encode DOC -o OUT", big.get("encode")!);
    const analyze =
      analyzer === undefined
        ? undefined
        : line("analyze-migration.py -f FILE", big.get("analyze")!);

    const fixtureRatios: Record<string, number> = {};
    if (analyzer !== undefined) {
      console.log("\nthe fixture streams (test/fixtures/qemu/streams), each run a cold process");
      for (const name of streamNames()) {
        const file = join(fixturesDir, "streams", `${name}.stream`);
        const refused = attempt(PYTHON, [analyzer, "-f", file]);
        if (typeof refused === "string") {
          const last = refused.trimEnd().split("\n").pop();
          console.log(`${name}: analyze-migration.py cannot read it (${last}); not compared`);
          continue;
        }
        // The params a machine type needs that its stream does not say (fuzz/fixtures.ts).
        const params = Object.entries(streamParams(name)).flatMap(([k, v]) => [
          "--param",
          `${k}=${String(v)}`,
        ]);
        const times = rounds(
          [
            {
              name: "decode",
              run: () =>
                vmstate(["decode", file, "-o", join(scratch, "fixture.json"), ...params], rss),
            },
            { name: "analyze", run: () => run(PYTHON, [analyzer, "-f", file]) },
          ],
          ROUNDS,
        );
        const d = line(`${name}: vmstate decode`, times.get("decode")!);
        const a = line(`${name}: analyze-migration.py`, times.get("analyze")!);
        fixtureRatios[name] = Math.round((d / a) * 100) / 100;
      }
    }

    const ratios: Record<string, number> = {
      decode_vs_cat: decode / cat,
      encode_vs_cp: encode / cp,
      ...(analyze === undefined ? {} : { decode_vs_analyze: decode / analyze }),
    };
    console.log("\ntargets (time ÷ time of the other):");
    console.log(verdict("decode ÷ cat", ratios["decode_vs_cat"]!, 1.5));
    console.log(verdict("encode ÷ cp", ratios["encode_vs_cp"]!, 2));
    if (analyze !== undefined) {
      console.log(verdict("decode ÷ analyze-migration.py", ratios["decode_vs_analyze"]!, 1));
      for (const [name, ratio] of Object.entries(fixtureRatios))
        console.log(verdict(`${name} ÷ analyze-migration.py`, ratio, 0.5));
    } else {
      console.log(
        "  (VMSTATE_ANALYZE_MIGRATION is not set: no comparison with analyze-migration.py)",
      );
    }
    const rounded = Object.fromEntries(
      Object.entries(ratios).map(([k, v]) => [k, Math.round(v * 100) / 100]),
    );
    console.log(
      JSON.stringify({
        ...rounded,
        ...(analyzer === undefined ? {} : { fixtures_vs_analyze: fixtureRatios }),
      }),
    );
  } finally {
    cleanUp();
  }
}

await main();
