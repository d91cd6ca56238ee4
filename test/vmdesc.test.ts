// Sections decoded from the stream's own description (stream/described.ts): with the schemas switched
// off, every device section of every fixture stream is decoded into fields (or kept as bytes where
// QEMU describes it as one opaque field), its field sizes agree with the description, its values with
// analyze-migration.py's, and the stream encodes back byte-identical. Hostile descriptions are one
// StreamError each.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { configurationOnly, type Codecs } from "../stream/codecs.js";
import { decodeStream } from "../stream/decode.js";
import { encodeStream } from "../stream/encode.js";
import type { Json, StreamDocument, StreamItem } from "../stream/format.js";
import { findVmdesc } from "../stream/vmdesc.js";
import { cliPath, vmstate } from "./support/cli.js";
import { projectCodecs } from "./support/codecs.js";
import { fixturesDir } from "./support/fixtures.js";
import { fixtureStreams, streamBytes, streamErrorOf } from "./support/streams.js";

/** The sections a fixture's independent index lists (test/fixtures/qemu/streams/*.sections.json). */
interface IndexedSection {
  readonly type: string;
  readonly section_id?: number;
  readonly name?: string;
  readonly instance_id?: number;
  readonly payload_offset?: number;
  readonly payload_len?: number;
}

let noSchemas: Codecs;
beforeAll(async () => {
  noSchemas = configurationOnly(await projectCodecs());
});

type Full = Extract<StreamItem, { type: "full" | "start" }>;

function fullSections(doc: StreamDocument): Full[] {
  return doc.items.filter((i): i is Full => i.type === "full");
}

function description(bytes: Uint8Array): { devices: Record<string, unknown>[] } {
  const found = findVmdesc(bytes.subarray(bytes.length - (1 << 20)))!;
  return JSON.parse(found.text) as { devices: Record<string, unknown>[] };
}

function entryOf(
  desc: { devices: Record<string, unknown>[] },
  item: Full,
): Record<string, unknown> {
  return desc.devices.find(
    (d) => d["name"] === item.idstr && d["instance_id"] === item.instanceId,
  )!;
}

const WIDTHS: Record<string, number> = {
  bool: 1,
  int8: 1,
  uint8: 1,
  "uint8 equal": 1,
  int16: 2,
  uint16: 2,
  "uint16 equal": 2,
  int32: 4,
  uint32: 4,
  "int32 equal": 4,
  "uint32 equal": 4,
  "int32 le": 4,
  int64: 8,
  uint64: 8,
  "int64 equal": 8,
  timer: 8,
};

/**
 * The bytes a decoded value takes by what it is, checked against the description's entry at each
 * step (written here again, independently of stream/described.ts): an integer of its type's width,
 * bytes as long as the entry says, a struct the sum of its fields and subsections.
 */
function sizeAgrees(entry: Record<string, unknown>, state: Json, path: string): number {
  const object = state as Record<string, Json>;
  let total = 0;
  const fields = (entry["fields"] ?? []) as Record<string, unknown>[];
  const seen = new Map<string, number>();
  for (const field of fields) {
    const name = field["name"] as string;
    const value = object[name];
    expect(value, `${path}.${name}`).toBeDefined();
    const elements: Json[] =
      field["array_len"] !== undefined
        ? (value as Json[])
        : field["index"] !== undefined
          ? [(value as Json[])[seen.get(name) ?? 0]!]
          : [value!];
    if (field["array_len"] !== undefined)
      expect(elements).toHaveLength(field["array_len"] as number);
    if (field["index"] !== undefined) seen.set(name, (seen.get(name) ?? 0) + 1);
    for (const element of elements) {
      const type = field["type"] as string;
      const size = field["size"] as number;
      let took: number;
      if (type === "struct")
        took = sizeAgrees(field["struct"] as Record<string, unknown>, element, path);
      else if (type === "tmp") took = sizeAgrees(field, element, path);
      else if (type in WIDTHS) {
        took = WIDTHS[type]!;
        expect(
          typeof element === (type === "bool" ? "boolean" : took === 8 ? "string" : "number"),
          `${path}.${name}`,
        ).toBe(true);
      } else took = (element as string).length / 2;
      expect(took, `${path}.${name} (${type})`).toBe(size);
      total += took;
    }
  }
  for (const sub of (entry["subsections"] ?? []) as Record<string, unknown>[]) {
    const name = sub["vmsd_name"] as string;
    total += 6 + name.length + sizeAgrees(sub, object[name]!, `${path}.${name}`);
  }
  return total;
}

