// Synthetic schemas for the codegen benchmark: `fields` fields in structs of 50, cycling through ten
// kinds (scalars of several types, guarded fields, constant and counted arrays, bounded bytes, a
// validation), and one section that holds every struct. Deterministic: the same text every time.

const PER_STRUCT = 50;

function member(j: number): string {
  // Each kind after the first refers to the u32 that opens its group of ten.
  const count = `a${j - (j % 10)}`;
  switch (j % 10) {
    case 0:
      return `a${j}: u32;`;
    case 1:
      return `b${j}: u16 if ${count} > 3;`;
    case 2:
      return `c${j}: u8[4];`;
    case 3:
      return `d${j}: bytes[${count} max 64] if ${count} < 64;`;
    case 4:
      return `e${j}: u64;`;
    case 5:
      return `f${j}: i32le;`;
    case 6:
      return `g${j}: bool;`;
    case 7:
      return `h${j}: u16[${count} max 8] if ${count} <= 8;`;
    case 8:
      return `validate ${count} != 7, "not seven";\n  i${j}: u32;`;
    default:
      return `j${j}: i16;`;
  }
}

export function syntheticSchema(fields: number): string {
  const parts = [`// ${fields} synthetic fields for \`npm run bench:gen\`.`];
  const structs: string[] = [];
  for (let first = 0; first < fields; first += PER_STRUCT) {
    const name = `S${structs.length}`;
    const members = Array.from(
      { length: Math.min(PER_STRUCT, fields - first) },
      (_, j) => `  ${member(j)}`,
    );
    parts.push(`struct ${name} "${name.toLowerCase()}" version 1 {\n${members.join("\n")}\n}`);
    structs.push(name);
  }
  parts.push(
    `section synthetic "synthetic" version 1 {\n${structs.map((s, i) => `  s${i}: ${s};`).join("\n")}\n}`,
  );
  return `${parts.join("\n\n")}\n`;
}
