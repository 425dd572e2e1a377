/**
 * `npm run synth`: writes infra/cloudformation/blue-green.template.json from the CDK stack.
 * `npm run synth -- --check` writes nothing and fails when the committed template is stale.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { synthTemplate } from "./template-stack";

export const TEMPLATE_FILE = resolve(import.meta.dirname, "..", "cloudformation", "blue-green.template.json");

export function renderTemplate(): string {
  return `${JSON.stringify(synthTemplate(), null, 2)}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const text = renderTemplate();
  if (process.argv.includes("--check")) {
    let committed = "";
    try {
      committed = readFileSync(TEMPLATE_FILE, "utf8");
    } catch {
      // missing: stale
    }
    if (committed !== text) {
      process.stderr.write("infra/cloudformation/blue-green.template.json is stale: run npm run synth and commit it\n");
      process.exit(1);
    }
  } else {
    writeFileSync(TEMPLATE_FILE, text);
    process.stdout.write(`wrote infra/cloudformation/blue-green.template.json (${text.length} bytes)\n`);
  }
}
