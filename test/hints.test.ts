// Diagnostics with hints: an unknown name, type, member or function suggests the nearest declared
// one; a C type name or a construct the language does not have says what to write instead.

import { describe, expect, it } from "vitest";
import { checkText } from "../generator/index.js";
import { nearest } from "../diagnostics/hints.js";

function messages(text: string): string[] {
  return checkText(text, "hints.vmstate").diagnostics.map((d) => `${d.code}: ${d.message}`);
}

describe("hints", () => {
  it("C and QEMU type names say the language's spelling", () => {
    expect(messages('section s "s" version 1 { a: uint8; b: int64_t; c: char[8]; }')).toEqual([
      "VMS2003: unknown type 'uint8': write 'u8'",
      "VMS2003: unknown type 'int64_t': write 'i64'",
      "VMS2003: unknown type 'char': write text[N] (a C string of N bytes) or u8",
    ]);
  });

  it("an unknown type, name, member or function suggests the nearest declared one", () => {
    const text = [
      "const RUNSTATE_SIZE = 100;",
      "features F { MQ = 22; }",
      "struct Channel { count: i32; }",
      'section s "s" version 1 {',
      "  a: Chanel;",
      "  flags: u32;",
      "  ch: Channel;",
      "  b: bytes[RUNSTATE_SIZ];",
      "  c: u8 if flagz != 0;",
      "  d: u8 if ch.cont > 0;",
      "  e: u8 if hass(flags, 1);",
      "  f: u8 if has(flags, F.MG);",
      "}",
    ].join("\n");
    expect(messages(text)).toEqual([
      "VMS2003: unknown type 'Chanel': did you mean 'Channel'?",
      "VMS2001: unknown name 'RUNSTATE_SIZ': did you mean 'RUNSTATE_SIZE'?",
      "VMS2001: unknown name 'flagz': did you mean 'flags'?",
      "VMS2004: 'ch' has no member 'cont': did you mean 'count'?",
      "VMS2005: unknown function 'hass': did you mean 'has'?",
      "VMS2004: 'F' has no member 'MG': did you mean 'MQ'?",
    ]);
  });

  it("suggests nothing when no name is near", () => {
    expect(messages('section s "s" version 1 { a: u8 if zzzz; }')).toEqual([
      "VMS2001: unknown name 'zzzz'",
    ]);
    expect(nearest("ab", ["xy", "abc"])).toBe("abc");
    expect(nearest("queue", ["q"])).toBeUndefined();
  });

  it("a construct the language does not have says what to write instead", () => {
    expect(messages("typedef u8 byte;")[0]).toMatch(/'typedef': a schema has no typedefs/);
    expect(messages("enum E { A = 1 }")[0]).toMatch(/'enum': enumerations are not in the language/);
    expect(messages('section s "s" version 1 needed x { a: u8; }')[0]).toBe(
      "VMS1002: expected '{' but found 'needed': only a subsection has 'needed' (write it after the subsection's versions); a section is on the stream or not",
    );
    expect(messages('section s "s" version 1 { uint8_t x; }')).toEqual([
      "VMS1002: expected ':' but found 'x': a field is written name: type, as in 'x: uint8_t;'",
    ]);
  });

  it("an index in a field path must be a constant", () => {
    expect(
      messages(
        'struct C { a: u8; }\nsection s "s" version 1 { n: u8; cs: C[2]; cs[n].x: u8; }',
      ).map((m) => m.slice(0, 7)),
    ).toEqual(["VMS3005"]);
  });
});
