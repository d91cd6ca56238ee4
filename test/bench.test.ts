// The benchmarks' inputs and baselines stay correct: on every QEMU payload, the hand-written codec,
// binary-parser, restructure and the plan interpreter decode to the generated reader's state and
// encode QEMU's bytes (the check `npm run bench` makes before timing, here without timing), that
// check fails when a contender is off by one value or one byte, and the synthetic schemas of
// `npm run bench:gen` are clean and as large as they say.

import { describe, expect, it } from "vitest";
import {
  checkContenders,
  deviceContenders,
  GENERATED,
  sectionContenders,
  type Contender,
} from "../bench/contenders.js";
import { decodeVirtioNet } from "../bench/hand-written/decode.js";
import { encodeVirtioNet } from "../bench/hand-written/encode.js";
import { DEVICE_OFFSET, loadInputs } from "../bench/inputs.js";
import { syntheticSchema } from "../bench/synthetic.js";
import { checkText } from "../generator/index.js";
import { loadVirtioNet, type VirtioNet } from "../generated/virtio-net.js";
import { Reader } from "../runtime/index.js";
import { virtioNetPayloads } from "./support/fixtures.js";

const payloads = virtioNetPayloads();

describe("the benchmark's contenders agree with the generated code", () => {
  it.each(payloads.map((p) => [p.name, p.bytes] as const))("section %s", (_, bytes) => {
    const state = loadVirtioNet(new Reader(bytes));
    const list = sectionContenders(state);
    const checks = checkContenders(list, bytes, state, "section");
    // Five decoders and four encoders (binary-parser only decodes).
    expect(checks).toHaveLength(9);
  });

  it("the device part of pxe-loop-pc, as the benchmark cuts it", () => {
    const inputs = loadInputs();
    expect(inputs.section.length).toBe(46164);
    expect(inputs.device.length).toBe(545);
    expect(inputs.device).toEqual(inputs.section.slice(DEVICE_OFFSET, DEVICE_OFFSET + 545));
    expect(inputs.deviceState).toEqual(inputs.sectionState.device);
    expect([inputs.guestFeatures, inputs.maxPairs]).toEqual([0x20, 1]);
    const list = deviceContenders(inputs.deviceState, inputs.guestFeatures, inputs.maxPairs);
    expect(checkContenders(list, inputs.device, inputs.deviceState, "device")).toHaveLength(9);
  });
});

describe("the check before timing", () => {
  const inputs = loadInputs();
  const state = inputs.sectionState;
  const generated = sectionContenders(state).find((c) => c.name === GENERATED)!;

  it("fails on a decoder that gets one value wrong", () => {
    const off: Contender = {
      ...generated,
      name: "off by one",
      decode: (bytes) => {
        const s = generated.decode!(bytes) as VirtioNet;
        s.virtio.virtqueues!.vq[1023]!.vring.used += 1n;
        return s;
      },
      encode: undefined,
    };
    expect(() => checkContenders([off], inputs.section, state, "section")).toThrow(
      /off by one decodes the section differently.*vq\[1023\]\.vring\.used/,
    );
  });

  it("fails on an encoder that gets one byte wrong", () => {
    const off: Contender = {
      ...generated,
      name: "one byte off",
      decode: undefined,
      encode: () => {
        const bytes = generated.encode!();
        bytes[46000]! ^= 1;
        return bytes;
      },
    };
    expect(() => checkContenders([off], inputs.section, state, "section")).toThrow(
      /one byte off encodes the section differently.*\[46000\]/,
    );
  });
});

describe("the hand-written codec keeps the generated code's guarantees", () => {
  const { section, sectionState } = loadInputs();

  it("refuses a section cut inside a field, where the generated reader does", () => {
    for (const end of [0, 100, 415, 500, 990, 5000, 17500, 40000, section.length - 1]) {
      const cut = section.subarray(0, end);
      expect(() => loadVirtioNet(new Reader(cut)), `generated, cut at ${end}`).toThrow(
        /unexpected end of input/,
      );
      expect(() => decodeVirtioNet(cut), `hand-written, cut at ${end}`).toThrow(
        /virtio-net: truncated/,
      );
    }
  });

  it("refuses QEMU's invalid values", () => {
    const bad = section.slice();
    bad[345] = 0x04; // queue_sel = 0x0401, above VIRTIO_QUEUE_MAX
    expect(() => decodeVirtioNet(bad)).toThrow(/queue_sel out of range/);
  });

  it("refuses a state it cannot write", () => {
    expect(() => encodeVirtioNet({ ...sectionState, status: 256 })).toThrow(/status must be a u8/);
    expect(() => encodeVirtioNet({ ...sectionState, config_vector: undefined })).toThrow(
      /config_vector must be present/,
    );
    const vq = sectionState.vq.map((q) => ({ ...q, vring: { ...q.vring } }));
    vq[0]!.vring.desc = 1n << 64n;
    expect(() => encodeVirtioNet({ ...sectionState, vq })).toThrow(
      /vq\[\]\.vring\.desc must be a u64/,
    );
  });
});

describe("the codegen benchmark's synthetic schemas", () => {
  it.each([1, 1000, 10000])("%i fields check clean and have that many fields", (fields) => {
    const checked = checkText(syntheticSchema(fields), "synthetic.vmstate");
    expect(checked.diagnostics).toEqual([]);
    const structs = checked.model!.structs;
    expect(structs.flatMap((s) => s.members.filter((m) => m.kind === "field"))).toHaveLength(
      fields,
    );
    expect(checked.model!.sections[0]!.members).toHaveLength(structs.length);
  });
});
