// The real QEMU 7.2 streams and virtio-net payloads of test/fixtures/qemu (or VMSTATE_FIXTURES),
// found from the source tree (tests) or from dist/ (npm run fuzz, the benchmarks).

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { packageRoot } from "../generator/package-root.js";

export { packageRoot };

/** The fixtures are part of the repository (test/fixtures/qemu); VMSTATE_FIXTURES names another copy. */
function findFixtures(): string {
  const override = process.env["VMSTATE_FIXTURES"];
  const dir = override ?? join(packageRoot, "test", "fixtures", "qemu");
  if (!existsSync(join(dir, "virtio-net")))
    throw new Error(
      override === undefined
        ? `the QEMU fixtures are missing from ${dir}`
        : `VMSTATE_FIXTURES=${override} has no QEMU fixtures (no virtio-net folder)`,
    );
  return dir;
}

export const fixturesDir = findFixtures();

/** The virtio-net section payloads: name (e.g. `pxe-loop-pc`) and bytes. */
export function virtioNetPayloads(): { name: string; bytes: Uint8Array }[] {
  const dir = join(fixturesDir, "virtio-net");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".bin"))
    .sort()
    .map((f) => ({
      name: f.replace(/^virtio-net-/, "").replace(/\.bin$/, ""),
      bytes: new Uint8Array(readFileSync(join(dir, f))),
    }));
}

/** One entry of a stream's `*.sections.json` index, as the fixtures' README describes it. */
export interface IndexedSection {
  readonly type: string;
  readonly offset: number;
  readonly section_id?: number;
  readonly name?: string;
  readonly payload_offset?: number;
  readonly payload_len?: number;
  readonly footer_offset?: number;
  readonly end?: number;
}

export interface StreamIndex {
  readonly sections: readonly IndexedSection[];
  readonly eof_offset: number;
  readonly vmdesc_offset?: number;
  readonly stream_length: number;
}

export function streamNames(): string[] {
  return readdirSync(join(fixturesDir, "streams"))
    .filter((f) => f.endsWith(".stream"))
    .map((f) => f.replace(/\.stream$/, ""))
    .sort();
}

/**
 * The params a fixture stream needs beyond the schemas' defaults (QEMU 7.2's machine types):
 * pc-i440fx-2.3 sends no SMBus state and no ACPI index in piix4_pm, which its stream does not say
 * (schemas/piix4_pm.vmstate).
 */
export function streamParams(name: string): Record<string, boolean> {
  return name === "pxe-loop-pc-i440fx-2.3"
    ? { smbus_no_migration_support: true, not_migrate_acpi_index: true }
    : {};
}

export function streamBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(fixturesDir, "streams", `${name}.stream`)));
}

export function streamIndex(name: string): StreamIndex {
  return JSON.parse(
    readFileSync(join(fixturesDir, "streams", `${name}.sections.json`), "utf8"),
  ) as StreamIndex;
}

/** Every offset where the index says something starts or ends: sections, payloads, footers, EOF, the description. */
export function sectionBoundaries(index: StreamIndex): number[] {
  const points = new Set<number>([
    0,
    4,
    8,
    index.eof_offset,
    index.eof_offset + 1,
    index.stream_length,
  ]);
  if (index.vmdesc_offset !== undefined)
    points.add(index.vmdesc_offset).add(index.vmdesc_offset + 5);
  for (const s of index.sections) {
    for (const p of [
      s.offset,
      s.payload_offset,
      s.footer_offset,
      s.footer_offset === undefined ? undefined : s.footer_offset + 5,
      s.end,
    ]) {
      if (p !== undefined) points.add(p);
    }
  }
  return [...points].filter((p) => p <= index.stream_length).sort((a, b) => a - b);
}
