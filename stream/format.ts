// The QEMU migration stream (migration/savevm.h in QEMU 7.2), and the JSON document that
// `vmstate decode` prints and `vmstate encode` reads.

export const MAGIC = 0x5145564d; // "QEVM"
export const FILE_VERSION = 3;

export const Marker = {
  EOF: 0x00,
  SECTION_START: 0x01,
  SECTION_PART: 0x02,
  SECTION_END: 0x03,
  SECTION_FULL: 0x04,
  SUBSECTION: 0x05,
  VMDESCRIPTION: 0x06,
  CONFIGURATION: 0x07,
  COMMAND: 0x08,
  SECTION_FOOTER: 0x7e,
} as const;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A section body: decoded by a schema, or from the stream's own description (`described`: the
 * VMStateDescription's name it gives), or kept as bytes (`kept`: why, when the description says).
 * A RAM section's bytes stay in the source stream: the body says where (`source`); documents of
 * earlier versions carry them as base64.
 */
export type SectionBody =
  | { readonly schema: string; readonly state: Json }
  | { readonly described: string; readonly state: Json }
  | { readonly ram: RamSummary; readonly source: RamRange }
  | { readonly ram: RamSummary; readonly base64: string }
  | { readonly hex: string; readonly kept?: string };

export interface RamSummary {
  /** Pages sent with their 4096 bytes, pages sent as zero, and other records (sizes, ends). */
  readonly pages: number;
  readonly zeroPages: number;
  readonly records: number;
  readonly blocks?: RamBlock[];
}

export interface RamBlock {
  readonly id: string;
  readonly length: number;
}

/** Where a RAM section's body is in the source stream, and the checksum of its bytes (stream/checksum.ts). */
export interface RamRange {
  readonly offset: number;
  readonly length: number;
  readonly checksum: string;
}

/** The stream a document was decoded from, which its RAM sections' bytes are read from again. */
export interface StreamSource {
  /** Its absolute path; absent when it was read from standard input. */
  readonly path?: string;
  readonly size: number;
}

export type StreamItem =
  | {
      readonly type: "configuration";
      readonly offset?: number;
      readonly schema: string;
      readonly state: Json;
    }
  | {
      readonly type: "start" | "full";
      readonly offset?: number;
      readonly sectionId: number;
      readonly idstr: string;
      readonly instanceId: number;
      readonly versionId: number;
      readonly body: SectionBody;
      /** Whether the section ends with a footer (0x7e + section id); old machine types send none. */
      readonly footer: boolean;
    }
  | {
      readonly type: "part" | "end";
      readonly offset?: number;
      readonly sectionId: number;
      readonly body: SectionBody;
      readonly footer: boolean;
    }
  | {
      readonly type: "command";
      readonly offset?: number;
      readonly command: number;
      readonly hex: string;
    }
  | { readonly type: "eof"; readonly offset?: number }
  /** The JSON description QEMU appends after EOF, kept verbatim. */
  | { readonly type: "vmdesc"; readonly offset?: number; readonly json: string };

/** A bare section body, as `vmstate decode --section NAME` prints it and `vmstate encode` reads it. */
export interface SectionDocument {
  readonly format: "qemu-section";
  readonly schema: string;
  readonly state: Json;
}

/**
 * What a decoded document records of its parameters: the values given (configuration and command
 * line), the defaults the schemas declare for the others, and the parameters left to the schemas,
 * which work them out from each section's own bytes (so `encode` works them out again).
 */
export interface RecordedParams {
  readonly given: Record<string, Json>;
  readonly defaults: Record<string, Json>;
  readonly derived: string[];
}

export interface StreamDocument {
  readonly format: "qemu-migration-stream";
  readonly fileVersion: number;
  /** Where the RAM sections' bytes are; a document whose RAM is inline (base64) has none. */
  readonly source?: StreamSource;
  /** The parameters it was decoded with. */
  readonly params?: RecordedParams;
  /** The schema file of each section schema used, by QEMU name. */
  readonly schemas?: Record<string, string>;
  readonly items: StreamItem[];
}

/** A stream that cannot be decoded or a document that cannot be encoded: one message for the user. */
export class StreamError extends Error {
  override readonly name = "StreamError";
}
