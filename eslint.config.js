// ESLint: typescript-eslint's type-checked recommended rules over every TypeScript file of the
// repository, with zero warnings allowed (`npm run lint`).

import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "test/.seed-*/", "editors/vscode/node_modules/"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // A parameter or binding that must exist for its position but is not read says so with `_`.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" },
      ],
    },
  },
  {
    // The benchmark's adapters for binary-parser and restructure: both libraries build plain objects
    // of their own untyped shape, and these files are where those values meet the typed state.
    files: ["bench/peers/binary-parser.ts", "bench/peers/restructure.ts", "bench/peers/types.d.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
  {
    files: ["**/*.js"],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The VS Code extension is plain JavaScript run by VS Code's Node (CommonJS) and its build script.
    files: ["editors/vscode/**/*.js", "editors/vscode/**/*.mjs"],
    languageOptions: {
      sourceType: "commonjs",
      globals: {
        require: "readonly",
        module: "writable",
        process: "readonly",
        console: "readonly",
      },
    },
  },
  { files: ["editors/vscode/**/*.mjs"], ...tseslint.configs.disableTypeChecked },
  {
    files: ["editors/vscode/**/*.mjs"],
    languageOptions: { sourceType: "module", globals: { process: "readonly" } },
  },
  {
    files: ["editors/vscode/**/*.js"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
