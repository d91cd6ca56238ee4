// The catalog of diagnostics: every message the toolchain reports, named, with its code, severity
// and typed arguments. Codes are stable; a code may have several messages (VMS2011 "field path"
// has one per way a path goes wrong), each with its own name here and its own text.
//
// 1xxx syntax · 2xxx names · 3xxx types and widths · 4xxx availability · 5xxx bounds
// 6xxx subsections · 7xxx versions · 8xxx verification of emitted code
// 9xxx compatibility of two versions (generator/compat/rules.ts names each one; 91xx: QEMU dumps)

export type Severity = "error" | "warning";

/** What a message shows: text of the schema or of the tool, a number, or a choice between two texts. */
export type Arg = string | number | bigint | boolean;

interface Entry<C extends string, A extends readonly Arg[]> {
  readonly code: C;
  readonly severity: Severity;
  readonly text: (...args: A) => string;
}

function error<const C extends `VMS${number}`, A extends Arg[]>(
  code: C,
  text: (...args: A) => string,
): Entry<C, A> {
  return { code, severity: "error", text };
}

function warning<const C extends `VMS${number}`, A extends Arg[]>(
  code: C,
  text: (...args: A) => string,
): Entry<C, A> {
  return { code, severity: "warning", text };
}

/** What the parser's error provider says (grammar/parser.ts): only these texts make a VMS1002. */
declare const parserBrand: unique symbol;
export type ParserMessage = string & { readonly [parserBrand]: true };
const parser = (text: string): ParserMessage => text as ParserMessage;

export const parserMessages = {
  ExpectedButFound: (expected: string, found: string, hint: string) =>
    parser(`expected ${expected} but found ${found}${hint}`),
  ExpectedDeclaration: (found: string, hint: string) =>
    parser(`unexpected ${found}: expected a declaration${hint}`),
};

const fieldPath = (path: string, why: string): string => `field path '${path}': ${why}`;
const again = (path: string, why: string): string => `'again ${path}': ${why}`;
const qemuName = (name: string, why: string): string => `the QEMU name "${name}" ${why}`;
const notUsable = (what: string, why: string): string => `'${what}' cannot be used here: ${why}`;
const unfollowable = (what: string): string => `cannot follow this code: ${what}`;
const codec = (name: string, why: string): string => `codec '${name}': ${why}`;
const readerOrWriter = (side: "save" | "load"): string => (side === "load" ? "Reader" : "Writer");

