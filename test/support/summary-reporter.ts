import { relative } from "node:path";
import type { Reporter, TestModule } from "vitest/node";

/**
 * Prints one plain closing line, `tests: N passed, N failed`, that any CI log reader understands,
 * preceded by one `failed: <file> > <test>: <first line of the error>` line per failure, so the end
 * of a CI log says which tests failed.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const failures: string[] = [];
    for (const module of modules) {
      const file = relative(process.cwd(), module.moduleId);
      for (const error of module.errors()) failures.push(`failed: ${file}: ${firstLine(error.message)}`);
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state === "passed") passed++;
        else if (result.state === "failed") {
          failed++;
          failures.push(`failed: ${file} > ${test.fullName}: ${firstLine(result.errors?.[0]?.message ?? "no error message")}`);
        } else skipped++;
      }
    }
    process.stdout.write(`\n${failures.map((f) => `${f}\n`).join("")}tests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}

function firstLine(text: string | undefined): string {
  return (text ?? "").split("\n")[0]!.slice(0, 300);
}
