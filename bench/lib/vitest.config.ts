import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// The bench's own unit tests: npx vitest run --config bench/lib/vitest.config.ts
export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: { include: ["bench/lib/test/**/*.test.ts"] },
});
