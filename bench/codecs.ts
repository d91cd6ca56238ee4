// `npm run bench`: decode and encode of the real 46 KB virtio-net section and of its 545-byte device
// part, timed for the generated code and its peers after checking that they all agree. Several
// rounds run in one process with the contenders interleaved; each time reported is the median over
// rounds of mitata's median. The last line is one JSON object with the generated code's speed ratios.
// Run with --no-allocation-site-pretenuring (npm run bench does): see docs/performance.md.

import { cpus, loadavg } from "node:os";
import {
  BINARY_PARSER,
  checkContenders,
  deviceContenders,
  GENERATED,
  HAND_WRITTEN,
  INTERPRETER,
  sectionContenders,
  type Contender,
} from "./contenders.js";
import { FIXTURE, loadInputs } from "./inputs.js";
import { collect, MEASURE_MS, median, ROUNDS, show, time } from "./measure.js";
import { LoadError } from "../runtime/index.js";

type Op = "decode" | "encode";
interface Task {
  readonly part: string;
  readonly op: Op;
  readonly contender: string;
  readonly run: () => unknown;
}

function tasks(part: string, list: readonly Contender[], bytes: Uint8Array): Task[] {
  return list.flatMap((c) => [
    ...(c.decode
      ? [{ part, op: "decode" as const, contender: c.name, run: () => c.decode!(bytes) }]
      : []),
    ...(c.encode ? [{ part, op: "encode" as const, contender: c.name, run: c.encode }] : []),
  ]);
}

