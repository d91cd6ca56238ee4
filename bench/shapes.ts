// `npm run bench:shapes`: what other code the emitter could emit is worth, measured on the section's
// hottest part: the 1 024 ModernQueueState entries of virtio_pci/modern_state (28 672 of its 46 164
// bytes), read and written in three shapes, each checked against the generated code first.
//
//   generated  generated/virtio-net.ts's functions for one entry (each one run), called per entry;
//              loadVirtioPci itself now reads the 1 024 entries in one run, the `runs` shape
//   literals   arrays of a small constant count as array literals and unrolled writes (still one
//              bounds check per value, through the Reader and Writer methods)
//   runs       also one bounds check for a run of fixed-size fields (here all 1 024 entries), the
//              values read and written at constant offsets; when the run does not fit, today's
//              per-field code runs instead and names the exact field that is cut

import { atIndex, atPath, Reader, Writer } from "../runtime/index.js";
import {
  loadModernQueueState,
  saveModernQueueState,
  type ModernQueueState,
  type Params,
} from "../generated/virtio-net.js";
import { firstDifference } from "../test/support/diff.js";
import { loadInputs } from "./inputs.js";
import { collect, median, ROUNDS, show, time } from "./measure.js";

const ENTRIES = 1024;
const SIZE = 28;
const p: Params = {};

// ------------------------------------------------------------------ generated

function generatedLoad(r: Reader): ModernQueueState[] {
  const vqs = new Array<ModernQueueState>(ENTRIES);
  let i = 0;
  try {
    for (; i < ENTRIES; i++) vqs[i] = loadModernQueueState(r, p);
  } catch (e) {
    throw atIndex(atPath(e, "modern_state.vqs[]"), i);
  }
  return vqs;
}

function generatedSave(w: Writer, vqs: readonly ModernQueueState[]): void {
  const items = w.array(vqs, ENTRIES, "modern_state.vqs");
  let i = 0;
  try {
    for (; i < ENTRIES; i++) saveModernQueueState(w, w.object(items[i]!, "modern_state.vqs[]"), p);
  } catch (e) {
    throw atIndex(atPath(e, "modern_state.vqs[]"), i);
  }
}

// ------------------------------------------------------------------ literals

function literalsQueue(r: Reader): ModernQueueState {
  const num = r.u16("num");
  r.skip(1, "unused");
  const enabled = r.bool("enabled");
  const desc = [r.u32("desc[0]"), r.u32("desc[1]")];
  const avail = [r.u32("avail[0]"), r.u32("avail[1]")];
  const used = [r.u32("used[0]"), r.u32("used[1]")];
  return { num, enabled, desc, avail, used };
}

function literalsLoad(r: Reader): ModernQueueState[] {
  const vqs = new Array<ModernQueueState>(ENTRIES);
  let i = 0;
  try {
    for (; i < ENTRIES; i++) vqs[i] = literalsQueue(r);
  } catch (e) {
    throw atIndex(atPath(e, "modern_state.vqs[]"), i);
  }
  return vqs;
}

function literalsQueueSave(w: Writer, s: ModernQueueState): void {
  w.u16(s.num, "num");
  w.skip(1, "unused");
  w.bool(s.enabled, "enabled");
  const desc = w.array(s.desc, 2, "desc");
  w.u32(desc[0]!, "desc[0]");
  w.u32(desc[1]!, "desc[1]");
  const avail = w.array(s.avail, 2, "avail");
  w.u32(avail[0]!, "avail[0]");
  w.u32(avail[1]!, "avail[1]");
  const used = w.array(s.used, 2, "used");
  w.u32(used[0]!, "used[0]");
  w.u32(used[1]!, "used[1]");
}

function literalsSave(w: Writer, vqs: readonly ModernQueueState[]): void {
  const items = w.array(vqs, ENTRIES, "modern_state.vqs");
  let i = 0;
  try {
    for (; i < ENTRIES; i++) literalsQueueSave(w, w.object(items[i]!, "modern_state.vqs[]"));
  } catch (e) {
    throw atIndex(atPath(e, "modern_state.vqs[]"), i);
  }
}

// ------------------------------------------------------------------ runs

/**
 * What a run needs of the Reader and Writer, which keep it private: the emitter change would give
 * them methods for it. Plain Readers and Writers are used, so that the generated code's calls into
 * them see the same classes in every shape.
 */
type ReaderInside = { pos: number; readonly end: number; readonly view: DataView };
type WriterInside = {
  readonly buf: Uint8Array;
  readonly view: DataView;
  room(n: number, path: string): number;
  bad(v: unknown, type: string, path: string): never;
};
const inside = (r: Reader): ReaderInside => r as unknown as ReaderInside;
const insideWriter = (w: Writer): WriterInside => w as unknown as WriterInside;

function runsLoad(r: Reader): ModernQueueState[] {
  const run = inside(r);
  // A short input: the per-field code reads up to the cut and reports the field.
  if (ENTRIES * SIZE > run.end - run.pos) return generatedLoad(r);
  const dv = run.view;
  let o = run.pos;
  run.pos = o + ENTRIES * SIZE;
  const vqs = new Array<ModernQueueState>(ENTRIES);
  for (let i = 0; i < ENTRIES; i++, o += SIZE) {
    vqs[i] = {
      num: dv.getUint16(o),
      enabled: dv.getUint8(o + 3) !== 0,
      desc: [dv.getUint32(o + 4), dv.getUint32(o + 8)],
      avail: [dv.getUint32(o + 12), dv.getUint32(o + 16)],
      used: [dv.getUint32(o + 20), dv.getUint32(o + 24)],
    };
  }
  return vqs;
}

