// The real QEMU 7.2 streams and payloads of ../shared/fixtures/qemu.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "./compile.js";

export const fixturesDir = join(root, "..", "shared", "fixtures", "qemu");

/** The virtio-net section payloads: name (e.g. `pxe-loop-pc`) and bytes. */
export function virtioNetPayloads(): { name: string; bytes: Uint8Array }[] {
  const dir = join(fixturesDir, "virtio-net");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".bin"))
    .sort()
    .map((f) => ({ name: f.replace(/^virtio-net-/, "").replace(/\.bin$/, ""), bytes: new Uint8Array(readFileSync(join(dir, f))) }));
}
