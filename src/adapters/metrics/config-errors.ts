/**
 * What a canary configuration error says: where (the metric by name, the field), why, and the bad
 * value only where it cannot be a secret. Nothing under `providers` (credentials live there), no
 * whole object or whole file, and no YAML source is shown; shown text goes through untrusted().
 */
import { YAMLError } from "yaml";
import type * as z from "../../util/zod";
import { issueReason } from "../../util/issue-reason";
import { untrusted } from "../../util/untrusted";
import { SECRET_KEY } from "./secrets";

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let v: unknown = root;
  for (const key of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/**
 * A value shown back in an error: only a scalar outside `providers` (whose fields carry credentials)
 * and not the whole configuration (a file that is not YAML shows up there), through untrusted().
 */
function shownValue(root: unknown, path: PropertyKey[]): string | undefined {
  const last = String(path[path.length - 1] ?? "");
  if (path.length === 0 || path[0] === "providers" || SECRET_KEY.test(last)) return undefined;
  const got = valueAt(root, path);
  if (got === undefined) return "missing";
  if (got !== null && typeof got === "object") return undefined;
  return untrusted(JSON.stringify(got) ?? String(got), 80);
}

export function describeIssue(root: unknown, issue: z.core.$ZodIssue): string {
  const path = issue.path;
  let where = path.length === 0 ? "configuration" : path.map((p) => (typeof p === "number" ? `[${p}]` : `.${untrusted(String(p), 64)}`)).join("").replace(/^\./, "");
  if (path[0] === "metrics" && typeof path[1] === "number") {
    const metricName = valueAt(root, ["metrics", path[1], "name"]);
    const rest = path.slice(2).map((p) => untrusted(String(p), 64)).join(".");
    where = `metric ${typeof metricName === "string" ? `"${untrusted(metricName, 64)}"` : `#${path[1] + 1}`}${rest ? `, field ${rest}` : ""}`;
  }
  if (issue.code === "unrecognized_keys") return `${where}: unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => untrusted(k, 64)).join(", ")} (check the spelling)`;
  const shown = shownValue(root, path);
  return `${where}: ${issueReason(issue)}${shown === undefined ? "" : ` (got ${shown})`}`;
}

/**
 * Why the text is not YAML, by kind and position only: a YAML error's message quotes the source
 * around the error, and that line may hold a secret.
 */
export function yamlProblem(error: unknown): string {
  if (!(error instanceof YAMLError)) return "it cannot be parsed";
  const kind = error.code.toLowerCase().replace(/_/g, " ");
  const at = error.linePos?.[0];
  return `${kind}${at ? ` at line ${at.line}, column ${at.col}` : ""} (the source is not quoted here, as it may hold a secret)`;
}