describe.each(fixtureStreams)("%s with the schemas switched off", (name) => {
  let bytes: Uint8Array;
  let doc: StreamDocument;
  beforeAll(() => {
    bytes = streamBytes(name);
    doc = decodeStream(bytes, noSchemas, {});
  });

  it("decodes every device section from the description, but the opaque ones, and encodes back byte-identical", () => {
    const sections = fullSections(doc);
    const described = sections.filter((s) => "described" in s.body);
    const kept = sections.filter((s) => "hex" in s.body);
    expect(described.length + kept.length).toBe(sections.length);
    // QEMU describes two sections of these machines as one opaque field: slirp (saved without a
    // VMStateDescription: one "buffer") and virtio-net ("virtio"). Every other one has fields.
    expect(kept.map((s) => s.idstr.split("/").at(-1)).sort()).toEqual(["slirp", "virtio-net"]);
    for (const s of kept)
      expect((s.body as { kept: string }).kept).toMatch(
        /^the stream's description gives this section as one opaque field "(data|virtio)" of type "(buffer|virtio)", \d+ bytes$/,
      );
    expect(described.length).toBeGreaterThanOrEqual(27);
    expect(Buffer.from(encodeStream(doc, noSchemas, {}, bytes)).equals(Buffer.from(bytes))).toBe(
      true,
    );
  });

  it("each decoded field takes the size the description gives it, and each section the bytes the fixture's index finds", () => {
    const desc = description(bytes);
    const index = (
      JSON.parse(readFileSync(join(fixturesDir, "streams", `${name}.sections.json`), "utf8")) as {
        sections: IndexedSection[];
      }
    ).sections.filter((s) => s.type === "FULL");
    const sections = fullSections(doc);
    expect(sections).toHaveLength(index.length);
    sections.forEach((s, i) => {
      if (!("described" in s.body)) return;
      const size = sizeAgrees(entryOf(desc, s), s.body.state, s.idstr);
      expect(index[i]!.name).toBe(s.idstr);
      expect(size, s.idstr).toBe(index[i]!.payload_len);
    });
  });
});

describe("values agree with QEMU's analyze-migration.py", () => {
  // analyze-migration.py -f pxe-loop-pc.stream --dump state (QEMU 7.2's scripts/), values copied
  // from its output: "imr": "0xb8", "irq_base": "0x70", "env.eip": "0x000000000000b8bd", …
  let doc: StreamDocument;
  beforeAll(() => {
    doc = decodeStream(streamBytes("pxe-loop-pc"), noSchemas, {});
  });
  const state = (idstr: string, instance = 0): Record<string, Json> => {
    const s = fullSections(doc).find((i) => i.idstr === idstr && i.instanceId === instance)!;
    return (s.body as { state: Record<string, Json> }).state;
  };

  it("the interrupt controllers, the firmware configuration, the CPU and the PIT", () => {
    expect(state("i8259", 0)).toMatchObject({ imr: 0xb8, irq_base: 0x08, init4: 1, last_irr: 1 });
    expect(state("i8259", 1)).toMatchObject({ imr: 0x8e, irq_base: 0x70 });
    expect(state("fw_cfg")).toEqual({
      cur_entry: 0x0e,
      "cur_offset[1]": 2,
      "fw_cfg/dma": { dma_addr: "0x0" },
      "fw_cfg/acpi_mr": {
        table_mr_size: "0x20000",
        linker_mr_size: "0x1000",
        rsdp_mr_size: "0x14",
      },
    });
    const cpu = state("cpu");
    expect(cpu["env.eip"]).toBe("0xb8bd");
    expect((cpu["env.regs"] as Json[]).slice(0, 3)).toEqual(["0x2", "0x0", "0xa1f5c"]);
    expect((cpu["env.segs"] as Record<string, Json>[])[1]).toEqual({
      selector: 8,
      base: "0x1ed0000",
      limit: 0xffffffff,
      flags: 0x01cf9fed,
    });
    const channel = (state("i8254")["channels"] as Record<string, Json>[])[0]!;
    expect(channel).toMatchObject({ count: 0x10000, mode: 2, gate: 1, rw_mode: 3 });
    expect(channel["next_transition_time"]).toBe(String(0x1edea8f8f)); // an int64
  });

  it("more than it: a timer's expiry (-1: not pending), the x87 registers of a tmp struct, an int32 le as QEMU writes it (big-endian)", () => {
    const timer = (state("hpet")["timer"] as Record<string, Json>[])[0]!;
    // analyze-migration.py: "qemu_timer": "ff ff ff ff ff ff ff ff", "cmp": "0xffffffffffffffff"
    expect(timer["qemu_timer"]).toBe("-1");
    expect(timer["cmp"]).toBe("0xffffffffffffffff");
    // analyze-migration.py: "tmp": "00 00 00 00 00 00 00 00 00 00"
    expect((state("cpu")["env.fpregs"] as Json[])[0]).toEqual({
      tmp: { tmp_mant: "0x0", tmp_exp: 0 },
    });
    // "int32 le" is "less or equal", not little-endian: analyze-migration.py shows 0x00000002.
    expect((state("0000:00:00.0/I440FX")["parent_obj"] as Record<string, Json>)["version_id"]).toBe(
      2,
    );
  });
});

