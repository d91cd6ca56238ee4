// The seed bug (examples/seed-bug): the QEMU 2.4 reader decided on a feature bit the stream had not
// delivered; `vmstate check` refuses that schema and accepts the 2.7 fix, which generates and
// round-trips.

import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { Reader, Writer } from "../runtime/index.js";
import { vmstate } from "./support/cli.js";
import { planOf, root } from "./support/compile.js";
import { firstDifference } from "./support/diff.js";
import { Reject, StateBuilder, seededDraw } from "./support/states.js";

// Generated inside the repository, so the module imports runtime/ by a relative path.
const out = mkdtempSync(join(root, "test", ".seed-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("the 2016 virtio-net bug", () => {
  it("QEMU 2.4's shape is refused: the guard reads a field only a later subsection carries", () => {
    const r = vmstate(["check", "--format", "json", "examples/seed-bug/qemu-2.4.vmstate"]);
    expect(r.status).toBe(1);
    const diagnostics = JSON.parse(r.stdout) as { code: string; line: number; column: number; message: string; related: { line: number; column: number; message: string }[] }[];
    expect(diagnostics).toHaveLength(1);
    const [d] = diagnostics;
    expect(d).toMatchObject({ code: "VMS4002", line: 69, column: 35 });
    expect(d!.message).toBe(`guard of 'curr_guest_offloads' reads 'guest_features', which is inside subsection "virtio/64bit_features": the reader cannot know it here`);
    expect(d!.related).toEqual([expect.objectContaining({ line: 33, column: 5 })]);
  });

  it("QEMU 2.7's fix is accepted, generates, and its section round-trips", async () => {
    expect(vmstate(["check", "examples/seed-bug/qemu-2.7.vmstate"])).toMatchObject({ status: 0, stdout: "" });
    expect(vmstate(["gen", "examples/seed-bug/qemu-2.7.vmstate", "--out", out]).status).toBe(0);
    const module = (await import(join(out, "qemu-2.7.ts"))) as Record<string, (...args: unknown[]) => unknown>;
    const fn = planOf("examples/seed-bug/qemu-2.7.vmstate").functions.find((f) => f.layout.kind === "section")!;
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
});
