// The codecs the benchmark times, each as a decode and (where it has one) an encode of the section
// and of the device part, and the check that they all agree with the generated code before timing:
// every decoder's values equal the generated reader's state, every encoder's bytes equal QEMU's.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { hasErrors } from "../diagnostics/diagnostic.js";
import {
  loadVirtioNet,
  loadVirtioNetDevice,
  saveVirtioNet,
  saveVirtioNetDevice,
  type VirtioNet,
  type VirtioNetDevice,
} from "../generated/virtio-net.js";
import { checkText } from "../generator/index.js";
import { planSchema, type SchemaPlan } from "../generator/plan/plan.js";
import { Reader, Writer } from "../runtime/index.js";
import { firstDifference } from "../test/support/diff.js";
import { decodeVirtioNet, decodeVirtioNetDevice } from "./hand-written/decode.js";
import { encodeVirtioNet, encodeVirtioNetDevice } from "./hand-written/encode.js";
import { packageRoot } from "../fuzz/fixtures.js";
import { PlanInterpreter } from "./interpreter.js";
import * as bp from "./peers/binary-parser.js";
import * as rs from "./peers/restructure.js";

export interface Contender {
  readonly name: string;
  /** Decodes the part's bytes into the contender's own values. */
  readonly decode: ((bytes: Uint8Array) => unknown) | undefined;
  /** The contender's values renamed into the generated code's state, for the check. */
  readonly asState: (decoded: unknown) => unknown;
  /** Encodes the part's state (prepared in the contender's own shape beforehand). */
  readonly encode: (() => Uint8Array) | undefined;
}

export const GENERATED = "generated";
export const HAND_WRITTEN = "hand-written DataView";
export const BINARY_PARSER = "binary-parser 2.3.0";
export const RESTRUCTURE = "restructure 3.0.2";
export const INTERPRETER = "interpreter (plan walk)";

/** The plan of schemas/virtio-net.vmstate, which the interpreter walks. */
function virtioNetPlan(): SchemaPlan {
  const file = "schemas/virtio-net.vmstate";
  const checked = checkText(readFileSync(join(packageRoot, file), "utf8"), file);
  if (!checked.model || hasErrors(checked.diagnostics))
    throw new Error(`${file} does not check: run \`vmstate check ${file}\``);
  return planSchema(checked.model);
}

const same = (v: unknown): unknown => v;

let interpreter: PlanInterpreter | undefined;

/** The contenders for a whole section, given the generated reader's state of it. */
export function sectionContenders(state: VirtioNet): Contender[] {
  interpreter ??= new PlanInterpreter(virtioNetPlan());
  const walker = interpreter;
  const layout = walker.layout("virtio_net");
  const restructureValues = rs.sectionValues(state);
  return [
    {
      name: GENERATED,
      decode: (bytes) => loadVirtioNet(new Reader(bytes)),
      asState: same,
      encode: () => {
        const w = new Writer();
        saveVirtioNet(w, state);
        return w.finish();
      },
    },
    {
      name: HAND_WRITTEN,
      decode: decodeVirtioNet,
      asState: same,
      encode: () => encodeVirtioNet(state),
    },
    {
      name: BINARY_PARSER,
      decode: (bytes): unknown => bp.sectionParser.parse(bytes),
      asState: (v) => bp.sectionState(v as Record<string, unknown>),
      encode: undefined,
    },
    {
      name: RESTRUCTURE,
      decode: (bytes): unknown => rs.sectionCodec.fromBuffer(bytes),
      asState: (v) => rs.sectionState(v as Record<string, unknown>),
      encode: () => rs.sectionCodec.toBuffer(restructureValues),
    },
    {
      name: INTERPRETER,
      decode: (bytes) => walker.load(layout, new Reader(bytes)),
      asState: same,
      encode: () => {
        const w = new Writer();
        walker.save(layout, w, state as unknown as Record<string, unknown>);
        return w.finish();
      },
    },
  ];
}

/** The contenders for the device part alone, with the values the section passes to it. */
export function deviceContenders(
  state: VirtioNetDevice,
  guestFeatures: number,
  maxPairs: number,
): Contender[] {
  interpreter ??= new PlanInterpreter(virtioNetPlan());
  const walker = interpreter;
  const layout = walker.layout("VirtioNetDevice");
  const bpDevice = bp.deviceParser(guestFeatures, maxPairs);
  const rsDevice = rs.deviceCodec(guestFeatures, maxPairs);
  const restructureValues = rs.deviceValues(state);
  return [
    {
      name: GENERATED,
      decode: (bytes) => loadVirtioNetDevice(new Reader(bytes), {}, guestFeatures, maxPairs),
      asState: same,
      encode: () => {
        const w = new Writer();
        saveVirtioNetDevice(w, state, {}, guestFeatures, maxPairs);
        return w.finish();
      },
    },
    {
      name: HAND_WRITTEN,
      decode: (bytes) => decodeVirtioNetDevice(bytes, guestFeatures, maxPairs),
      asState: same,
      encode: () => encodeVirtioNetDevice(state, guestFeatures, maxPairs),
    },
    {
      name: BINARY_PARSER,
      decode: (bytes): unknown => bpDevice.parse(bytes),
      asState: (v) => bp.deviceState(v as Record<string, unknown>),
      encode: undefined,
    },
    {
      name: RESTRUCTURE,
      decode: (bytes): unknown => rsDevice.fromBuffer(bytes),
      asState: (v) => rs.deviceState(v as Record<string, unknown>),
      encode: () => rsDevice.toBuffer(restructureValues),
    },
    {
      name: INTERPRETER,
      decode: (bytes) => walker.load(layout, new Reader(bytes), {}, [guestFeatures, maxPairs]),
      asState: same,
      encode: () => {
        const w = new Writer();
        walker.save(layout, w, state as unknown as Record<string, unknown>, {}, [
          guestFeatures,
          maxPairs,
        ]);
        return w.finish();
      },
    },
  ];
}

/**
 * Fails loudly unless every contender decodes `bytes` to the generated reader's state and encodes
 * that state back to `bytes`. Returns one line per check made.
 */
export function checkContenders(
  list: readonly Contender[],
  bytes: Uint8Array,
  state: unknown,
  part: string,
): string[] {
  const done: string[] = [];
  for (const c of list) {
    if (c.decode) {
      const difference = firstDifference(c.asState(c.decode(bytes)), state);
      if (difference !== undefined)
        throw new Error(
          `${c.name} decodes the ${part} differently from the generated code: ${difference}`,
        );
      done.push(`${part}: ${c.name} decodes to the generated reader's state`);
    }
    if (c.encode) {
      const out = c.encode();
      const difference = firstDifference(out, bytes);
      if (difference !== undefined)
        throw new Error(
          `${c.name} encodes the ${part} differently from QEMU's bytes: ${difference}`,
        );
      done.push(`${part}: ${c.name} encodes QEMU's ${bytes.length} bytes exactly`);
    }
  }
  return done;
}
