// The schema `npm run bench:lsp` edits: about 2 000 lines in the shape of a real device schema
// (constants, feature sets, structs with arguments, guarded and counted fields, validations,
// subsections), made of numbered copies of one block so that every name is distinct.

export function lspBenchSchema(lines = 2000): string {
  const out: string[] = ["// The schema of npm run bench:lsp (bench/lsp-schema.ts).", ""];
  for (let i = 0; out.length < lines; i++) {
    out.push(
      `const LIMIT_${i} = ${64 + i};`,
      "",
      `features Feat${i} {`,
      "  CSUM = 0;",
      "  MQ = 22;",
      "  VERSION_1 = 32;",
      "}",
      "",
      `/** Queue ${i}. */`,
      `struct Queue${i}(msix: bool) {`,
      "  num: u32;",
      "  desc: u64;",
      "  last_avail_idx: u16;",
      "  vector: u16 if msix;",
      "}",
      "",
      `section dev${i} "dev-${i}" version 3 minimum 1 {`,
      "  host_features: u64;",
      "  status: u8;",
      "  isr: u8;",
      `  queue_count: u16;`,
      `  queues: Queue${i}(has(host_features, Feat${i}.MQ))[queue_count max LIMIT_${i}];`,
      "  mac: bytes[6];",
      `  offloads: u64 if has(host_features, Feat${i}.CSUM) since 2;`,
      "  table_len: u16;",
      "  table: u16[table_len max 128];",
      '  validate each entry in table: entry < queue_count, "table entry is not a queue";',
      "  let pairs = queue_count > 1 ? queue_count / 2 : 1;",
      "  tx_waiting: u32[pairs max 32768];",
      `  subsection extra "dev-${i}/extra" version 1 needed status != 0 {`,
      "    extra_flags: u32;",
      "    extra_word: u16 if (extra_flags & 0x10) != 0;",
      "  }",
      "}",
      "",
    );
  }
  return `${out.join("\n")}\n`;
}