describe("editing a described section", () => {
  const bytes = (): Uint8Array => streamBytes("pxe-loop-pc");
  const edited = (edit: (state: Record<string, Json>) => void): StreamDocument => {
    const doc = decodeStream(bytes(), noSchemas, {});
    const s = fullSections(doc).find((i) => i.idstr === "i8259" && i.instanceId === 1)!;
    edit((s.body as { state: Record<string, Json> }).state);
    return doc;
  };

  it("writes an integer at its width: one byte changes", () => {
    const out = encodeStream(
      edited((s) => (s["imr"] = 0xff)),
      noSchemas,
      {},
      bytes(),
    );
    const original = bytes();
    expect(out.length).toBe(original.length);
    const changed = [...out.keys()].filter((i) => out[i] !== original[i]);
    expect(changed).toHaveLength(1);
    expect(out[changed[0]!]).toBe(0xff);
  });

  it("refuses a value that does not fit, a missing field and an unknown one, naming the path", () => {
    const doc = decodeStream(bytes(), noSchemas, {});
    const item = doc.items.findIndex(
      (i) => i.type === "full" && i.idstr === "i8259" && i.instanceId === 1,
    );
    expect(
      streamErrorOf(() =>
        encodeStream(
          edited((s) => (s["imr"] = 300)),
          noSchemas,
          {},
          bytes(),
        ),
      ),
    ).toBe(`cannot encode items[${item}].body.state.imr: expected uint8 (0 to 255), found 300`);
    expect(
      streamErrorOf(() =>
        encodeStream(
          edited((s) => delete s["elcr"]),
          noSchemas,
          {},
          bytes(),
        ),
      ),
    ).toBe(
      `cannot encode items[${item}].body.state.elcr: missing (the stream's description has it, and the section is written as described)`,
    );
    expect(
      streamErrorOf(() =>
        encodeStream(
          edited((s) => (s["imrr"] = 1)),
          noSchemas,
          {},
          bytes(),
        ),
      ),
    ).toBe(
      `cannot encode items[${item}].body.state.imrr: the stream's description has no such field`,
    );
  });

  it("refuses a 64-bit value out of range, and a buffer of another length", () => {
    const doc = decodeStream(bytes(), noSchemas, {});
    const cpu = fullSections(doc).find((i) => i.idstr === "cpu")!;
    const state = (cpu.body as { state: Record<string, Json> }).state;
    state["env.eip"] = "0x10000000000000000";
    expect(streamErrorOf(() => encodeStream(doc, noSchemas, {}, bytes()))).toMatch(
      /body\.state\.env\.eip: expected uint64 \(0 to 0xffffffffffffffff\), a string such as "0x10" or "-5", found "0x10000000000000000"$/,
    );
    state["env.eip"] = "0xb8bd";
    const rtc = fullSections(doc).find((i) => i.idstr === "mc146818rtc")!;
    const rtcState = (rtc.body as { state: Record<string, Json> }).state;
    rtcState["cmos_data"] = `${rtcState["cmos_data"] as string}00`;
    expect(streamErrorOf(() => encodeStream(doc, noSchemas, {}, bytes()))).toMatch(
      /body\.state\.cmos_data: expected 128 bytes as a hex string, found "/,
    );
  });
});

