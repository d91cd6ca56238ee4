// Streams built from the fixtures for tests.

import { expect } from "vitest";
import {
  streamBytes,
  streamIndex,
  streamParams,
  type IndexedSection,
} from "../../fuzz/fixtures.js";
import { StreamError } from "../../stream/format.js";

export { streamBytes, streamParams };

/** The fixture streams QEMU 7.2 wrote (test/fixtures/qemu/README.md), by name. */
export const fixtureStreams = [
  "idle-pc",
  "idle-pc-packed",
  "idle-q35-modern",
  "linux-pc-user",
  "pxe-loop-pc",
  "pxe-loop-pc-i440fx-2.3",
  "pxe-loop-pc-legacy",
  "pxe-loop-q35-modern",
] as const;

/**
 * linux-pc-user in the order QEMU 2.5/2.6's reader wanted: the guest negotiated
 * CTRL_GUEST_OFFLOADS, so the device state ends with the 8 bytes of curr_guest_offloads (payload
 * offset 978, before the subsections at 986); here they are moved after the subsections.
 */
export function offloadsAfterSubsections(): {
  bytes: Uint8Array;
  payload: number;
  length: number;
  offloads: number;
} {
  const bytes = streamBytes("linux-pc-user");
  const payload = 469828;
  const length = 46190;
  const offloads = payload + 978;
  const moved = new Uint8Array(bytes.length);
  moved.set(bytes.subarray(0, offloads));
  moved.set(bytes.subarray(offloads + 8, payload + length), offloads);
  moved.set(bytes.subarray(offloads, offloads + 8), payload + length - 8);
  moved.set(bytes.subarray(payload + length), payload + length);
  return { bytes: moved, payload, length, offloads };
}

/** The message of the StreamError `run` throws; any other outcome fails the test. */
export function streamErrorOf(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(StreamError);
    return (e as Error).message;
  }
  throw new Error("no error");
}

/** The same as `--param NAME=VALUE` arguments of the CLI. */
export function streamParamArgs(name: string): string[] {
  return Object.entries(streamParams(name)).flatMap(([k, v]) => ["--param", `${k}=${v}`]);
}

/**
 * The payload and version of every FULL section `idstr` of these fixture streams, cut out by the
 * fixture's index (`streams/NAME.sections.json`), whether or not a schema decodes it.
 */
export function sectionPayloads(
  names: readonly string[],
  idstr: string,
): { stream: string; version: number; bytes: Uint8Array }[] {
  const out: { stream: string; version: number; bytes: Uint8Array }[] = [];
  for (const stream of names) {
    const bytes = streamBytes(stream);
    for (const s of streamIndex(stream).sections as readonly (IndexedSection & {
      version_id?: number;
    })[]) {
      if (s.type !== "FULL" || s.name !== idstr) continue;
      const start = s.payload_offset!;
      out.push({
        stream,
        version: s.version_id!,
        bytes: bytes.slice(start, start + s.payload_len!),
      });
    }
  }
  return out;
}
