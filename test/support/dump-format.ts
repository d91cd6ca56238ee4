// The shape of QEMU's -dump-vmstate JSON (migration/savevm.c dump_vmstate_json, QEMU 7.2): which
// keys, in which order, of which types. Checked against QEMU's own dumps and against our export.

type Json = unknown;

const SECTION = ["Name", "version_id", "minimum_version_id", "Description?"];
const VMSD = ["name", "version_id", "minimum_version_id", "Fields?", "Subsections?"];
const FIELD = ["field", "version_id", "field_exists", "size", "Description?"];

/** Problems of a parsed dump, each with its path; empty when it has QEMU's shape. */
export function dumpShapeProblems(dump: Json): string[] {
  const problems: string[] = [];
  const keys = (
    v: Json,
    allowed: readonly string[],
    path: string,
  ): Record<string, Json> | undefined => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) {
      problems.push(`${path}: not an object`);
      return undefined;
    }
    const present = Object.keys(v);
    const expected = allowed
      .filter((k) => !k.endsWith("?") || present.includes(k.slice(0, -1)))
      .map((k) => k.replace(/\?$/, ""));
    if (present.join(",") !== expected.join(","))
      problems.push(`${path}: keys ${present.join(",")}, expected ${expected.join(",")}`);
    return v as Record<string, Json>;
  };
  const int = (v: Json, path: string): void => {
    if (!Number.isInteger(v) || (v as number) < 0)
      problems.push(`${path}: not a non-negative integer`);
  };
  const vmsd = (v: Json, path: string): void => {
    const o = keys(v, VMSD, path);
    if (!o) return;
    if (typeof o["name"] !== "string") problems.push(`${path}/name: not a string`);
    int(o["version_id"], `${path}/version_id`);
    int(o["minimum_version_id"], `${path}/minimum_version_id`);
    if ("Fields" in o) {
      if (!Array.isArray(o["Fields"])) problems.push(`${path}/Fields: not an array`);
      else
        o["Fields"].forEach((f, i) => {
          const fo = keys(f, FIELD, `${path}/Fields/${i}`);
          if (!fo) return;
          if (typeof fo["field"] !== "string")
            problems.push(`${path}/Fields/${i}/field: not a string`);
          int(fo["version_id"], `${path}/Fields/${i}/version_id`);
          if (typeof fo["field_exists"] !== "boolean")
            problems.push(`${path}/Fields/${i}/field_exists: not a bool`);
          int(fo["size"], `${path}/Fields/${i}/size`);
          if ("Description" in fo) vmsd(fo["Description"], `${path}/Fields/${i}/Description`);
        });
    }
    if ("Subsections" in o) {
      if (!Array.isArray(o["Subsections"])) problems.push(`${path}/Subsections: not an array`);
      else o["Subsections"].forEach((s, i) => vmsd(s, `${path}/Subsections/${i}`));
    }
  };
  if (dump === null || typeof dump !== "object" || Array.isArray(dump))
    return ["the top level is not an object"];
  for (const [key, value] of Object.entries(dump)) {
    if (key === "vmschkmachine") {
      const m = keys(value, ["Name"], `/${key}`);
      if (m && typeof m["Name"] !== "string") problems.push(`/${key}/Name: not a string`);
      continue;
    }
    const s = keys(value, SECTION, `/${key}`);
    if (!s) continue;
    if (s["Name"] !== key) problems.push(`/${key}/Name: not the key`);
    int(s["version_id"], `/${key}/version_id`);
    int(s["minimum_version_id"], `/${key}/minimum_version_id`);
    if ("Description" in s) vmsd(s["Description"], `/${key}/Description`);
  }
  return problems;
}
