// The constructs QEMU 7.2's sections need (issue 12), on the real bytes of the fixture streams:
// each section is cut out of a stream (by the fixture's index), loaded with the module
// of test/golden/qemu.vmstate, saved back to the same bytes, and edited to see the errors.

import { describe, expect, it } from "vitest";
import { LoadError, Reader, SaveError, Writer } from "../runtime/index.js";
import type { Json } from "../stream/format.js";
import { stateFromJson, stateToJson } from "../stream/json.js";
import { fixtureStreams, sectionPayloads } from "./support/streams.js";
import * as q from "./golden/qemu.js";

/** The payload and version of every section `idstr` of every fixture stream. */
function sections(idstr: string): { stream: string; version: number; bytes: Uint8Array }[] {
  return sectionPayloads(fixtureStreams, idstr);
}

function roundTrip<S>(
  bytes: Uint8Array,
  load: (r: Reader) => S,
  save: (w: Writer, s: S) => void,
): S {
  const r = new Reader(bytes);
  const state = load(r);
  expect(r.pos).toBe(bytes.length);
  const w = new Writer();
  save(w, state);
  expect(Buffer.from(w.finish()).equals(Buffer.from(bytes))).toBe(true);
  return state;
}

describe("text: globalstate's run state", () => {
  it("is a string in every fixture stream that has the section, and saves back byte-exact", () => {
    const found = sections("globalstate");
    expect(found.length).toBe(7); // all but pc-i440fx-2.3 (store-global-state is off there)
    const states = found.map(({ bytes, version }) =>
      roundTrip(
        bytes,
        (r) => q.loadGlobalstate(r, {}, version),
        (w, s) => q.saveGlobalstate(w, s),
      ),
    );
    for (const s of states) {
      expect(["running", "paused", "prelaunch"]).toContain(s.runstate);
      expect(s.size).toBe(s.runstate.length + 1);
    }
  });

  it("keeps bytes after the NUL that are not zero, so they survive a round trip", () => {
    const bytes = sections("globalstate")[0]!.bytes.slice();
    bytes.set([0x78, 0x79], 4 + 20); // "xy" well after the name's NUL
    const state = roundTrip(bytes, (r) => q.loadGlobalstate(r), q.saveGlobalstate);
    expect(
      state.runstate
        .replace(/^\w+/, "")
        .split("")
        .filter((c) => c !== "\0")
        .join(""),
    ).toBe("xy");
    expect(state.runstate.endsWith("\0xy")).toBe(true);
  });

  it("refuses to save a string that does not fit, or a character that is not a byte, naming the path", () => {
    const base = { size: 8, runstate: "running" };
    expect(() => q.saveGlobalstate(new Writer(), { ...base, runstate: "x".repeat(101) })).toThrow(
      new SaveError("runstate", "the text is 101 bytes long, which does not fit in 100"),
    );
    expect(() => q.saveGlobalstate(new Writer(), { ...base, runstate: "run€" })).toThrow(
      /^runstate: character 3 \(U\+20AC\) is not a byte/,
    );
    const w = new Writer();
    q.saveGlobalstate(w, { ...base, runstate: "x".repeat(100) }); // exactly 100: no NUL, as QEMU's buffer may be
    expect(w.finish().length).toBe(104);
  });

  it("a truncated text is a LoadError naming the path", () => {
    const bytes = sections("globalstate")[0]!.bytes.subarray(0, 50);
    expect(() => q.loadGlobalstate(new Reader(bytes))).toThrow(LoadError);
    expect(() => q.loadGlobalstate(new Reader(bytes))).toThrow(
      /^runstate: unexpected end of input/,
    );
  });
});

describe("needed on the writer's state: ps2kbd's subsections", () => {
  it("loads and saves every fixture's keyboard byte-exact", () => {
    const found = sections("ps2kbd");
    expect(found.length).toBe(8);
    for (const { bytes, version } of found)
      roundTrip(
        bytes,
        (r) => q.loadPs2kbd(r, {}, version),
        (w, s) => q.savePs2kbd(w, s),
      );
  });

  it("sends a subsection when its own field says so, and refuses one that QEMU would not send", () => {
    const { bytes } = sections("ps2kbd")[0]!;
    const state = q.loadPs2kbd(new Reader(bytes));
    expect(state.ledstate).toBeUndefined();
    const w = new Writer();
    q.savePs2kbd(w, { ...state, ledstate: { ledstate: 2 } });
    const out = w.finish();
    // 0x05, the name's length and bytes, the be32 version, the be32 value
    const name = "ps2kbd/ledstate";
    expect(Buffer.from(out.subarray(bytes.length)).toString("latin1")).toBe(
      `\u0005${String.fromCharCode(name.length)}${name}\u0000\u0000\u0000\u0003\u0000\u0000\u0000\u0002`,
    );
    expect(q.loadPs2kbd(new Reader(out)).ledstate).toEqual({ ledstate: 2 });
    expect(() => q.savePs2kbd(new Writer(), { ...state, ledstate: { ledstate: 0 } })).toThrow(
      new SaveError("ledstate", "present, but its condition does not hold: it would not be saved"),
    );
  });
});

