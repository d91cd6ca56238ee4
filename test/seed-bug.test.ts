// The seed bug (examples/seed-bug): the QEMU 2.4 reader decided on a feature bit the stream had not
// delivered, and the 2.5/2.6 hand-written writer and reader disagreed on where curr_guest_offloads
// goes; `vmstate check` refuses both shapes and accepts the 2.7 fixes, which generate and round-trip.

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { Reader, Writer } from "../runtime/index.js";
import { vmstate } from "./support/cli.js";
import { planOf, root } from "./support/compile.js";
import { firstDifference } from "./support/diff.js";
import { virtioNetPayloads } from "./support/fixtures.js";
import { Reject, StateBuilder, seededDraw } from "./support/states.js";

// Generated inside the repository, so the module imports runtime/ by a relative path.
const out = mkdtempSync(join(root, "test", ".seed-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("the 2016 virtio-net bug", () => {
  it("QEMU 2.4's shape is refused: the guard reads a field only a later subsection carries", () => {
    const r = vmstate(["check", "--format", "json", "examples/seed-bug/qemu-2.4.vmstate"]);
    expect(r.status).toBe(1);
    const diagnostics = JSON.parse(r.stdout) as {
      code: string;
      line: number;
      column: number;
      message: string;
      related: { line: number; column: number; message: string }[];
    }[];
    expect(diagnostics).toHaveLength(1);
    const [d] = diagnostics;
    expect(d).toMatchObject({ code: "VMS4002", line: 70, column: 35 });
    expect(d!.message).toBe(
      `guard of 'curr_guest_offloads' reads 'guest_features', which is inside subsection "virtio/64bit_features": the reader cannot know it here`,
    );
    expect(d!.related).toEqual([expect.objectContaining({ line: 33, column: 5 })]);
  });

  it("QEMU 2.7's fix is accepted, generates, and its section round-trips", async () => {
    expect(vmstate(["check", "examples/seed-bug/qemu-2.7.vmstate"])).toMatchObject({
      status: 0,
      stdout: "",
    });
    expect(vmstate(["gen", "examples/seed-bug/qemu-2.7.vmstate", "--out", out]).status).toBe(0);
    const module = (await import(join(out, "qemu-2.7.ts"))) as Record<
      string,
      (...args: unknown[]) => unknown
    >;
    const fn = planOf("examples/seed-bug/qemu-2.7.vmstate").functions.find(
      (f) => f.layout.kind === "section",
    )!;
    let withOffloads = 0;
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        let state: Record<string, unknown>;
        try {
          state = new StateBuilder(seededDraw(seed), {}).build(fn);
        } catch (e) {
          if (e instanceof Reject) fc.pre(false);
          throw e;
        }
        if (state["curr_guest_offloads"] !== undefined) withOffloads++;
        const w = new Writer();
        module["saveVirtioNet"]!(w, state, {});
        const back = module["loadVirtioNet"]!(new Reader(w.finish()), {});
        expect(firstDifference(back, state)).toBeUndefined();
      }),
      { numRuns: 100 },
    );
    expect(withOffloads).toBeGreaterThan(0);
  });

  it("QEMU 2.6's hand-written pair is refused: the writer puts curr_guest_offloads before the subsections, the reader after", () => {
    const r = vmstate(["check", "examples/seed-bug/qemu-2.6-handwritten.vmstate"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      "examples/seed-bug/virtio-net-2.6.ts:48:5 - error VMS8001: order mismatch: saveVirtioNetDevice writes u64 'curr_guest_offloads' if ((arg.guest_features & 4) !== 0) " +
        'at examples/seed-bug/virtio-net-2.6.ts:48:5 where loadVirtioNetDevice reads the subsections "virtio/device_endian", "virtio/64bit_features" at examples/seed-bug/virtio-net-2.6.ts:186:3',
    );
    expect(r.stdout).toMatch(/Found 1 error\.\n$/);
    // Nothing is generated from it.
    const gen = vmstate(["gen", "examples/seed-bug/qemu-2.6-handwritten.vmstate", "--out", out]);
    expect(gen.status).toBe(1);
    expect(existsSync(join(out, "qemu-2.6-handwritten.ts"))).toBe(false);
  });

  it("QEMU 2.7's hand-written pair is accepted, and its generated section round-trips on bytes QEMU wrote", async () => {
    expect(vmstate(["check", "examples/seed-bug/qemu-2.7-handwritten.vmstate"])).toMatchObject({
      status: 0,
      stdout: "",
    });
    expect(
      vmstate([
        "gen",
        "examples/seed-bug/qemu-2.7-handwritten.vmstate",
        "examples/seed-bug/qemu-2.7.vmstate",
        "--out",
        out,
      ]).status,
    ).toBe(0);
    type Fn = (...args: unknown[]) => Record<string, unknown>;
    const handwritten = (await import(join(out, "qemu-2.7-handwritten.ts"))) as Record<string, Fn>;
    const declarative = (await import(join(out, "qemu-2.7.ts"))) as Record<string, Fn>;
    // pxe-loop-pc-i440fx-2.3 without its PCI transport (payload offset 327 on): the virtio header,
    // the queues, the device; that old machine type sends no subsections.
    const payload = virtioNetPayloads()
      .find((p) => p.name === "pxe-loop-pc-i440fx-2.3")!
      .bytes.subarray(327);
    for (const module of [handwritten, declarative]) {
      const r = new Reader(payload);
      const state = module["loadVirtioNet"]!(r, {});
      expect(r.pos).toBe(payload.length);
      const w = new Writer();
      module["saveVirtioNet"]!(w, state, {});
      expect(Buffer.from(w.finish()).equals(Buffer.from(payload))).toBe(true);
    }
    // The same state with the offloads negotiated and two subsections, through the hand-written pair.
    const state = handwritten["loadVirtioNet"]!(new Reader(payload), {});
    const device = state["device"] as Record<string, unknown>;
    const changed = {
      ...state,
      guest_features: (state["guest_features"] as number) | 0x4,
      device: {
        ...device,
        curr_guest_offloads: 0x1234n,
        device_endian: 1,
        guest_features64: 0x100000024n,
      },
    };
    const w = new Writer();
    handwritten["saveVirtioNet"]!(w, changed, {});
    const bytes = w.finish();
    expect(bytes.length).toBe(payload.length + 8 + (2 + 20 + 4 + 1) + (2 + 21 + 4 + 8));
    expect(
      firstDifference(handwritten["loadVirtioNet"]!(new Reader(bytes), {}), changed),
    ).toBeUndefined();
  });
});
