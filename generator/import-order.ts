// The order in which a schema and the files it imports, transitively, are taken: each once,
// every file after the files it imports. One walk for the checker, gen and its cache.

/**
 * `root` and every file it imports, transitively, each once, imports first and `root` last.
 * `importsOf` gives a file's direct imports, or undefined for a file that is not known (it is left
 * out). By an explicit stack: a chain of imports may be thousands long.
 */
export function importOrder(
  root: string,
  importsOf: (file: string) => readonly string[] | undefined,
): string[] {
  const order: string[] = [];
  const seen = new Set<string>([root]);
  const stack: { file: string; imports: readonly string[]; next: number }[] = [];
  const enter = (file: string): void => {
    const imports = importsOf(file);
    if (imports !== undefined) stack.push({ file, imports, next: 0 });
  };
  enter(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next < top.imports.length) {
      const file = top.imports[top.next++]!;
      if (!seen.has(file)) {
        seen.add(file);
        enter(file);
      }
    } else {
      stack.pop();
      order.push(top.file);
    }
  }
  return order;
}