export const messages = {
  UnexpectedCharacter: error("VMS1001", (char: string) => `unexpected character '${char}'`),
  SyntaxError: error("VMS1002", (message: ParserMessage) => message),
  UnterminatedString: error("VMS1003", () => "unterminated string literal"),
  UnterminatedComment: error("VMS1004", () => "unterminated block comment"),
  InvalidInteger: error("VMS1005", (raw: string) => `invalid integer literal '${raw}'`),
  InvalidString: error(
    "VMS1006",
    (raw: string) =>
      `invalid string literal ${raw}: only \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX escapes, and no control characters`,
  ),
  NestedTooDeep: error(
    "VMS1007",
    (max: number) =>
      `nested more than ${max} deep: brackets, open conditionals and runs of prefix operators or of suffixes ('.x', '[i]') each count one level`,
  ),
  ControlCharacterInMessage: error(
    "VMS1008",
    (char: string) =>
      `a validation message is printed on one line: it may not hold the control character '${char}'`,
  ),
  WasNotAName: error(
    "VMS1009",
    () => "'was' takes the name the field had before, such as 'old_name' or 'mac_table.in_use'",
  ),
  WasOnPadding: error("VMS1010", () => "padding has no name: 'was' belongs to fields"),
  ClauseGivenTwice: error("VMS1011", (keyword: string) => `'${keyword}' is given twice`),

  UnknownName: error("VMS2001", (name: string, hint: string) => `unknown name '${name}'${hint}`),
  DuplicateName: error("VMS2002", (name: string) => `duplicate name '${name}'`),
  UnknownType: error("VMS2003", (name: string, hint: string) => `unknown type '${name}'${hint}`),
  NoMember: error(
    "VMS2004",
    (object: string, member: string, hint: string) =>
      `'${object}' has no member '${member}'${hint}`,
  ),
  UnknownFunction: error(
    "VMS2005",
    (name: string, hint: string) => `unknown function '${name}'${hint}`,
  ),
  WrongArgumentCount: error(
    "VMS2006",
    (name: string, takes: number, given: number) =>
      `'${name}' takes ${takes} argument(s), but ${given} were given`,
  ),
  DuplicateSubsection: error("VMS2007", (name: string) => `duplicate subsection "${name}"`),
  StructContainsItself: error("VMS2008", (name: string) => `struct '${name}' contains itself`),
  FieldPrefixClash: error(
    "VMS2009",
    (field: string, other: string) =>
      `field '${field}' clashes with field '${other}': one is a prefix of the other`,
  ),
  FormerNameTwice: error(
    "VMS2010",
    (former: string, first: string, second: string) =>
      `'${former}' is given as the former name of both '${first}' and '${second}'`,
  ),
  PathHeadNotAField: error("VMS2011", (path: string, head: string) =>
    fieldPath(
      path,
      `'${head}' is not a field declared in this layout or its owner: an index in a field path goes into an array field declared beside it (or in the owner of a subsection)`,
    ),
  ),
  PathIntoAbsent: error(
    "VMS2011",
    (path: string, anchor: string, absent: "guarded" | "version-gated") =>
      fieldPath(
        path,
        `'${anchor}' may be absent (it is ${absent}), so nothing can be merged into it`,
      ),
  ),
  PathNameInArray: error("VMS2011", (path: string, array: string, name: string) =>
    fieldPath(
      path,
      `'${array}' is an array: write ${array}[0].${name} for a field of its first element`,
    ),
  ),
  PathIndexUncounted: error("VMS2011", (path: string, array: string) =>
    fieldPath(
      path,
      `'${array}' has a count read from the stream: only arrays of a constant count can be indexed in a field path`,
    ),
  ),
  PathIndexOutOfRange: error(
    "VMS2011",
    (path: string, index: bigint, array: string, count: bigint) =>
      fieldPath(path, `index ${index} is out of range: '${array}' has ${count} elements`),
  ),
  PathEndsAtElement: error("VMS2011", (path: string, element: string) =>
    fieldPath(
      path,
      `'${element}' is an element, not a field of it: name a field, as in ${element}.x`,
    ),
  ),
  PathIntoScalar: error("VMS2011", (path: string, what: string, type: string) =>
    fieldPath(path, `'${what}' is ${type}: nothing goes into it`),
  ),
  PathIndexNotArray: error("VMS2011", (path: string, what: string) =>
    fieldPath(path, `'${what}' is not an array`),
  ),
  PathNameNotIn: error("VMS2011", (path: string, name: string, what: string) =>
    fieldPath(
      path,
      `'${name}' is not in '${what}': a merged field adds one name, at the end of the path`,
    ),
  ),
  PathIntoSubsection: error("VMS2011", (path: string, name: string, what: string) =>
    fieldPath(path, `'${name}' is a subsection of '${what}'`),
  ),
  PathIsGroup: error("VMS2011", (path: string, what: string) =>
    fieldPath(path, `'${what}' is already a group of fields`),
  ),
  PathIsField: error("VMS2011", (path: string, what: string) =>
    fieldPath(
      path,
      `'${what}' is already a field, read with its struct: for a value QEMU sends twice write 'again ${path}: …;'`,
    ),
  ),
  AgainNotReadBefore: error("VMS2012", (path: string) =>
    again(path, "the first copy must be a scalar field read before"),
  ),
  AgainOtherType: error("VMS2012", (path: string, first: string) =>
    again(path, `the first copy is ${first}: both copies have the type of the C value`),
  ),
  AgainFirstMayBeAbsent: error("VMS2012", (path: string) =>
    again(path, "the first copy may be absent: it must always be read before the second"),
  ),
  QemuNameEmpty: error("VMS2013", (name: string) =>
    qemuName(name, "is empty: QEMU's names have 1 to 255 characters"),
  ),
  QemuNameWideCharacter: error("VMS2013", (name: string, character: string) =>
    qemuName(
      name,
      `has the character ${character}: the stream has one byte per character, U+0001 to U+00FF`,
    ),
  ),
  QemuNameNul: error("VMS2013", (name: string) =>
    qemuName(name, "has the character U+0000, which ends a name in QEMU"),
  ),
  QemuNameTooLong: error("VMS2013", (name: string, length: number) =>
    qemuName(
      name,
      `has ${length} characters: the stream gives a name one length byte, so at most 255`,
    ),
  ),
  StructNestedTooDeep: error(
    "VMS2014",
    (name: string, max: number) =>
      `struct '${name}' is nested too deep: structs may contain one another at most ${max} deep`,
  ),
  ObjectPropertyName: error(
    "VMS2015",
    (name: string, what: string) =>
      `'${name}' cannot name ${what}: every JavaScript object has a property of that name, so generated code and documents cannot use it as a key`,
  ),
  LetReadsItself: error(
    "VMS2016",
    (name: string, cycle: string) =>
      `the value of let '${name}' reads the let itself: ${cycle}; a let is computed once, from what comes before it`,
  ),
  ImportOfVmstateFile: error(
    "VMS2020",
    (spec: string) => `cannot import "${spec}": an import names a .vmstate file`,
  ),
  ImportUnreadable: error(
    "VMS2020",
    (spec: string, path: string) =>
      `cannot import "${spec}": ${path} is not a readable schema file`,
  ),
  ImportCycle: error("VMS2021", (cycle: string) => `import cycle: ${cycle}`),
  NotDeclaredIn: error(
    "VMS2022",
    (name: string, file: string, hint: string) => `'${name}' is not declared in "${file}"${hint}`,
  ),
  ImportOfSection: error(
    "VMS2023",
    (name: string) =>
      `'${name}' cannot be imported: a section is decoded by the file that declares it; import the structs it is made of`,
  ),
  ImportOfParam: error(
    "VMS2023",
    (name: string) =>
      `'${name}' cannot be imported: a parameter configures the sections of its own file; declare it in this one`,
  ),
  ImportNeedsParam: error(
    "VMS2023",
    (name: string, param: string, declaration: string) =>
      `'${name}' cannot be imported: it reads the parameter '${param}', which this file must declare as its own does: '${declaration}'`,
  ),
  ImportHasErrors: error(
    "VMS2024",
    (spec: string, errors: number) =>
      `"${spec}" has ${errors} error(s): fix it to use its declarations`,
  ),

  TypeMismatch: error(
    "VMS3001",
    (expected: string, found: string) => `expected ${expected}, found ${found}`,
  ),
  TypeMismatchFor: error(
    "VMS3001",
    (expected: "a bool" | "an integer" | "bytes", what: string, found: string) =>
      `expected ${expected} for ${what}, found ${found}`,
  ),
  DoesNotFit: error("VMS3002", (value: bigint, into: string) => `${value} does not fit in ${into}`),
  NamedValueDoesNotFit: error(
    "VMS3002",
    (what: "capability id" | "shift amount" | "bit", value: bigint, into: string) =>
      `${what} ${value} does not fit in ${into}`,
  ),
  NegativeLength: error(
    "VMS3002",
    (what: "count" | "bound", value: bigint) =>
      `${what} ${value} does not fit in a length (it is negative)`,
  ),
  BoolAsNumber: error("VMS3003", (what: string) => `a bool cannot be used as ${what}`),
  FeatureBitOutside: error(
    "VMS3004",
    (bit: bigint, value: string, width: number) =>
      `feature bit ${bit} is outside '${value}', which has ${width} bits`,
  ),
  NotConstant: error("VMS3005", (what: string) => `${what} must be a constant expression`),
  DivisionByZero: error("VMS3007", () => "division by zero"),
  IndexOutOfRange: error(
    "VMS3008",
    (index: bigint, array: string, length: bigint | number) =>
      `index ${index} is out of range for '${array}' of length ${length}`,
  ),
  NotAValue: error(
    "VMS3009",
    (text: string, type: string) => `'${text}' is not a value: it is ${type}`,
  ),
  NotIndexable: error(
    "VMS3009",
    (text: string, type: string) => `'${text}' is ${type}: only bytes and arrays can be indexed`,
  ),
  EachNeedsArray: error("VMS3010", () =>
    notUsable("each", "it goes over bytes or an array of integers or bools"),
  ),
  EqualsNeedsScalar: error("VMS3010", () =>
    notUsable("equals", "only a scalar field can be compared"),
  ),
  EqualsOnPadding: error("VMS3010", () => notUsable("equals", "'unused' has no value")),
  BytesNeedLength: error("VMS3010", (type: "bytes" | "text") =>
    notUsable(
      type,
      type === "bytes"
        ? "raw bytes need a length: write bytes[N]"
        : "text needs its size in bytes: write text[N] (NUL-padded) or text[len max N] (counted)",
    ),
  ),
  DefaultOnOptional: error("VMS3010", () =>
    notUsable("a default", "an optional parameter ('?') has none: it is absent unless given"),
  ),
  CodecModuleKind: error("VMS3010", (module: string) =>
    notUsable(module, "a codec module is a .ts or .js file"),
  ),

  NotReadYet: error(
    "VMS4001",
    (role: string, name: string) =>
      `${role} reads '${name}', which is not read yet: it comes later in wire order`,
  ),
  ReadInsideSubsection: error(
    "VMS4002",
    (role: string, name: string, subsection: string, writerOnly: boolean) =>
      `${role} reads '${name}', which is inside subsection "${subsection}": ${
        writerOnly
          ? "it may be absent from the writer's state (only the subsection's own fields are there for its 'needed')"
          : "the reader cannot know it here"
      }`,
  ),
  MayBeAbsent: error(
    "VMS4003",
    (text: string, reason: string, scalar: boolean) =>
      `'${text}' may be absent here (it is ${reason})${scalar ? `; write '${text} ?? <value>'` : ""}`,
  ),

  NoBound: error("VMS5001", (what: string) => `${what} has no bound: add 'max N' to the count`),
  BoundTooLarge: error(
    "VMS5002",
    (bound: bigint, limit: bigint) => `bound ${bound} is larger than the limit of ${limit}`,
  ),

  SubsectionNameNotOwners: error(
    "VMS6001",
    (name: string, owner: string) =>
      `subsection "${name}" must start with its owner's name "${owner}" and be longer: QEMU's reader takes only such names`,
  ),
  SubsectionNamePeeked: error(
    "VMS6002",
    (name: string, peeker: string) =>
      `subsection "${name}" starts with "${peeker}", whose reader looks ahead first and would take it for its own`,
  ),
  OwnerWithoutQemuName: error(
    "VMS6003",
    (name: string) =>
      `struct '${name}' owns subsections but has no QEMU name: write struct ${name} "name"`,
  ),

  GatedAboveVersion: error(
    "VMS7001",
    (name: string, gate: bigint | number, version: number, owner: string) =>
      `'${name}' is gated at version ${gate}, above the version ${version} of ${owner}`,
  ),
  MinimumAboveVersion: error(
    "VMS7002",
    (minimum: number, version: number) => `minimum version ${minimum} is above version ${version}`,
  ),
  VersionOutOfRange: error(
    "VMS7003",
    (version: bigint) => `version ${version} is out of range (0 to 2^31-1)`,
  ),

  OrderMismatch: error(
    "VMS8001",
    (
      save: string,
      saveDoes: string,
      saveAt: string,
      load: string,
      loadDoes: string,
      loadAt: string,
    ) => `order mismatch: ${save} ${saveDoes} at ${saveAt} where ${load} ${loadDoes} at ${loadAt}`,
  ),
  FunctionMissing: error("VMS8002", (name: string) => unfollowable(`function ${name} is missing`)),
  EarlyReturn: error("VMS8002", () =>
    unfollowable("an early return: the trace of a function must run to its end"),
  ),
  UncountedLoop: error("VMS8002", (loop: string) =>
    unfollowable(`a ${loop} has no count the verifier can see: write for (let i = 0; i < n; i++)`),
  ),
  UnfollowableStatement: error("VMS8002", (kind: string) => unfollowable(`a ${kind} statement`)),
  DestructuringDeclaration: error("VMS8002", () => unfollowable("a destructuring declaration")),
  UnfollowableExpression: error("VMS8002", () =>
    unfollowable("an expression statement that is neither a call nor an assignment"),
  ),
  NotACountedLoop: error("VMS8002", () =>
    unfollowable(
      "a loop that is not for (let i = 0; i < n; i++) has no count the verifier can see",
    ),
  ),
  RunLoopMixed: error("VMS8002", () =>
    unfollowable("a loop in a run with other wire operations, or without a constant count"),
  ),
  RunLoopStride: error("VMS8002", () =>
    unfollowable("a loop in a run whose elements are not all the same number of bytes apart"),
  ),
  SubsectionBranch: error("VMS8002", () =>
    unfollowable("a subsection branch that does not compare the name with a string"),
  ),
  WireCallInCallback: error("VMS8002", (side: "save" | "load", callee: string) =>
    unfollowable(
      `a ${readerOrWriter(side)} call inside a callback of ${callee}(): when and how often it runs is not in the code's shape`,
    ),
  ),
  OpaqueCallWithWire: error("VMS8002", (side: "save" | "load", callee: string) =>
    unfollowable(
      `a call of ${callee}(), which the verifier cannot see into, with the ${readerOrWriter(side)}`,
    ),
  ),
  WireCallInNew: error("VMS8002", () => unfollowable("a Reader or Writer call inside `new`")),
  UnfollowableTuple: error("VMS8002", () =>
    unfollowable("a tuple() whose length is not a number literal or that is not a local's value"),
  ),
  NotAWireOperation: error("VMS8002", (io: string, method: string) =>
    unfollowable(`a call of ${io}.${method}(), which is not a wire operation`),
  ),
  RunSizeNotLiteral: error("VMS8002", () =>
    unfollowable("a run whose size is not a number literal"),
  ),
  RunLayoutNotConstant: error("VMS8002", () =>
    unfollowable("a run whose layout is not a constant of this module"),
  ),
  RunOffsetNotLiteral: error("VMS8002", () =>
    unfollowable(
      "a read or write at an offset that is not a run's base plus a number literal (and an index times one)",
    ),
  ),
  RunAfterOperations: error("VMS8002", () =>
    unfollowable("a read or write of a run after other wire operations, or in another block"),
  ),
  RunPaddingNotLiteral: error("VMS8002", () =>
    unfollowable("padding of a run whose length is not a number literal"),
  ),
  UnorderedWireOperation: error("VMS8002", (io: string, method: string) =>
    unfollowable(
      `a wire operation ${io}.${method}() inside an expression the verifier cannot order`,
    ),
  ),
  WireCallInUnknownCallback: error("VMS8002", () =>
    unfollowable("a Reader or Writer call inside a callback, which the verifier cannot follow"),
  ),
  HelpersTooDeep: error("VMS8002", (max: number) =>
    unfollowable(`helpers nested deeper than ${max} (a recursion?)`),
  ),
  LoaderDecidesEarly: error(
    "VMS8003",
    (name: string) =>
      `the loader decides on '${name}', which it has not read: only values read before, parameters, arguments and constants are known here`,
  ),
  CodecModuleUnreadable: error("VMS8004", (name: string, path: string) =>
    codec(name, `cannot read its module ${path}`),
  ),
  CodecFunctionsMissing: error("VMS8004", (name: string, path: string, missing: string) =>
    codec(name, `${path} has no function ${missing}`),
  ),
  CodecParameterCount: error(
    "VMS8004",
    (name: string, fn: string, path: string, takes: number, passed: number) =>
      codec(name, `${fn} in ${path} takes ${takes} parameters, the schema passes ${passed}`),
  ),
  GeneratedCodeDoesNotCompile: error(
    "VMS8005",
    (detail: string) =>
      `internal error: the code generated for this schema does not compile, so nothing was written; please report it with the schema: ${detail}`,
  ),
  ExpressionTooLong: error(
    "VMS8006",
    (operators: number, max: number) =>
      `this expression has ${operators} operators; gen compiles at most ${max} in one expression (split it with 'let')`,
  ),

  SectionRemoved: error(
    "VMS9001",
    (section: string) =>
      `section "${section}" was removed: the old version sends it, and a reader fails the load on a section it does not know`,
  ),
  SectionAdded: error(
    "VMS9002",
    (section: string) =>
      `section "${section}" was added: the new version sends it, and a reader fails the load on a section it does not know`,
  ),
  SectionVersionTooNew: error(
    "VMS9003",
    (section: string, writer: Side, sent: Num, reader: Side, version: Num) =>
      `section "${section}": the ${writer} writer sends version ${sent}, above the ${reader} reader's version ${version}`,
  ),
  SectionVersionTooOld: error(
    "VMS9004",
    (section: string, writer: Side, sent: Num, reader: Side, minimum: Num) =>
      `section "${section}": the ${writer} writer sends version ${sent}, below the ${reader} reader's minimum version ${minimum}`,
  ),
  FieldRemoved: error(
    "VMS9010",
    (name: string, when: string) =>
      `'${name}' was removed: the old version puts it on the wire${when}, the new one does not`,
  ),
  FieldAdded: error(
    "VMS9011",
    (name: string, when: string) =>
      `'${name}' was added: the new version puts it on the wire${when}, the old one does not`,
  ),
  FieldMoved: error(
    "VMS9012",
    (name: string, before: string, now: string) =>
      `'${name}' moved in wire order: it came ${before} and now comes ${now}`,
  ),
  FieldWidthChanged: error(
    "VMS9013",
    (name: string, old: string, neu: string) =>
      `'${name}' changed width: ${old} in the old version, ${neu} in the new`,
  ),
  FieldSignednessChanged: error(
    "VMS9014",
    (name: string, old: string, neu: string) =>
      `'${name}' changed signedness: ${old} in the old version, ${neu} in the new`,
  ),
  FieldEndiannessChanged: error(
    "VMS9015",
    (name: string, old: string, neu: string) =>
      `'${name}' changed byte order: ${old} in the old version, ${neu} in the new`,
  ),
  FieldTypeChanged: error(
    "VMS9016",
    (name: string, old: string, neu: string) =>
      `'${name}' changed type: ${old} in the old version, ${neu} in the new`,
  ),
  FieldCountChanged: error(
    "VMS9017",
    (name: string, old: string, neu: string) =>
      `the count of '${name}' changed: ${old} in the old version, ${neu} in the new`,
  ),
  FieldBoundLowered: error(
    "VMS9018",
    (name: string, old: string, neu: string) =>
      `the bound of '${name}' was lowered from ${old} to ${neu}: the new reader refuses counts the old writer may send`,
  ),
  FieldBoundRaised: error(
    "VMS9019",
    (name: string, old: string, neu: string) =>
      `the bound of '${name}' was raised from ${old} to ${neu}: the old reader refuses counts the new writer may send`,
  ),
  FieldGuardChanged: error(
    "VMS9020",
    (name: string, old: string, neu: string) =>
      `the guard of '${name}' changed: ${old} in the old version, ${neu} in the new`,
  ),
  FieldVersionGateChanged: error(
    "VMS9021",
    (name: string, old: string, neu: string, versions: string) =>
      `the version gate of '${name}' changed: ${old} in the old version, ${neu} in the new; streams of version ${versions} carry it for one side only`,
  ),
  FieldEqualsChanged: error(
    "VMS9022",
    (name: string, old: string, neu: string) =>
      `what '${name}' must equal changed: ${old} in the old version, ${neu} in the new`,
  ),
  FieldRetired: warning(
    "VMS9023",
    (name: string, bytes: Num) =>
      `'${name}' became padding: the new version writes ${bytes} zero bytes where the old reader reads it`,
  ),
  ValidationAdded: error(
    "VMS9024",
    (message: string) =>
      `a validation was added, "${message}": the new reader refuses states the old writer may send`,
  ),
  ValidationRemoved: error(
    "VMS9025",
    (message: string) =>
      `a validation was removed, "${message}": the old reader refuses states the new writer may send`,
  ),
  SubsectionRemoved: error(
    "VMS9030",
    (name: string, when: string) =>
      `subsection "${name}" was removed: the old version sends it${when}, and a reader fails the load on a subsection it does not know`,
  ),
  SubsectionAdded: error(
    "VMS9031",
    (name: string, when: string) =>
      `subsection "${name}" was added: the new version sends it${when}, and a reader fails the load on a subsection it does not know`,
  ),
  SubsectionRenamed: error(
    "VMS9032",
    (old: string, neu: string) =>
      `subsection "${old}" was renamed "${neu}": a reader fails the load on a subsection it does not know`,
  ),
  SubsectionVersionTooNew: error(
    "VMS9033",
    (name: string, writer: Side, sent: Num, reader: Side, version: Num) =>
      `subsection "${name}": the ${writer} writer sends version ${sent}, above the ${reader} reader's version ${version}`,
  ),
  SubsectionVersionTooOld: error(
    "VMS9034",
    (name: string, writer: Side, sent: Num, reader: Side, minimum: Num) =>
      `subsection "${name}": the ${writer} writer sends version ${sent}, below the ${reader} reader's minimum version ${minimum}`,
  ),
  SubsectionNeededChanged: warning(
    "VMS9035",
    (name: string, old: string, neu: string) =>
      `subsection "${name}" is sent in other cases: ${old} in the old version, ${neu} in the new; a reader keeps its defaults when it is not sent`,
  ),
  ConstantChanged: error(
    "VMS9040",
    (kind: string, name: string, old: string, neu: string, readers: string) =>
      `${kind} '${name}' changed from ${old} to ${neu}, and ${readers} reads it`,
  ),
  ParamDefaultChanged: error(
    "VMS9041",
    (name: string, old: string, neu: string) =>
      `the default of parameter '${name}' changed from ${old} to ${neu}: unless it is given, the two sides disagree on what reads it`,
  ),

  DumpMachineChanged: warning(
    "VMS9101",
    (old: string, neu: string) => `the dumps are of different machine types: "${old}" and "${neu}"`,
  ),
  DumpEntryMissing: error(
    "VMS9102",
    (where: string, name: string, side: Side) =>
      `${where}: "${name}" is missing in the ${side} dump`,
  ),
  DumpFieldMismatch: error(
    "VMS9103",
    (where: string, old: string, neu: string) =>
      `${where}: field "${old}" in the old dump where the new has "${neu}"; the fields after it are not compared`,
  ),
  DumpFieldSizeChanged: error(
    "VMS9104",
    (where: string, name: string, old: Num, neu: Num) =>
      `${where}: field "${name}" has size ${old} in the old dump and ${neu} in the new`,
  ),
  DumpUnusedSizeMismatch: error(
    "VMS9105",
    (where: string, near: string) =>
      `${where}: "unused" bytes do not end at a field boundary near "${near}"`,
  ),
  DumpDescriptionRenamed: error(
    "VMS9106",
    (where: string, old: string, neu: string) =>
      `${where}: description "${old}" in the old dump where the new has "${neu}"; it is not compared further`,
  ),
  DumpDescriptionTooNew: error(
    "VMS9107",
    (where: string, name: string, sent: Num, writer: Side, reader: Side, version: Num) =>
      `${where}: description "${name}" has version ${sent} in the ${writer} dump, above the ${reader} dump's version ${version}`,
  ),
  DumpDescriptionTooOld: error(
    "VMS9108",
    (where: string, name: string, sent: Num, writer: Side, reader: Side, minimum: Num) =>
      `${where}: description "${name}" has version ${sent} in the ${writer} dump, below the ${reader} dump's minimum version ${minimum}`,
  ),
};