function runsSave(w: Writer, vqs: readonly ModernQueueState[]): void {
  const items = w.array(vqs, ENTRIES, "modern_state.vqs");
  const run = insideWriter(w);
  let o = run.room(ENTRIES * SIZE, "modern_state.vqs");
  // After room(): it may have replaced the buffer. A reused buffer holds old bytes, so every byte of the run is written.
  const dv = run.view;
  const bytes = run.buf;
  let i = 0;
  try {
    for (; i < ENTRIES; i++, o += SIZE) {
      const q = w.object(items[i]!, "");
      const num = q.num;
      if ((num & 0xffff) !== num) run.bad(num, "u16", "num");
      dv.setUint16(o, num);
      bytes[o + 2] = 0;
      const enabled = q.enabled;
      if (typeof enabled !== "boolean") run.bad(enabled, "bool", "enabled");
      bytes[o + 3] = enabled ? 1 : 0;
      const desc = w.array(q.desc, 2, "desc");
      const desc0 = desc[0]!;
      if (desc0 >>> 0 !== desc0) run.bad(desc0, "u32", "desc[0]");
      dv.setUint32(o + 4, desc0);
      const desc1 = desc[1]!;
      if (desc1 >>> 0 !== desc1) run.bad(desc1, "u32", "desc[1]");
      dv.setUint32(o + 8, desc1);
      const avail = w.array(q.avail, 2, "avail");
      const avail0 = avail[0]!;
      if (avail0 >>> 0 !== avail0) run.bad(avail0, "u32", "avail[0]");
      dv.setUint32(o + 12, avail0);
      const avail1 = avail[1]!;
      if (avail1 >>> 0 !== avail1) run.bad(avail1, "u32", "avail[1]");
      dv.setUint32(o + 16, avail1);
      const used = w.array(q.used, 2, "used");
      const used0 = used[0]!;
      if (used0 >>> 0 !== used0) run.bad(used0, "u32", "used[0]");
      dv.setUint32(o + 20, used0);
      const used1 = used[1]!;
      if (used1 >>> 0 !== used1) run.bad(used1, "u32", "used[1]");
      dv.setUint32(o + 24, used1);
    }
  } catch (e) {
    throw atIndex(atPath(e, "modern_state.vqs[]"), i);
  }
}

// ------------------------------------------------------------------ the measurement

async function main(): Promise<void> {
  const { section, sectionState } = loadInputs();
  const name = new TextEncoder().encode("virtio_pci/modern_state");
  const nameAt = section.findIndex((_, i) => name.every((b, k) => section[i + k] === b));
  const start = nameAt + name.length + 4 + 16; // the subsection's version, dfselect, gfselect, guest_features[2]
  const bytes = section.slice(start, start + ENTRIES * SIZE);
  const vqs = sectionState.virtio.extra_state!.extra_state.modern_state!.vqs;

  const shapes = [
    {
      name: "generated",
      load: () => generatedLoad(new Reader(bytes)),
      save: () => saveWith(new Writer(), generatedSave),
    },
    {
      name: "literals",
      load: () => literalsLoad(new Reader(bytes)),
      save: () => saveWith(new Writer(), literalsSave),
    },
    {
      name: "runs",
      load: () => runsLoad(new Reader(bytes)),
      save: () => saveWith(new Writer(), runsSave),
    },
  ];
  function saveWith(
    w: Writer,
    save: (w: Writer, v: readonly ModernQueueState[]) => void,
  ): Uint8Array {
    save(w, vqs);
    return w.finish();
  }
  for (const shape of shapes) {
    const loaded = firstDifference(shape.load(), vqs);
    if (loaded !== undefined) throw new Error(`${shape.name} reads differently: ${loaded}`);
    const saved = firstDifference(shape.save(), bytes);
    if (saved !== undefined) throw new Error(`${shape.name} writes differently: ${saved}`);
    // A cut run reports the field the generated code reports.
    const cut = bytes.subarray(0, 1000);
    const message = (f: () => unknown): string => {
      try {
        f();
        return "no error";
      } catch (e) {
        return (e as Error).message;
      }
    };
    const expected = message(() => generatedLoad(new Reader(cut)));
    const found = message(() =>
      shape.name === "runs"
        ? runsLoad(new Reader(cut))
        : shape.name === "literals"
          ? literalsLoad(new Reader(cut))
          : generatedLoad(new Reader(cut)),
    );
    if (found !== expected)
      throw new Error(`${shape.name} reports a cut input as ${found}, not ${expected}`);
  }
  console.log(
    `checked: the three shapes read the same ${ENTRIES} entries and write the same ${bytes.length} bytes`,
  );
  console.log(`${ROUNDS} rounds, interleaved${collect ? "" : " (run with --expose-gc)"}`);

  const results = new Map<string, number[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const shape of round % 2 === 0 ? shapes : [...shapes].reverse()) {
      for (const op of ["load", "save"] as const) {
        const key = `${shape.name} ${op}`;
        results.set(key, [...(results.get(key) ?? []), await time(shape[op])]);
      }
    }
  }
  console.log(`\nModernQueueState × ${ENTRIES} (${bytes.length} bytes)`);
  console.log(
    `${"".padEnd(12)}${"read".padStart(12)}${"× generated".padStart(14)}${"write".padStart(12)}${"× generated".padStart(14)}`,
  );
  for (const shape of shapes) {
    const cells = (["load", "save"] as const).map((op) => {
      const t = median(results.get(`${shape.name} ${op}`)!);
      const base = median(results.get(`generated ${op}`)!);
      return `${show(t).padStart(12)}${(t / base).toFixed(2).padStart(14)}`;
    });
    console.log(`${shape.name.padEnd(12)}${cells.join("")}`);
  }
}

await main();
