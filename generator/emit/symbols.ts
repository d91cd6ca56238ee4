// What one generated module refers to in the runtime, recorded as the emitters print each name:
// the module's import of the runtime is derived from this record, not guessed from the text.

import {
  runtimeTypes,
  runtimeValues,
  type RuntimeType,
  type RuntimeValue,
} from "../ir/runtime-names.js";

export class RuntimeSymbols {
  private readonly used = new Set<RuntimeValue | RuntimeType>();

  /** A runtime function's name, for the code being printed. */
  value(name: RuntimeValue): string {
    this.used.add(name);
    return name;
  }

  /** A runtime type's name, for the code being printed. */
  type(name: RuntimeType): string {
    this.used.add(name);
    return name;
  }

  /** The named imports of the names printed: values, then types, each in the table's order. */
  imports(): string[] {
    return [
      ...runtimeValues.filter((name) => this.used.has(name)),
      ...runtimeTypes.filter((name) => this.used.has(name)).map((name) => `type ${name}`),
    ];
  }
}