/** old or new: a version of the schemas (or dump) compared by compat. */
type Side = string;
type Num = number | bigint | string;

export type MessageName = keyof typeof messages;
export type Code = (typeof messages)[MessageName]["code"];
/** The arguments of a message, in order. */
export type ArgsOf<N extends MessageName> = Parameters<(typeof messages)[N]["text"]>;
/** The message of a code that has exactly one (the compatibility rules' codes). */
export type MessageOfCode<C extends Code> = {
  [N in MessageName]: (typeof messages)[N]["code"] extends C ? N : never;
}[MessageName];

/** Each code with its severity and messages, for documentation and the error corpus. */
export const catalog = (() => {
  const byCode = {} as Record<Code, { severity: Severity; names: MessageName[] }>;
  for (const [name, entry] of Object.entries(messages) as [MessageName, Entry<Code, Arg[]>][]) {
    const known = byCode[entry.code];
    if (known) known.names.push(name);
    else byCode[entry.code] = { severity: entry.severity, names: [name] };
  }
  return byCode as Readonly<
    Record<Code, { readonly severity: Severity; readonly names: readonly MessageName[] }>
  >;
})();

/** The texts of related places (a diagnostic's "declared here" lines). */
export const relatedMessages = {
  DeclaredHere: (name: string) => `'${name}' is declared here`,
  ItIsDeclaredHere: () => "declared here",
  FirstDeclaredHere: (name: string) => `'${name}' is first declared here`,
  ItIsFirstDeclaredHere: () => "first declared here",
  StructDeclaredHere: (name: string) => `struct '${name}' is declared here`,
  FormerNameToo: (name: string, former: string) => `'${name}' was '${former}' too`,
  ReadInNestedSubsection: (subsection: string) =>
    `it is read here, inside subsection "${subsection}", which may be absent`,
  ReadInLaterSubsection: (name: string, subsection: string) =>
    `'${name}' is read here, inside subsection "${subsection}", which comes after the fields and may be absent`,
  OwnerHasVersion: (owner: string, version: number) => `${owner} has version ${version}`,
  OwnerDeclaredHere: (owner: string) => `the owner "${owner}" is declared here`,
  PeekerDeclaredHere: (name: string) => `the reader of "${name}" is declared here`,
  LoadDoes: (load: string, does: string) => `${load} ${does}`,
  InVersion: (name: string, side: Side) => `'${name}' in the ${side} version`,
  SubsectionInVersion: (name: string, side: Side) => `"${name}" in the ${side} version`,
  SectionVersionOf: (side: Side) => `the ${side} version's section version`,
  ReaderVersionOf: (side: Side, minimum: boolean) =>
    `the ${side} version's ${minimum ? "minimum version" : "section version"}`,
  NoSuchItem: (side: Side, name: string) => `the ${side} version has no '${name}'`,
  NoSuchItemAfter: (side: Side, name: string, after: string) =>
    `the ${side} version has no '${name}' ${after}`,
  ValidationIn: (side: Side) => `the validation in the ${side} version`,
  LevelWithout: (side: Side) => `the level without it in the ${side} version`,
  NoSuchSubsection: (owner: string, side: Side, name: string) =>
    `"${owner}" in the ${side} version has no subsection "${name}"`,
  InDump: (what: string, side: Side) => `${what} in the ${side} dump`,
  EntryInDump: (name: string, side: Side) => `"${name}" in the ${side} dump`,
  DescriptionInDump: (name: string, side: Side) => `description "${name}" in the ${side} dump`,
  DumpSection: (key: string) => `section "${key}"`,
  DumpLacksSection: (side: Side, key: string) => `the ${side} dump has no section "${key}"`,
  Dump: (side: Side) => `the ${side} dump`,
  DumpMachineType: (side: Side) => `the ${side} dump's machine type`,
  DumpLacksSubsection: (description: string, side: Side, name: string) =>
    `description "${description}" in the ${side} dump has no subsection "${name}"`,
  DumpLacksFields: (side: Side, description: string) =>
    `the ${side} dump has no further fields in "${description}"`,
  DumpVersion: (side: Side) => `the version in the ${side} dump`,
  DumpMinimumVersion: (side: Side) => `the minimum version in the ${side} dump`,
};

export type RelatedName = keyof typeof relatedMessages;