async function main(): Promise<void> {
  const inputs = loadInputs();
  const parts = [
    {
      part: "section",
      title: `virtio-net section, ${inputs.section.length} bytes (${FIXTURE})`,
      bytes: inputs.section,
      list: sectionContenders(inputs.sectionState),
    },
    {
      part: "device",
      title: `device part only (vmstate_virtio_net_device), ${inputs.device.length} bytes`,
      bytes: inputs.device,
      list: deviceContenders(inputs.deviceState, inputs.guestFeatures, inputs.maxPairs),
    },
  ];
  for (const p of parts)
    checkContenders(
      p.list,
      p.bytes,
      p.part === "section" ? inputs.sectionState : inputs.deviceState,
      p.part,
    );
  console.log(
    `checked: every decoder gives the generated reader's values, every encoder QEMU's bytes (${parts.map((p) => p.part).join(", ")})`,
  );
  console.log(
    `node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"} × ${cpus().length}, load average ${loadavg()[0]!.toFixed(2)}; ${ROUNDS} rounds of ${MEASURE_MS} ms per contender${collect ? "" : " (run with --expose-gc for a collection before each measurement)"}`,
  );

  const only = process.env["BENCH_ONLY"];
  const all = parts
    .flatMap((p) => tasks(p.part, p.list, p.bytes))
    .filter((t) => only === undefined || new RegExp(only).test(`${t.part} ${t.op} ${t.contender}`));
  const times = new Map<Task, number[]>(all.map((t) => [t, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // Interleaved: every contender of every part once per round, starting at a different one each round.
    const order = all.map((_, i) => all[(i + round * 3) % all.length]!);
    for (const task of order) times.get(task)!.push(await time(task.run));
    process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
  }

  const result = (part: string, op: Op, contender: string): number | undefined => {
    const task = all.find((t) => t.part === part && t.op === op && t.contender === contender);
    return task && median(times.get(task)!);
  };
  for (const p of parts) {
    console.log(`\n${p.title}`);
    console.log(`${"".padEnd(26)}${"decode".padEnd(34)}encode`);
    console.log(
      `${"".padEnd(26)}${["median", "× hand", "MB/s"].map((h) => h.padStart(10)).join("")}    ${["median", "× hand", "MB/s"].map((h) => h.padStart(10)).join("")}`,
    );
    for (const c of p.list) {
      const cells = (["decode", "encode"] as const).map((op) => {
        const t = result(p.part, op, c.name);
        const hand = result(p.part, op, HAND_WRITTEN);
        if (t === undefined) return ["—", "", ""].map((s) => s.padStart(10)).join("");
        return [
          show(t),
          hand === undefined ? "" : (t / hand).toFixed(2),
          ((p.bytes.length / t) * 1e3).toFixed(0),
        ]
          .map((s) => s.padStart(10))
          .join("");
      });
      console.log(`${c.name.padEnd(26)}${cells.join("    ")}`);
    }
  }

  const taskOf = (part: string, op: Op, contender: string): Task | undefined =>
    all.find((t) => t.part === part && t.op === op && t.contender === contender);
  /** The generated code's speed relative to `than`: the ratio of the medians, and the ratios round by round. */
  const speed = (
    part: string,
    op: Op,
    than: string,
  ): { median: number; rounds: number[] } | undefined => {
    const theirs = times.get(taskOf(part, op, than)!);
    const ours = times.get(taskOf(part, op, GENERATED)!);
    if (!theirs || !ours) return undefined; // not timed (BENCH_ONLY)
    return {
      median: Number((median(theirs) / median(ours)).toFixed(2)),
      rounds: ours.map((t, i) => theirs[i]! / t),
    };
  };
  const measured = {
    decode_vs_hand: speed("section", "decode", HAND_WRITTEN),
    encode_vs_hand: speed("section", "encode", HAND_WRITTEN),
    decode_vs_binary_parser: speed("section", "decode", BINARY_PARSER),
    decode_vs_interpreter: speed("section", "decode", INTERPRETER),
    small_decode_vs_hand: speed("device", "decode", HAND_WRITTEN),
    small_encode_vs_hand: speed("device", "encode", HAND_WRITTEN),
  };
  const targets: Record<keyof typeof measured, number> = {
    decode_vs_hand: 1,
    encode_vs_hand: 1,
    decode_vs_binary_parser: 2.5,
    decode_vs_interpreter: 10,
    small_decode_vs_hand: 1,
    small_encode_vs_hand: 1,
  };
  console.log(
    "\ntargets (speed of the generated code ÷ speed of the other; above 1 the generated code is faster):",
  );
  for (const [key, target] of Object.entries(targets) as [keyof typeof measured, number][]) {
    if (measured[key] === undefined) continue;
    const { median: v, rounds } = measured[key];
    const verdict =
      v >= target ? "met" : `missed by ${(((target - v) / target) * 100).toFixed(0)}%: ${why(key)}`;
    const spread = `rounds ${Math.min(...rounds).toFixed(2)} to ${Math.max(...rounds).toFixed(2)}`;
    console.log(
      `  ${key.padEnd(24)} ${v.toFixed(2).padStart(6)}   (${spread})   target ≥ ${target}: ${verdict}`,
    );
  }
  console.log(
    "  (runs and what is left: docs/performance.md; the shapes of code compared: npm run bench:shapes)",
  );
  function why(key: keyof typeof measured): string {
    switch (key) {
      case "decode_vs_hand":
      case "small_decode_vs_hand":
        return "runs are read as by hand; what is left is around them: a struct that is not one run is a call in a try block per value, and each subsection header is looked up through the Reader";
      case "encode_vs_hand":
      case "small_encode_vs_hand":
        return "runs are written as by hand; what is left: finish() copies an output under 16 KiB out of the Writer's working buffer, where the hand-written encoder sizes its output exactly first, and a struct that is not one run is a call in a try block per value";
      case "decode_vs_binary_parser": {
        const hand =
          result("section", "decode", BINARY_PARSER)! /
          (result("section", "decode", HAND_WRITTEN) ?? NaN);
        return `it follows decode_vs_hand: the hand-written decoder itself is ${hand.toFixed(2)}× binary-parser here`;
      }
      case "decode_vs_interpreter":
        return "the generated reader is slow";
    }
  }
  // A truncated input must not leave the generated reader slower for the rest of the process.
  const generatedDecode = taskOf("section", "decode", GENERATED);
  if (generatedDecode === undefined) return;
  const decodeGenerated = parts[0]!.list.find((c) => c.name === GENERATED)!.decode!;
  for (let k = 0; k < 3; k++) {
    try {
      decodeGenerated(inputs.section.subarray(0, 30000));
      throw new Error("the generated reader read a truncated section without an error");
    } catch (e) {
      if (!(e instanceof LoadError)) throw e;
    }
  }
  const after = await time(generatedDecode.run);
  console.log(
    `\ngenerated section decode after three truncated inputs (LoadErrors): ${show(after)}, ${(after / result("section", "decode", GENERATED)!).toFixed(2)}× its median above`,
  );
  const ratios = Object.fromEntries(
    Object.entries(measured).flatMap(([k, v]) => (v === undefined ? [] : [[k, v.median]])),
  );
  console.log(JSON.stringify(ratios));
}

await main();
