// The verifier reads emitted save/load functions back from their syntax tree and compares their
// traces. An edited emitted function must produce an order-mismatch diagnostic naming both places.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { verifyModule } from "../generator/verify/index.js";
import { planOf, root } from "./support/compile.js";

const file = "generated/virtio-net.ts";
const text = readFileSync(join(root, file), "utf8");
const pairs = planOf("schemas/virtio-net.vmstate").functions.map((f) => ({
  save: f.saveName,
  load: f.loadName,
}));

function edit(from: string, to: string): string {
  expect(text).toContain(from);
  return text.replace(from, to);
}

function lineOf(source: string, needle: string): number {
  return source.slice(0, source.indexOf(needle)).split("\n").length;
}

describe("verifier", () => {
  it("accepts the generated module as emitted", () => {
    expect(verifyModule(file, text, pairs)).toEqual([]);
  });

  it("reports two reads swapped in a loader, naming both places", () => {
    const swapped = edit(
      `const promisc = r.u8At(run$1 + 6, "promisc");\n  const allmulti = r.u8At(run$1 + 7, "allmulti");`,
      `const allmulti = r.u8At(run$1 + 7, "allmulti");\n  const promisc = r.u8At(run$1 + 6, "promisc");`,
    );
    const [d, ...rest] = verifyModule(file, swapped, pairs);
    expect(rest).toEqual([]);
    expect(d?.code).toBe("VMS8001");
    expect(d?.message).toContain("saveVirtioNetDevice writes u8 'promisc'");
    expect(d?.message).toContain("loadVirtioNetDevice reads u8 'allmulti'");
    expect(d?.span.line).toBe(lineOf(swapped, `w.u8At(run$1 + 6, promisc, "promisc")`));
    expect(d?.related[0]?.span.line).toBe(lineOf(swapped, `r.u8At(run$1 + 7, "allmulti")`));
  });

  it("reports a guard dropped from a loader", () => {
    const unguarded = edit(
      `  if ((guest_features & (1 << VirtioNetF.CTRL_GUEST_OFFLOADS)) !== 0) {\n    curr_guest_offloads = r.u64("curr_guest_offloads");\n  }`,
      `  curr_guest_offloads = r.u64("curr_guest_offloads");`,
    );
    const [d, ...rest] = verifyModule(file, unguarded, pairs);
    expect(rest).toEqual([]);
    expect(d?.code).toBe("VMS8001");
    expect(d?.message).toMatch(
      /saveVirtioNetDevice writes u64 'curr_guest_offloads' if \(\(arg\.guest_features & \(1 << 2\)\) !== 0\) at .* where loadVirtioNetDevice reads u64 'curr_guest_offloads'/,
    );
  });

  it("reports a changed width and a changed count", () => {
    const width = verifyModule(
      file,
      edit(`r.u32At(run$1, "mergeable_rx_bufs")`, `r.u16At(run$1, "mergeable_rx_bufs")`),
      pairs,
    );
    expect(width.map((d) => d.code)).toEqual(["VMS8001"]);
    expect(width[0]?.message).toContain("writes u32 'mergeable_rx_bufs'");
    const count = verifyModule(
      file,
      edit(
        `const i$n = r.count(num_queues, 1024, "vq");`,
        `const i$n = r.count(num_queues + 1, 1024, "vq");`,
      ),
      pairs,
    );
    expect(count.map((d) => d.code)).toEqual(["VMS8001"]);
    expect(count[0]?.message).toContain("loops");
  });

  it("reports a writer that never writes a subsection the reader knows", () => {
    const start = text.indexOf(`  const started = s.started;`);
    const end = text.indexOf("\n  }\n", start) + 4;
    expect(start).toBeGreaterThan(0);
    const dropped = text.slice(0, start) + text.slice(end);
    const found = verifyModule(file, dropped, pairs);
    expect(found.map((d) => d.code)).toEqual(["VMS8001"]);
    expect(found[0]?.message).toContain(`reads subsection "virtio/started"`);
  });
});

describe("verifier, a value sent twice (again)", () => {
  const schema = [
    'section pit "pit" version 1 {',
    "  count: u8;",
    "  again count: u8;",
    "  other: u8;",
    "  late: u8 if count == 1;",
    "}",
  ].join("\n");

  async function module(): Promise<{ code: string; pairs: { save: string; load: string }[] }> {
    const { generate } = await import("../generator/index.js");
    const r = await generate(schema, "pit.vmstate", {
      sourceName: "pit.vmstate",
      outputName: join(root, "generated", "pit.ts"),
      runtimeImport: "../runtime/index.js",
    });
    expect(r.diagnostics).toEqual([]);
    return {
      code: r.code!,
      pairs: r.plan!.functions.map((f) => ({ save: f.saveName, load: f.loadName })),
    };
  }

  it("accepts both copies and a guard that reads the value after them", async () => {
    const { code, pairs } = await module();
    expect(code).toContain('w.u8(w.same(count, "count"), "count");');
    expect(verifyModule("pit.ts", code, pairs)).toEqual([]);
  });

  it("reports a writer whose second copy is another value", async () => {
    const { code, pairs } = await module();
    const wrong = code.replace(
      'w.u8(w.same(count, "count"), "count");',
      'w.u8(w.same(other, "count"), "count");',
    );
    expect(wrong).not.toBe(code);
    const found = verifyModule("pit.ts", wrong, pairs);
    expect(found.map((d) => d.code)).toContain("VMS8001");
  });
});
