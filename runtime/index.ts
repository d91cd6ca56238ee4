// The runtime that generated code imports, and nothing else does: Reader, Writer and their errors.

export { Reader, eachRunField, type RunEntry, type RunLayout } from "./reader.js";
export { Writer } from "./writer.js";
export { LoadError, SaveError, atIndex, atPath, hexBytes, printable } from "./errors.js";
export type { SectionCodec } from "./section.js";
export type {
  IntShape,
  MemberShape,
  ObjectShape,
  ParamShape,
  ScalarShape,
  ValueShape,
} from "./shape.js";
export { pciCapability } from "./pci.js";