describe("paths and a value sent twice: i8254", () => {
  it("merges channels[0].irq_disabled into channel 0, checks the second next_transition_time, and saves byte-exact", () => {
    const found = sections("i8254");
    expect(found.length).toBe(8);
    for (const { bytes, version } of found) {
      const state = roundTrip(
        bytes,
        (r) => q.loadI8254(r, {}, version),
        (w, s) => q.saveI8254(w, s),
      );
      expect(Object.keys(state)).toEqual(["channels"]);
      expect([0, 1]).toContain(state.channels[0]!.irq_disabled);
      expect(state.channels[1]!).not.toHaveProperty("irq_disabled");
      // The decoded JSON has one channels[0], with irq_disabled beside the struct's fields.
      const json = stateToJson(
        q.i8254Section.state,
        state as unknown as Record<string, unknown>,
      ) as { channels: Json[] };
      expect(Object.keys(json.channels[0] as object)).toEqual([
        ...Object.keys(state.channels[1]!),
        "irq_disabled",
      ]);
      const back = stateFromJson(
        q.i8254Section.state,
        JSON.parse(JSON.stringify(json)) as Json,
        "",
      );
      const w = new Writer();
      q.saveI8254(w, back as unknown as q.I8254);
      expect(Buffer.from(w.finish()).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it("refuses a stream whose two copies differ, naming both offsets", () => {
    const { bytes } = sections("i8254")[0]!;
    const edited = bytes.slice();
    edited[edited.length - 1] = edited[edited.length - 1]! ^ 1;
    // irq_disabled (4), then channel 0's next_transition_time at 4 + 24; the second copy at the end
    const second = bytes.length - 8;
    expect(() => q.loadI8254(new Reader(edited))).toThrow(
      new LoadError(
        "channels[0].next_transition_time",
        second,
        `the copy at byte offset ${second} is ${String(q.loadI8254(new Reader(bytes)).channels[0]!.next_transition_time ^ 1n)} (0x${(q.loadI8254(new Reader(bytes)).channels[0]!.next_transition_time ^ 1n).toString(16)}), but the copy read at byte offset 28 is ${String(q.loadI8254(new Reader(bytes)).channels[0]!.next_transition_time)} (0x${q.loadI8254(new Reader(bytes)).channels[0]!.next_transition_time.toString(16)}): the two must agree`,
      ),
    );
  });

  it("writes both copies from the one value: an edit changes both", () => {
    const { bytes } = sections("i8254")[0]!;
    const state = q.loadI8254(new Reader(bytes));
    state.channels[0]!.next_transition_time += 1000n;
    const w = new Writer();
    q.saveI8254(w, state);
    const out = w.finish();
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    expect(view.getBigInt64(4 + 24)).toBe(state.channels[0]!.next_transition_time);
    expect(view.getBigInt64(out.length - 8)).toBe(state.channels[0]!.next_transition_time);
    expect(q.loadI8254(new Reader(out))).toEqual(state);
  });

  it("needs irq_disabled in channel 0 from version 3 on", () => {
    const state = q.loadI8254(new Reader(sections("i8254")[0]!.bytes));
    delete state.channels[0]!.irq_disabled;
    expect(() => q.saveI8254(new Writer(), state)).toThrow(
      new SaveError(
        "channels[0].irq_disabled",
        "missing: its condition holds, so it must be saved",
      ),
    );
  });
});

describe("a subsection field naming into its owner's struct: ps2kbd's parent_obj.queue.cwptr", () => {
  it("lands in parent_obj.queue beside the struct's fields, and is sent when it is not -1", () => {
    const { bytes } = sections("ps2kbd")[0]!;
    const state = q.loadPs2kbd(new Reader(bytes));
    expect(state.parent_obj.queue).not.toHaveProperty("cwptr");
    state.parent_obj.queue.cwptr = 3;
    state.command_reply_queue = {};
    const w = new Writer();
    q.savePs2kbd(w, state);
    const out = w.finish();
    const loaded = q.loadPs2kbd(new Reader(out));
    expect(loaded.parent_obj.queue.cwptr).toBe(3);
    expect(loaded.command_reply_queue).toEqual({});
    const json = stateToJson(
      q.ps2kbdSection.state,
      loaded as unknown as Record<string, unknown>,
    ) as {
      parent_obj: { queue: Record<string, Json> };
    };
    expect(json.parent_obj.queue["cwptr"]).toBe(3);
    // Without the subsection the value would be lost: refused.
    expect(() => q.savePs2kbd(new Writer(), { ...loaded, command_reply_queue: undefined })).toThrow(
      new SaveError(
        "parent_obj.queue.cwptr",
        "present, but its condition does not hold: it would not be saved",
      ),
    );
  });
});
