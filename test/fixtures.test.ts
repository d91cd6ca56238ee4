// The generated virtio-net code against bytes QEMU 7.2 wrote (test/fixtures/qemu/virtio-net):
// every payload is read to its last byte and written back byte-identical, and the values read are
// the ones the fixtures' README and the independent decoder (*.decoded.txt) report.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadVirtioNet, saveVirtioNet, type VirtioNet } from "../generated/virtio-net.js";
import { LoadError, Reader, Writer } from "../runtime/index.js";
import { fixturesDir, virtioNetPayloads } from "./support/fixtures.js";

const payloads = virtioNetPayloads();

function load(bytes: Uint8Array): { state: VirtioNet; consumed: number } {
  const r = new Reader(bytes);
  const state = loadVirtioNet(r);
  return { state, consumed: r.pos };
}

describe("the fixtures", () => {
  it("are the bytes QEMU wrote: every file their SHA256SUMS lists has its hash", () => {
    const sums = readFileSync(join(fixturesDir, "SHA256SUMS"), "utf8").trim().split("\n");
    expect(sums.length).toBeGreaterThan(60);
    for (const line of sums) {
      const [hash, file] = line.split(/ +/);
      const actual = createHash("sha256")
        .update(readFileSync(join(fixturesDir, file!)))
        .digest("hex");
      expect(actual, file).toBe(hash);
    }
  });
});

describe("QEMU 7.2 virtio-net payloads", () => {
  it("are all here", () => {
    expect(payloads.map((p) => p.name)).toEqual([
      "idle-pc-packed",
      "idle-pc",
      "idle-q35-modern",
      "linux-pc-user",
      "pxe-loop-pc-i440fx-2.3",
      "pxe-loop-pc-legacy",
      "pxe-loop-pc",
      "pxe-loop-q35-modern",
    ]);
  });

  it.each(payloads.map((p) => [p.name, p.bytes] as const))(
    "%s: read to the last byte and written back identical",
    (_, bytes) => {
      const { state, consumed } = load(bytes);
      expect(consumed).toBe(bytes.length);
      const w = new Writer();
      saveVirtioNet(w, state);
      expect(Buffer.from(w.finish()).equals(Buffer.from(bytes))).toBe(true);
    },
  );

  const state = (name: string): VirtioNet =>
    load(payloads.find((p) => p.name === name)!.bytes).state;
  const subsections = (s: VirtioNet): string[] =>
    Object.entries(s.virtio)
      .filter(([, v]) => v !== undefined)
      .map(([k]) => k);

  it("pxe-loop-pc: the values of the README and decoded.txt", () => {
    const s = state("pxe-loop-pc");
    expect(Buffer.from(s.device.mac).toString("hex")).toBe("525400123456");
    expect(s.status).toBe(0xf);
    expect(s.guest_features).toBe(0x20);
    expect(s.virtio.features64?.guest_features).toBe(0x100000020n);
    expect(s.num_queues).toBe(3);
    expect(s.vq[0]).toEqual({
      vring: { num: 256, desc: 0x1ef2000n },
      last_avail_idx: 7,
      vector: 0xffff,
    });
    expect(s.vq[2]?.vring.num).toBe(64);
    expect(s.config_vector).toBe(0xffff);
    expect(s.msix_table?.length).toBe(4 * 16);
    expect(s.device.promisc).toBe(1);
    expect(s.device.vlans.every((w) => w === 0xffffffff)).toBe(true);
    expect(s.device.curr_guest_offloads).toBeUndefined();
    expect(subsections(s)).toEqual(["features64", "virtqueues", "extra_state", "started"]);
    expect(s.virtio.extra_state?.extra_state.modern_state?.guest_features).toEqual([0x20, 0x1]);
    expect(s.virtio.started?.started).toBe(true);
  });

  it("linux-pc-user: the guest negotiated CTRL_GUEST_OFFLOADS, so curr_guest_offloads is on the wire", () => {
    const s = state("linux-pc-user");
    expect(s.virtio.features64?.guest_features).toBe(0x10130af8024n);
    expect(s.guest_features & 0x4).toBe(0x4);
    expect(s.device.curr_guest_offloads).toBe(0n);
    expect(s.vq[0]?.vring.desc).toBe(0x629c000n);
    expect(s.config_vector).toBe(0);
    expect(s.device.promisc).toBe(0);
  });

  it("pxe-loop-pc-i440fx-2.3: an old machine type, no subsections and three MSI-X vectors", () => {
    const s = state("pxe-loop-pc-i440fx-2.3");
    expect(subsections(s)).toEqual([]);
    expect(s.msix_table?.length).toBe(3 * 16);
    expect(s.msix_pba?.length).toBe(1);
  });

  it("idle-q35-modern: a PCI Express function saves 4096 bytes of config space", () => {
    const s = state("idle-q35-modern");
    expect(s.pci.config[2]! | (s.pci.config[3]! << 8)).toBe(0x1041);
    expect(s.pci.config_express?.length).toBe(4096 - 256);
    expect(state("idle-pc").pci.config_express).toBeUndefined();
  });

  it("idle-pc-packed: packed=on adds virtio/packed_virtqueues", () => {
    expect(subsections(state("idle-pc-packed"))).toContain("packed_virtqueues");
    expect(state("idle-pc-packed").virtio.packed_virtqueues?.vq).toHaveLength(1024);
  });

  it("parameters override what the stream implies", () => {
    const bytes = payloads.find((p) => p.name === "pxe-loop-pc")!.bytes;
    // With two vectors the reader expects 32 bytes of MSI-X table and reads everything after out of place.
    expect(() => loadVirtioNet(new Reader(bytes), { vectors: 2 })).toThrow(LoadError);
  });
});

