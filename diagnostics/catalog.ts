// The catalog of diagnostic codes: data, not code. Codes are stable; tests assert codes, not prose.
//
// 1xxx syntax · 2xxx names · 3xxx types and widths · 4xxx availability · 5xxx bounds
// 6xxx subsections · 7xxx versions · 8xxx verification of emitted code
// 9xxx compatibility of two versions (generator/compat/rules.ts names each one; 91xx: QEMU dumps)

export type Severity = "error" | "warning";

export interface CatalogEntry {
  readonly severity: Severity;
  /** Message template; `{0}`, `{1}`… are replaced by the arguments. */
  readonly message: string;
}

export const catalog = {
  VMS1001: { severity: "error", message: "unexpected character '{0}'" },
  VMS1002: { severity: "error", message: "{0}" },
  VMS1003: { severity: "error", message: "unterminated string literal" },
  VMS1004: { severity: "error", message: "unterminated block comment" },
  VMS1005: { severity: "error", message: "invalid integer literal '{0}'" },
  VMS1006: {
    severity: "error",
    message:
      'invalid string literal {0}: only \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX escapes, and no control characters',
  },

  VMS2001: { severity: "error", message: "unknown name '{0}'{1}" },
  VMS2002: { severity: "error", message: "duplicate name '{0}'" },
  VMS2003: { severity: "error", message: "unknown type '{0}'{1}" },
  VMS2004: { severity: "error", message: "'{0}' has no member '{1}'{2}" },
  VMS2005: { severity: "error", message: "unknown function '{0}'{1}" },
  VMS2006: { severity: "error", message: "'{0}' takes {1} argument(s), but {2} were given" },
  VMS2007: { severity: "error", message: 'duplicate subsection "{0}"' },
  VMS2008: { severity: "error", message: "struct '{0}' contains itself" },
  VMS2009: {
    severity: "error",
    message: "field '{0}' clashes with field '{1}': one is a prefix of the other",
  },
  VMS2010: {
    severity: "error",
    message: "'{0}' is given as the former name of both '{1}' and '{2}'",
  },
  VMS2011: { severity: "error", message: "field path '{0}': {1}" },
  VMS2012: { severity: "error", message: "'again {0}': {1}" },
  VMS2013: { severity: "error", message: 'the QEMU name "{0}" {1}' },
  VMS2020: { severity: "error", message: 'cannot import "{0}": {1}' },
  VMS2021: { severity: "error", message: "import cycle: {0}" },
  VMS2022: { severity: "error", message: "'{0}' is not declared in \"{1}\"{2}" },
  VMS2023: { severity: "error", message: "'{0}' cannot be imported: {1}" },
  VMS2024: { severity: "error", message: '"{0}" has {1} error(s): fix it to use its declarations' },

  VMS3001: { severity: "error", message: "expected {0}, found {1}" },
  VMS3002: { severity: "error", message: "{0} does not fit in {1}" },
  VMS3003: { severity: "error", message: "a bool cannot be used as {0}" },
  VMS3004: { severity: "error", message: "feature bit {0} is outside '{1}', which has {2} bits" },
  VMS3005: { severity: "error", message: "{0} must be a constant expression" },
  VMS3007: { severity: "error", message: "division by zero" },
  VMS3008: { severity: "error", message: "index {0} is out of range for '{1}' of length {2}" },
  VMS3009: { severity: "error", message: "'{0}' is not a value: {1}" },
  VMS3010: { severity: "error", message: "'{0}' cannot be used here: {1}" },

  VMS4001: {
    severity: "error",
    message: "{0} reads '{1}', which is not read yet: it comes later in wire order",
  },
  VMS4002: {
    severity: "error",
    message: "{0} reads '{1}', which is inside subsection \"{2}\": {3}",
  },
  VMS4003: { severity: "error", message: "'{0}' may be absent here (it is {1}){2}" },

  VMS5001: { severity: "error", message: "{0} has no bound: add 'max N' to the count" },
  VMS5002: { severity: "error", message: "bound {0} is larger than the limit of {1}" },

  VMS6001: {
    severity: "error",
    message:
      'subsection "{0}" must start with its owner\'s name "{1}" and be longer: QEMU\'s reader takes only such names',
  },
  VMS6002: {
    severity: "error",
    message:
      'subsection "{0}" starts with "{1}", whose reader looks ahead first and would take it for its own',
  },
  VMS6003: {
    severity: "error",
    message: "struct '{0}' owns subsections but has no QEMU name: write struct {0} \"name\"",
  },

  VMS7001: {
    severity: "error",
    message: "'{0}' is gated at version {1}, above the version {2} of {3}",
  },
  VMS7002: { severity: "error", message: "minimum version {0} is above version {1}" },
  VMS7003: { severity: "error", message: "version {0} is out of range (0 to 2^31-1)" },

  VMS8001: { severity: "error", message: "order mismatch: {0}" },
  VMS8002: { severity: "error", message: "cannot follow this code: {0}" },
  VMS8003: { severity: "error", message: "{0}" },
  VMS8004: { severity: "error", message: "codec '{0}': {1}" },
  VMS8005: {
    severity: "error",
    message:
      "internal error: the code generated for this schema does not compile, so nothing was written; please report it with the schema: {0}",
  },

  VMS9001: {
    severity: "error",
    message:
      'section "{0}" was removed: the old version sends it, and a reader fails the load on a section it does not know',
  },
  VMS9002: {
    severity: "error",
    message:
      'section "{0}" was added: the new version sends it, and a reader fails the load on a section it does not know',
  },
  VMS9003: {
    severity: "error",
    message: 'section "{0}": the {1} writer sends version {2}, above the {3} reader\'s version {4}',
  },
  VMS9004: {
    severity: "error",
    message:
      'section "{0}": the {1} writer sends version {2}, below the {3} reader\'s minimum version {4}',
  },
  VMS9010: {
    severity: "error",
    message: "'{0}' was removed: the old version puts it on the wire{1}, the new one does not",
  },
  VMS9011: {
    severity: "error",
    message: "'{0}' was added: the new version puts it on the wire{1}, the old one does not",
  },
  VMS9012: {
    severity: "error",
    message: "'{0}' moved in wire order: it came {1} and now comes {2}",
  },
  VMS9013: {
    severity: "error",
    message: "'{0}' changed width: {1} in the old version, {2} in the new",
  },
  VMS9014: {
    severity: "error",
    message: "'{0}' changed signedness: {1} in the old version, {2} in the new",
  },
  VMS9015: {
    severity: "error",
    message: "'{0}' changed byte order: {1} in the old version, {2} in the new",
  },
  VMS9016: {
    severity: "error",
    message: "'{0}' changed type: {1} in the old version, {2} in the new",
  },
  VMS9017: {
    severity: "error",
    message: "the count of '{0}' changed: {1} in the old version, {2} in the new",
  },
  VMS9018: {
    severity: "error",
    message:
      "the bound of '{0}' was lowered from {1} to {2}: the new reader refuses counts the old writer may send",
  },
  VMS9019: {
    severity: "error",
    message:
      "the bound of '{0}' was raised from {1} to {2}: the old reader refuses counts the new writer may send",
  },
  VMS9020: {
    severity: "error",
    message: "the guard of '{0}' changed: {1} in the old version, {2} in the new",
  },
  VMS9021: {
    severity: "error",
    message:
      "the version gate of '{0}' changed: {1} in the old version, {2} in the new; streams of version {3} carry it for one side only",
  },
  VMS9022: {
    severity: "error",
    message: "what '{0}' must equal changed: {1} in the old version, {2} in the new",
  },
  VMS9023: {
    severity: "warning",
    message:
      "'{0}' became padding: the new version writes {1} zero bytes where the old reader reads it",
  },
  VMS9024: {
    severity: "error",
    message: 'a validation was added, "{0}": the new reader refuses states the old writer may send',
  },
  VMS9025: {
    severity: "error",
    message:
      'a validation was removed, "{0}": the old reader refuses states the new writer may send',
  },
  VMS9030: {
    severity: "error",
    message:
      'subsection "{0}" was removed: the old version sends it{1}, and a reader fails the load on a subsection it does not know',
  },
  VMS9031: {
    severity: "error",
    message:
      'subsection "{0}" was added: the new version sends it{1}, and a reader fails the load on a subsection it does not know',
  },
  VMS9032: {
    severity: "error",
    message:
      'subsection "{0}" was renamed "{1}": a reader fails the load on a subsection it does not know',
  },
  VMS9033: {
    severity: "error",
    message:
      'subsection "{0}": the {1} writer sends version {2}, above the {3} reader\'s version {4}',
  },
  VMS9034: {
    severity: "error",
    message:
      'subsection "{0}": the {1} writer sends version {2}, below the {3} reader\'s minimum version {4}',
  },
  VMS9035: {
    severity: "warning",
    message:
      'subsection "{0}" is sent in other cases: {1} in the old version, {2} in the new; a reader keeps its defaults when it is not sent',
  },
  VMS9040: { severity: "error", message: "{0} '{1}' changed from {2} to {3}, and {4} reads it" },
  VMS9041: {
    severity: "error",
    message:
      "the default of parameter '{0}' changed from {1} to {2}: unless it is given, the two sides disagree on what reads it",
  },

  VMS9101: {
    severity: "warning",
    message: 'the dumps are of different machine types: "{0}" and "{1}"',
  },
  VMS9102: { severity: "error", message: '{0}: "{1}" is missing in the {2} dump' },
  VMS9103: {
    severity: "error",
    message:
      '{0}: field "{1}" in the old dump where the new has "{2}"; the fields after it are not compared',
  },
  VMS9104: {
    severity: "error",
    message: '{0}: field "{1}" has size {2} in the old dump and {3} in the new',
  },
  VMS9105: {
    severity: "error",
    message: '{0}: "unused" bytes do not end at a field boundary near "{1}"',
  },
  VMS9106: {
    severity: "error",
    message:
      '{0}: description "{1}" in the old dump where the new has "{2}"; it is not compared further',
  },
  VMS9107: {
    severity: "error",
    message:
      '{0}: description "{1}" has version {2} in the {3} dump, above the {4} dump\'s version {5}',
  },
  VMS9108: {
    severity: "error",
    message:
      '{0}: description "{1}" has version {2} in the {3} dump, below the {4} dump\'s minimum version {5}',
  },
} as const satisfies Record<string, CatalogEntry>;

export type Code = keyof typeof catalog;
