/** The demo's public API: `runDemo` (what `npm run demo` runs, and what test/e2e/demo.test.ts asserts). */
export { clipAtWord, runDemo, type DemoOptions, type DemoResult } from "./demo";