describe("truncated and malformed payloads", () => {
  function loadsOrFailsCleanly(bytes: Uint8Array): void {
    try {
      load(bytes);
    } catch (e) {
      if (!(e instanceof LoadError)) throw e;
      expect(e.offset).toBeGreaterThanOrEqual(0);
      expect(e.offset).toBeLessThanOrEqual(bytes.length);
    }
  }

  it.each(payloads.map((p) => [p.name, p.bytes] as const))(
    "%s: a truncation is a LoadError with field path and offset",
    (_, bytes) => {
      // A cut right before a subsection leaves a complete, shorter payload (subsections are
      // optional): it loads. Every other cut must fail with a LoadError.
      // Every length up to 1100 bytes (through the device state), then a sample of the rest.
      const lengths = [...Array.from({ length: Math.min(1100, bytes.length) }, (_, i) => i)];
      for (let n = 1100; n < bytes.length; n += 97) lengths.push(n);
      for (const n of lengths) {
        const r = new Reader(bytes.subarray(0, n));
        let error: unknown;
        try {
          loadVirtioNet(r);
        } catch (e) {
          error = e;
        }
        if (error === undefined) {
          // It stopped before a subsection header it could not (fully) see: the rest is left unread.
          expect(bytes[r.pos], `truncated at ${n}: stopped at ${r.pos}`).toBe(0x05);
          continue;
        }
        expect(error, `truncated at ${n}`).toBeInstanceOf(LoadError);
        const e = error as LoadError;
        expect(e.offset).toBeLessThanOrEqual(n);
        expect(e.reason.length).toBeGreaterThan(0);
      }
      const e = (() => {
        try {
          loadVirtioNet(new Reader(bytes.subarray(0, 421)));
        } catch (err) {
          return err as LoadError;
        }
      })();
      expect(e).toBeInstanceOf(LoadError);
      expect(e?.message).toMatch(/at byte offset/);
    },
  );

  it.each(payloads.map((p) => [p.name, p.bytes] as const))(
    "%s: random byte changes load or fail with a LoadError",
    (_, bytes) => {
      let seed = 7;
      const next = (n: number): number => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed % n;
      };
      for (let i = 0; i < 300; i++) {
        const copy = bytes.slice();
        for (let k = 0; k < 1 + next(4); k++) copy[next(Math.min(copy.length, 1100))] = next(256);
        loadsOrFailsCleanly(copy);
      }
    },
  );
});
