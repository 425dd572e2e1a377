/** Types for the helpers scripts/validate-actions.mjs exports (tested in test/build/validate.test.ts). */
export interface LintResult {
  file: string;
  line: number;
  column: number;
  message: string;
  kind: string;
}
export function asNode20(text: string): string;
export function missingTargets(text: string, actionDir: string): { errors: string[]; notices: string[] };
export function splitFindings(results: LintResult[]): { kept: LintResult[]; dropped: Map<string, number> };
export function inputMismatches(workflowText: string, readAction: (name: string) => string | undefined): string[];
