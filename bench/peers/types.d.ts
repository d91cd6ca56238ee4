// Types of the benchmark's peers: binary-parser's own (its package.json hides them from ESM imports)
// and those of the part of restructure 3.0.2 that bench/peers/restructure.ts uses (it ships none).

declare module "binary-parser" {
  export { Parser } from "binary-parser/dist/binary_parser.js";
}

declare module "restructure" {
  /** A struct's values while decoding; `{ parent, val }` contexts while sizing and encoding. */
  type Parent = any;
  type Length = number | string | ((this: Parent, parent: Parent) => number);

  export interface Codec {
    decode(stream: DecodeStream, parent?: Parent): unknown;
    encode(stream: EncodeStream, value: any, parent?: Parent): void;
    size(value?: unknown, parent?: Parent): number;
  }

  export class Base implements Codec {
    decode(stream: DecodeStream, parent?: Parent): unknown;
    encode(stream: EncodeStream, value: unknown, parent?: Parent): void;
    size(value?: unknown, parent?: Parent): number;
    fromBuffer(buffer: Uint8Array): any;
    toBuffer(value: unknown): Uint8Array;
  }
  export class Struct extends Base {
    constructor(fields: Record<string, Codec>);
  }
  export class Array extends Base {
    constructor(type: Codec, length: Length);
  }
  export class Buffer extends Base {
    constructor(length: Length);
  }
  export class Optional extends Base {
    constructor(type: Codec, condition: boolean | ((this: Parent, parent: Parent) => boolean));
  }
  export class Reserved extends Base {
    constructor(type: Codec, count?: Length);
  }
  export class Boolean extends Base {
    constructor(type: Codec);
  }
  export const uint8: Codec;
  export const uint16be: Codec;
  export const uint32be: Codec;
  export const uint32le: Codec;
  export const int32be: Codec;

  export class DecodeStream {
    constructor(buffer: Uint8Array);
    readonly buffer: Uint8Array;
    readonly view: DataView;
    pos: number;
    readonly length: number;
    readUInt32BE(): number;
  }
  export class EncodeStream {
    readonly buffer: Uint8Array;
    readonly view: DataView;
    pos: number;
    writeUInt8(v: number): void;
    writeUInt32BE(v: number): void;
    writeBuffer(buffer: Uint8Array): void;
  }
}
