// The real QEMU 7.2 streams and payloads of test/fixtures/qemu, for tests (fuzz/fixtures.ts finds them).

export { fixturesDir, virtioNetPayloads } from "../../fuzz/fixtures.js";