/**
 * pxe-loop-pc's device sections (after its RAM) and EOF, with the configuration, followed by the
 * description `edit` makes of the stream's own: a small stream to try descriptions on.
 */
function withDescription(
  edit: (desc: { devices: Record<string, unknown>[] }) => unknown,
): Uint8Array {
  const bytes = streamBytes("pxe-loop-pc");
  const desc = description(bytes);
  const edited = edit(desc) ?? desc;
  const text = new TextEncoder().encode(
    typeof edited === "string" ? edited : JSON.stringify(edited),
  );
  const devices = bytes.subarray(1083232, 1142482); // the first device section (timer) to the EOF
  const out = new Uint8Array(26 + devices.length + 5 + text.length);
  out.set(bytes.subarray(0, 26));
  out.set(devices, 26);
  out[26 + devices.length] = 0x06;
  new DataView(out.buffer).setUint32(26 + devices.length + 1, text.length);
  out.set(text, 26 + devices.length + 5);
  return out;
}

function device(desc: { devices: Record<string, unknown>[] }, name: string, instance = 0) {
  return desc.devices.find((d) => d["name"] === name && d["instance_id"] === instance)!;
}

describe("hostile descriptions", () => {
  it("the small stream they are tried on reads and round-trips as it is", () => {
    const small = withDescription(() => undefined);
    const doc = decodeStream(small, noSchemas, {});
    expect(fullSections(doc)).toHaveLength(32);
    expect(Buffer.from(encodeStream(doc, noSchemas, {}, small)).equals(Buffer.from(small))).toBe(
      true,
    );
  });

  it("sizes that disagree with the type or with the fields are one message naming the entry", () => {
    const uint8In2 = withDescription((d) => {
      const fields = device(d, "i8259")["fields"] as Record<string, unknown>[];
      fields[2]!["size"] = 2;
    });
    expect(streamErrorOf(() => decodeStream(uint8In2, noSchemas, {}))).toMatch(
      /^section 16 "i8259" at byte offset \d+: the stream's description of it at fields\[2\] gives a "uint8" 2 bytes: it takes 1$/,
    );
    const struct = withDescription((d) => {
      const fields = device(d, "cpu")["fields"] as Record<string, unknown>[];
      const segs = fields.find((f) => f["name"] === "env.ldt")!;
      segs["size"] = 21;
    });
    expect(streamErrorOf(() => decodeStream(struct, noSchemas, {}))).toMatch(
      /the stream's description of it at fields\[\d+\] gives the struct 21 bytes, and its fields 20$/,
    );
    const slirp = withDescription((d) => {
      device(d, "slirp")["size"] = 130;
    });
    expect(streamErrorOf(() => decodeStream(slirp, noSchemas, {}))).toMatch(
      /"slirp" at byte offset \d+: the stream's description of it gives the section 130 bytes, and its fields 131$/,
    );
  });

  it("a section longer than the description says meets its footer where the description ends it", () => {
    const shorter = withDescription((d) => {
      const fields = device(d, "i8259", 1)["fields"] as Record<string, unknown>[];
      fields.pop();
    });
    expect(streamErrorOf(() => decodeStream(shorter, noSchemas, {}))).toMatch(
      /^section 17 "i8259": expected the section footer 7e 00 00 00 11 at byte offset \d+, found /,
    );
  });

  it("absurd nesting, absurd repetition, names twice, indexes out of order", () => {
    const nested = withDescription((d) => {
      let inner: Record<string, unknown> = { fields: [{ name: "x", type: "uint8", size: 1 }] };
      for (let i = 0; i < 100; i++)
        inner = { fields: [{ name: "s", type: "struct", struct: inner, size: 1 }] };
      device(d, "port92")["fields"] = (inner as { fields: unknown[] }).fields;
    });
    expect(streamErrorOf(() => decodeStream(nested, noSchemas, {}))).toMatch(
      /nests structs more than 16 deep: not a description QEMU writes$/,
    );
    const deepJson = withDescription((d) => {
      const text = JSON.stringify(d);
      return text.replace(
        '"devices": [',
        `"deep": ${"[".repeat(200000)}${"]".repeat(200000)}, "devices": [`,
      );
    });
    expect(() => decodeStream(deepJson, noSchemas, {})).not.toThrow(RangeError);
    const repeated = withDescription((d) => {
      const fields = device(d, "port92")["fields"] as Record<string, unknown>[];
      fields.push({
        name: "nothing",
        type: "struct",
        struct: { fields: [] },
        size: 0,
        array_len: 1e12,
      });
    });
    expect(streamErrorOf(() => decodeStream(repeated, noSchemas, {}))).toMatch(
      /at fields\[1\] repeats entries of no bytes more than 65536 times$/,
    );
    const twice = withDescription((d) => {
      const fields = device(d, "i8259")["fields"] as Record<string, unknown>[];
      fields[1]!["name"] = "last_irr";
    });
    expect(streamErrorOf(() => decodeStream(twice, noSchemas, {}))).toMatch(
      /at fields\[1\] names "last_irr" a second time$/,
    );
    const index = withDescription((d) => {
      const fields = device(d, "i8259")["fields"] as Record<string, unknown>[];
      fields[0]!["index"] = 1;
    });
    expect(streamErrorOf(() => decodeStream(index, noSchemas, {}))).toMatch(
      /at fields\[0\] has "index" 1 where 0 comes next$/,
    );
  });

  /** The fields of kvm-tpr-opt's first struct (rom_state: kvmvapic-guest-rom). */
  const romState = (d: { devices: Record<string, unknown>[] }): Record<string, unknown>[] =>
    (
      (device(d, "kvm-tpr-opt")["fields"] as Record<string, unknown>[])[0]!["struct"] as {
        fields: Record<string, unknown>[];
      }
    ).fields;

  it("entries of the wrong kind, and a subsection the stream does not have", () => {
    const cases: [(d: { devices: Record<string, unknown>[] }) => void, RegExp][] = [
      [(d) => void (device(d, "i8259")["fields"] = "none"), /gives no byte counts for it/],
      [
        (d) =>
          void ((
            device(d, "kvm-tpr-opt")["fields"] as Record<string, Record<string, unknown>>[]
          )[0]!["struct"]!["fields"] = "none"),
        /at fields\[0\]\.struct has "fields" that are not a list$/,
      ],
      [
        (d) => void ((romState(d) as unknown[])[1] = 7),
        /at fields\[0\]\.struct\.fields\[1\] is 7, not an entry$/,
      ],
      [
        (d) => void delete romState(d)[1]!["type"],
        /at fields\[0\]\.struct\.fields\[1\] has no "type"$/,
      ],
      [
        (d) => void (romState(d)[1]!["size"] = 1.5),
        /at fields\[0\]\.struct\.fields\[1\] has no "size" that is a byte count$/,
      ],
      [
        (d) => void ((device(d, "i8259")["fields"] as Record<string, unknown>[])[3]!["size"] = -1),
        /gives no byte counts for it/,
      ],
      [
        (d) =>
          void ((device(d, "fw_cfg")["subsections"] as Record<string, unknown>[])[0]!["vmsd_name"] =
            "fw_cfg/dmb"),
        /: fw_cfg\/dmb: expected the subsection header 05 0a "fw_cfg\/dmb" version 0 at byte offset \d+ \(bytes there: 05 0a 66 77 5f 63 66 67\)$/,
      ],
      [
        (d) =>
          void ((device(d, "fw_cfg")["subsections"] as Record<string, unknown>[])[0]!["version"] =
            "one"),
        /subsections\[0\] has no "version" a subsection header can carry/,
      ],
    ];
    for (const [edit, message] of cases) {
      const message_ = streamErrorOf(() => decodeStream(withDescription(edit), noSchemas, {}));
      expect(message_).toMatch(message);
      expect(message_.split("\n")).toHaveLength(1);
    }
  });

  it("a bool that is not 00 or 01, and QEMU's null pointer (one byte 30 where a struct is described)", () => {
    /** The stream byte of a section's first body byte, in the small stream. */
    const bodyAt = (small: Uint8Array, idstr: string): number => {
      const item = fullSections(decodeStream(small, noSchemas, {})).find((i) => i.idstr === idstr)!;
      return item.offset! + 14 + idstr.length;
    };
    const asBool = (d: { devices: Record<string, unknown>[] }): void => {
      (device(d, "i8259")["fields"] as Record<string, unknown>[])[7]!["type"] = "bool"; // poll
    };
    const small = withDescription(asBool);
    const poll = bodyAt(small, "i8259") + 7;
    expect(small[poll]).toBe(0);
    small[poll] = 2;
    expect(streamErrorOf(() => decodeStream(small, noSchemas, {}))).toBe(
      `section 16 "i8259": poll: expected a bool (00 or 01), found 02 at byte offset ${poll} (bytes there: 02 00 00 00 00 00 01 00)`,
    );
    const nullPointer = withDescription((d) => {
      device(d, "port92")["fields"] = [{ name: "outport", type: "struct", struct: {}, size: 1 }];
    });
    const outport = bodyAt(
      withDescription(() => undefined),
      "port92",
    );
    expect(streamErrorOf(() => decodeStream(nullPointer, noSchemas, {}))).toBe(
      `section 28 "port92": outport: expected QEMU's null pointer (the byte 30) the description gives, found 02 at byte offset ${outport} (bytes there: 02)`,
    );
    nullPointer[outport] = 0x30;
    const doc = decodeStream(nullPointer, noSchemas, {});
    const port92 = fullSections(doc).find((i) => i.idstr === "port92")!;
    expect(port92.body).toEqual({ described: "port92", state: { outport: null } });
    expect(
      Buffer.from(encodeStream(doc, noSchemas, {}, nullPointer)).equals(Buffer.from(nullPointer)),
    ).toBe(true);
  });

  it("a description that is not JSON is no description: the last section cannot be delimited", () => {
    const broken = withDescription((d) => JSON.stringify(d).slice(0, -2) + ",]}");
    // Without a description, each section is kept up to its footer; the last one's footer is
    // followed by EOF and bytes that are not a description, so it is not the stream's end.
    expect(streamErrorOf(() => decodeStream(broken, noSchemas, {}))).toMatch(
      /^section 42 "globalstate" at byte offset \d+ has no schema, and the stream has no description and no footer 7e 00 00 00 2a followed by a section header, so its end cannot be found$/,
    );
  });

  it("random changes to a description: one StreamError or a stream that round-trips, never another exception", () => {
    let seed = 13;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const junk: unknown[] = [0, 1, 2, 7, -1, 1.5, 1e12, "x", null, true, [], {}, "uint8", "struct"];
    let errors = 0;
    let read = 0;
    for (let round = 0; round < 120; round++) {
      const small = withDescription((d) => {
        for (let k = 0; k < 3; k++) {
          const dev = d.devices[random(d.devices.length)]!;
          const fields = (dev["fields"] ?? []) as Record<string, unknown>[];
          const field = fields[random(Math.max(fields.length, 1))];
          if (!field) continue;
          const keys = ["name", "type", "size", "array_len", "index", "struct"];
          field[keys[random(keys.length)]!] = junk[random(junk.length)];
        }
      });
      try {
        const doc = decodeStream(small, noSchemas, {});
        expect(
          Buffer.from(encodeStream(doc, noSchemas, {}, small)).equals(Buffer.from(small)),
        ).toBe(true);
        read++;
      } catch (e) {
        expect((e as Error).name).toBe("StreamError");
        expect((e as Error).message.split("\n")).toHaveLength(1);
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(0);
    expect(read).toBeGreaterThan(0);
  });
});

describe("a stream without a description", () => {
  it("keeps a section without a schema as bytes up to its footer, says it is a guess, and encodes back", () => {
    const bytes = streamBytes("pxe-loop-pc").subarray(0, 1142482); // up to the EOF
    const doc = decodeStream(bytes, noSchemas, {});
    const sections = fullSections(doc);
    expect(sections).toHaveLength(32);
    for (const s of sections) {
      expect("hex" in s.body).toBe(true);
      expect((s.body as { kept: string }).kept).toMatch(
        /^the stream has no description: kept as bytes up to the first footer 7e 00 00 00 [0-9a-f]{2} that a section header follows/,
      );
    }
    const i8259 = sections.find((s) => s.idstr === "i8259")!;
    expect((i8259.body as { hex: string }).hex).toHaveLength(32);
    expect(Buffer.from(encodeStream(doc, noSchemas, {}, bytes)).equals(Buffer.from(bytes))).toBe(
      true,
    );
  });

  it("refuses to encode a section whose bytes would hold its own footer", () => {
    const bytes = streamBytes("pxe-loop-pc").subarray(0, 1142482);
    const doc = decodeStream(bytes, noSchemas, {});
    const s = fullSections(doc).find((i) => i.idstr === "port92")!;
    (s.body as { hex: string }).hex = `7e${s.sectionId.toString(16).padStart(8, "0")}`;
    expect(streamErrorOf(() => encodeStream(doc, noSchemas, {}, bytes))).toMatch(
      /body: a section kept as bytes in a stream without a description is read back up to its footer, and its bytes hold that footer$/,
    );
  });

  it("with no footers either (pc-i440fx-2.3), a section without a schema cannot be delimited", () => {
    const bytes = streamBytes("pxe-loop-pc-i440fx-2.3");
    const eof = decodeStream(bytes, noSchemas, {}).items.find((i) => i.type === "eof")!.offset!;
    expect(streamErrorOf(() => decodeStream(bytes.subarray(0, eof + 1), noSchemas, {}))).toMatch(
      /^section 0 "timer" at byte offset \d+ has no schema, and the stream has no description nor section footers, so its end cannot be found$/,
    );
  });
});

describe("vmstate decode --no-schemas", () => {
  it("decodes every device section of a stream from its description, and encode gives it back", () => {
    const stream = join(fixturesDir, "streams", "pxe-loop-q35-modern.stream");
    const r = vmstate(["decode", stream, "--no-schemas"]);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as StreamDocument;
    const sections = fullSections(doc);
    expect(sections.filter((s) => "described" in s.body)).toHaveLength(31);
    expect(doc.schemas).toEqual({ configuration: "vmstate-dsl/schemas/configuration.vmstate" });
    const dir = mkdtempSync(join(tmpdir(), "vmstate-vmdesc-"));
    try {
      writeFileSync(join(dir, "doc.json"), r.stdout);
      const back = join(dir, "back.stream");
      expect(vmstate(["encode", join(dir, "doc.json"), "-o", back]).status).toBe(0);
      expect(readFileSync(back).equals(readFileSync(stream))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const plain = JSON.parse(vmstate(["decode", stream]).stdout) as StreamDocument;
    expect(fullSections(plain).some((s) => "schema" in s.body)).toBe(true);
  });

  it("reads standard input to the same sections: the device sections wait for the description at the end", () => {
    const stream = join(fixturesDir, "streams", "pxe-loop-pc.stream");
    const fromFile = JSON.parse(
      vmstate(["decode", stream, "--no-schemas"]).stdout,
    ) as StreamDocument;
    const r = spawnSync(process.execPath, [cliPath, "decode", "-", "--no-schemas"], {
      input: readFileSync(stream),
      maxBuffer: 64 << 20,
    });
    expect(r.status, r.stderr.toString()).toBe(0);
    const fromPipe = JSON.parse(r.stdout.toString()) as StreamDocument;
    expect(fromPipe.items).toEqual(fromFile.items);
  });
});
