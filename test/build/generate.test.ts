/** The generator's output for a small definition: action.yml fields, README tables, post step, IAM. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { defineAction } from "../../src/inputs/define";
import { definitionProblems, distPath, outOfDate, render, renderActionYml, renderReadme, type ActionSource } from "../../scripts/generate-actions";

const definition = defineAction({
  name: "shift-traffic",
  title: "Shift traffic",
  description: "Moves traffic between <blue> and green.",
  inputs: {
    "listener-arn": { description: "The listener.", schema: z.string(), valid: "an ARN like arn:aws:elasticloadbalancing:<region>:..." },
    steps: { description: "Percentages, in order.", required: true, schema: z.string().min(1), valid: "e.g. 1,10,100" },
    "dry-run": { description: "Change nothing | print the plan.", default: "false", schema: z.enum(["true", "false"]), valid: "true or false" },
    token: { description: "API token.", required: true, secret: true, schema: z.string(), valid: "a token" },
  },
  outputs: { weight: { description: "Weight now on green." } },
  post: { entry: "shift-traffic-post", if: "failure() || cancelled()" },
});

const source: ActionSource = { definition, branding: { icon: "shuffle", color: "purple" } };

describe("renderActionYml", () => {
  it("writes every input's description, required and default exactly, the outputs and the post step", () => {
    const text = renderActionYml(source);
    const action = parse(text);

    expect(text.split("\n")[0]).toBe("# Generated from src/actions/shift-traffic/definition.ts by npm run generate; do not edit.");
    expect(action.name).toBe("Shift traffic");
    expect(action.author).toBeUndefined();
    expect(action.branding).toEqual({ icon: "shuffle", color: "purple" });
    expect(action.inputs["dry-run"]).toEqual({ description: "Change nothing | print the plan.", required: false, default: "false" });
    expect(action.inputs.steps).toEqual({ description: "Percentages, in order.", required: true });
    expect(action.inputs["listener-arn"]).not.toHaveProperty("default");
    expect(action.outputs).toEqual({ weight: { description: "Weight now on green." } });
    expect(action.runs).toEqual({
      using: "node24",
      main: "../../dist/shift-traffic/index.js",
      post: "../../dist/shift-traffic/post.js",
      "post-if": "failure() || cancelled()",
    });
  });

  it("leaves post out when the action has none", () => {
    const action = parse(renderActionYml({ ...source, definition: { ...definition, post: undefined } }));

    expect(action.runs).toEqual({ using: "node24", main: "../../dist/shift-traffic/index.js" });
  });
});

describe("renderReadme", () => {
  const readme = renderReadme(source);

  it("has the title, the description with angle brackets shown as text, and a usage snippet with the required inputs", () => {
    expect(readme).toContain("# Shift traffic\n\nMoves traffic between &lt;blue&gt; and green.");
    expect(readme).toContain("  - uses: zero-downtime-actions/alb-deploy/actions/shift-traffic@v1\n    with:\n      steps: ${{ vars.STEPS }}\n      token: ${{ secrets.TOKEN }}\n");
    expect(readme).not.toMatch(/^ {6}dry-run:/m);
  });

  it("has an inputs table with required, default, description and valid values, pipes escaped", () => {
    expect(readme).toContain("| Name | Required | Default | Description | Valid values |");
    expect(readme).toContain("| `dry-run` | no | `false` | Change nothing \\| print the plan. | true or false |");
    expect(readme).toContain("| `steps` | yes |  | Percentages, in order. | e.g. 1,10,100 |");
    expect(readme).toContain("| `listener-arn` | no |  | The listener. | an ARN like arn:aws:elasticloadbalancing:&lt;region&gt;:... |");
    expect(readme).toContain("| `weight` | Weight now on green. |");
    expect(readme).toContain("post step that runs when `failure() || cancelled()`");
  });

  it("shows the IAM policy as a JSON block only when there is one", () => {
    expect(readme).not.toContain("## IAM permissions");

    const withPolicy = renderReadme({ ...source, iamPolicy: '{ "Version": "2012-10-17" }\n' });

    expect(withPolicy).toContain('## IAM permissions\n\nThe role the workflow assumes needs at least this policy:\n\n```json\n{ "Version": "2012-10-17" }\n```\n');
  });
});

describe("checks on definitions", () => {
  it("maps entries to dist paths and rejects a post entry that does not follow the pattern", () => {
    expect(distPath("rollback", "rollback")).toBe("dist/rollback/index.js");
    expect(distPath("rollback", "rollback-post")).toBe("dist/rollback/post.js");
    expect(() => distPath("rollback", "cleanup")).toThrow(/must be named "rollback-post"/);
  });

  it("reports a default that its own schema rejects, naming the input", () => {
    const bad = defineAction({ ...definition, inputs: { ...definition.inputs, "dry-run": { ...definition.inputs["dry-run"], default: "maybe" } } });

    expect(definitionProblems(bad, "src/actions/shift-traffic/definition.ts")).toEqual([expect.stringMatching(/^src\/actions\/shift-traffic\/definition.ts: the default "maybe" of input dry-run does not parse/)]);
    expect(definitionProblems(definition, "src/actions/shift-traffic/definition.ts")).toEqual([]);
  });

  it("renders one action.yml and one README.md per action", () => {
    expect([...render([source]).keys()]).toEqual(["actions/shift-traffic/action.yml", "actions/shift-traffic/README.md"]);
  });
});

describe("outOfDate (the --check mode)", () => {
  it("names files that are missing, edited by hand, or left from a removed definition, and nothing when fresh", () => {
    const root = mkdtempSync(join(tmpdir(), "generate-check-"));
    try {
      const files = render([source]);
      expect(outOfDate(root, files)).toEqual(["actions/shift-traffic/action.yml", "actions/shift-traffic/README.md"]);

      mkdirSync(join(root, "actions/shift-traffic"), { recursive: true });
      for (const [path, text] of files) writeFileSync(join(root, path), text);
      expect(outOfDate(root, files)).toEqual([]);

      writeFileSync(join(root, "actions/shift-traffic/action.yml"), files.get("actions/shift-traffic/action.yml")!.replace("default: \"false\"", "default: \"true\""));
      mkdirSync(join(root, "actions/old-action"), { recursive: true });
      writeFileSync(join(root, "actions/old-action/action.yml"), "# Generated from src/actions/old-action/definition.ts by npm run generate; do not edit.\nname: Old\n");
      expect(outOfDate(root, files)).toEqual(["actions/shift-traffic/action.yml", "actions/old-action/action.yml (no definition produces it any more)"]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
