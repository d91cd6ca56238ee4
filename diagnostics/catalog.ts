// The catalog of diagnostic codes: data, not code. Codes are stable; tests assert codes, not prose.
//
// 1xxx syntax · 2xxx names · 3xxx types and widths · 4xxx availability · 5xxx bounds
// 6xxx subsections · 7xxx versions · 8xxx verification of emitted code

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
  VMS1006: { severity: "error", message: "invalid string literal {0}: only \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX escapes, and no control characters" },

  VMS2001: { severity: "error", message: "unknown name '{0}'" },
  VMS2002: { severity: "error", message: "duplicate name '{0}'" },
  VMS2003: { severity: "error", message: "unknown type '{0}'" },
  VMS2004: { severity: "error", message: "'{0}' has no member '{1}'" },
  VMS2005: { severity: "error", message: "unknown function '{0}'" },
  VMS2006: { severity: "error", message: "'{0}' takes {1} argument(s), but {2} were given" },
  VMS2007: { severity: "error", message: "duplicate subsection \"{0}\"" },
  VMS2008: { severity: "error", message: "struct '{0}' contains itself" },
  VMS2009: { severity: "error", message: "field '{0}' clashes with field '{1}': one is a prefix of the other" },

  VMS3001: { severity: "error", message: "expected {0}, found {1}" },
  VMS3002: { severity: "error", message: "{0} does not fit in {1}" },
  VMS3003: { severity: "error", message: "a bool cannot be used as {0}" },
  VMS3004: { severity: "error", message: "feature bit {0} is outside '{1}', which has {2} bits" },
  VMS3005: { severity: "error", message: "{0} must be a constant expression" },
  VMS3007: { severity: "error", message: "division by zero" },
  VMS3008: { severity: "error", message: "index {0} is out of range for '{1}' of length {2}" },
  VMS3009: { severity: "error", message: "'{0}' is not a value: {1}" },
  VMS3010: { severity: "error", message: "'{0}' cannot be used here: {1}" },

  VMS4001: { severity: "error", message: "{0} reads '{1}', which is not read yet: it comes later in wire order" },
  VMS4002: {
    severity: "error",
    message: "{0} reads '{1}', which is inside subsection \"{2}\": the reader cannot know it here",
  },
  VMS4003: { severity: "error", message: "'{0}' may be absent here (it is {1}); write '{0} ?? <value>'" },

  VMS5001: { severity: "error", message: "{0} has no bound: add 'max N' to the count" },
  VMS5002: { severity: "error", message: "bound {0} is larger than the limit of {1}" },

  VMS6001: {
    severity: "error",
    message: "subsection \"{0}\" must start with its owner's name \"{1}\" and be longer: QEMU's reader takes only such names",
  },
  VMS6002: {
    severity: "error",
    message: "subsection \"{0}\" starts with \"{1}\", whose reader looks ahead first and would take it for its own",
  },
  VMS6003: { severity: "error", message: "struct '{0}' owns subsections but has no QEMU name: write struct {0} \"name\"" },

  VMS7001: { severity: "error", message: "'{0}' is gated at version {1}, above the version {2} of {3}" },
  VMS7002: { severity: "error", message: "minimum version {0} is above version {1}" },
  VMS7003: { severity: "error", message: "version {0} is out of range (0 to 2^31-1)" },

  VMS8001: { severity: "error", message: "order mismatch: {0}" },
  VMS8002: { severity: "error", message: "cannot follow this code: {0}" },
  VMS8003: { severity: "error", message: "{0}" },
  VMS8004: { severity: "error", message: "codec '{0}': {1}" },
} as const satisfies Record<string, CatalogEntry>;

export type Code = keyof typeof catalog;
