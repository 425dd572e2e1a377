// ESLint flat config: typescript-eslint's recommended rules everywhere, and no-floating-promises,
// which needs type information, where a forgotten await does real harm: the action code in src/ and
// scripts/. Type-aware linting of the tests and the sandbox as well would double the run time.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

const nodeGlobals = Object.fromEntries(
  ["process", "console", "URL", "URLSearchParams", "Buffer", "setTimeout", "clearTimeout", "setInterval", "clearInterval", "AbortController", "AbortSignal", "fetch", "structuredClone", "TextEncoder", "TextDecoder"].map((name) => [name, "readonly"]),
);

export default defineConfig(
  // Dot files at the top are local scratch files, never part of the project.
  { ignores: ["dist/", "node_modules/", "coverage/", ".tmp/", "**/*.d.ts", ".*.ts"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: nodeGlobals },
    rules: {
      // Unused code is a smell, not a fault: reported without failing the lint.
      "@typescript-eslint/no-unused-vars": ["warn", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      // Non-null assertions are how this code base states `noUncheckedIndexedAccess` invariants.
      "@typescript-eslint/no-non-null-assertion": "off",
      // Input parsers reject control characters on purpose, so their regular expressions name them.
      "no-control-regex": "off",
      // Reported, not blocking: each points at code worth a second look (see the lint output).
      "no-useless-assignment": "warn",
      "preserve-caught-error": "warn",
      "prefer-const": "warn",
    },
  },
  {
    files: ["src/**/*.ts", "scripts/**/*.ts"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
    },
  },
);
