// The real QEMU 7.2 streams and payloads of ../shared/fixtures/qemu.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "./compile.js";

/**
 * The fixtures live beside the repository (`../shared/fixtures/qemu`) on the project's machines;
 * VMSTATE_FIXTURES names another place.
 */
function findFixtures(): string {
  const candidates = [process.env["VMSTATE_FIXTURES"], join(root, "..", "shared", "fixtures", "qemu"), "/work/shared/fixtures/qemu"];
  const found = candidates.find((c): c is string => c !== undefined && existsSync(join(c, "virtio-net")));
  if (!found) throw new Error(`QEMU fixtures not found (looked in ${candidates.filter(Boolean).join(", ")}); set VMSTATE_FIXTURES`);
  return found;
}

export const fixturesDir = findFixtures();

/** The virtio-net section payloads: name (e.g. `pxe-loop-pc`) and bytes. */
export function virtioNetPayloads(): { name: string; bytes: Uint8Array }[] {
  const dir = join(fixturesDir, "virtio-net");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".bin"))
    .sort()
    .map((f) => ({ name: f.replace(/^virtio-net-/, "").replace(/\.bin$/, ""), bytes: new Uint8Array(readFileSync(join(dir, f))) }));
}
