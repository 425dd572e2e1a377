import type { DispatchInput } from "./schema";

/** Thrown when a dispatch is refused, as GitHub refuses it (HTTP 422): names the input, value and what is valid. */
export class DispatchError extends Error {
  override readonly name = "DispatchError";
}

export interface ResolvedDispatchInputs {
  /** The `inputs` context: booleans are booleans, numbers numbers. */
  inputs: Record<string, string | boolean | number>;
  /** `github.event.inputs`: every value as text. */
  eventInputs: Record<string, string>;
}

function asBoolean(name: string, value: string | number | boolean): boolean {
  if (typeof value === "boolean") return value;
  if (value === "true") return true;
  if (value === "false") return false;
  throw new DispatchError(`Input '${name}': ${JSON.stringify(value)} is not a boolean; valid: true, false`);
}

/**
 * Checks dispatch inputs against the workflow's declarations and applies defaults: unknown inputs,
 * missing required inputs, bad booleans and numbers, choices outside `options`, unknown environments.
 */
export function resolveDispatchInputs(
  declared: Record<string, DispatchInput>,
  given: Record<string, string | number | boolean>,
  environments?: readonly string[],
): ResolvedDispatchInputs {
  const unexpected = Object.keys(given).filter((k) => !(k in declared));
  if (unexpected.length) {
    throw new DispatchError(`Unexpected inputs provided: ${unexpected.map((u) => `'${u}'`).join(", ")}; declared: ${Object.keys(declared).map((d) => `'${d}'`).join(", ") || "none"}`);
  }
  const inputs: ResolvedDispatchInputs["inputs"] = {};
  const eventInputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(declared)) {
    const type = spec.type ?? "string";
    const value = given[name] ?? spec.default;
    if (value === undefined || value === "") {
      if (spec.required && type !== "boolean") throw new DispatchError(`Required input '${name}' not provided`);
    }
    let resolved: string | boolean | number;
    switch (type) {
      case "boolean":
        resolved = value === undefined || value === "" ? false : asBoolean(name, value);
        break;
      case "number": {
        if (value === undefined || value === "") {
          resolved = "";
          break;
        }
        const n = typeof value === "number" ? value : Number(String(value).trim());
        if (!Number.isFinite(n)) throw new DispatchError(`Input '${name}': ${JSON.stringify(value)} is not a number`);
        resolved = n;
        break;
      }
      case "choice": {
        const options = spec.options ?? [];
        const text = value === undefined ? "" : String(value);
        if (text !== "" && !options.includes(text)) {
          throw new DispatchError(`Input '${name}': ${JSON.stringify(text)} is not one of the choices: ${options.map((o) => `'${o}'`).join(", ")}`);
        }
        resolved = text;
        break;
      }
      case "environment": {
        const text = value === undefined ? "" : String(value);
        if (text !== "" && environments && !environments.includes(text)) {
          throw new DispatchError(`Input '${name}': environment '${text}' does not exist; known environments: ${environments.map((e) => `'${e}'`).join(", ")}`);
        }
        resolved = text;
        break;
      }
      default:
        resolved = value === undefined ? "" : String(value);
    }
    inputs[name] = resolved;
    eventInputs[name] = String(resolved);
  }
  return { inputs, eventInputs };
}
