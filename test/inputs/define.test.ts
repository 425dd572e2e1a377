import { describe, expect, it } from "vitest";
import { defineAction, describedAs, parseInputs } from "../../src/inputs/define";
import { optionalText } from "../../src/inputs/fields";
import { ConfigurationError } from "../../src/util/errors";

/** A definition whose schemas count how often they are built. */
function counted() {
  let built = 0;
  const spec = (required = false) => ({
    description: "d",
    required,
    get schema() {
      built++;
      return optionalText();
    },
    valid: "text",
  });
  const definition = defineAction({
    name: "x",
    title: "X",
    description: "X",
    inputs: { a: spec(), b: spec(), c: spec(), need: spec() },
    outputs: {},
    requireOneOf: [{ inputs: ["a", "b"], message: "Input required and not supplied: a or b." }],
  });
  return { definition, built: () => built };
}

describe("parseInputs", () => {
  it("reports a group of which none is given before building any schema", () => {
    const { definition, built } = counted();
    const error = (() => {
      try {
        parseInputs(definition, () => "");
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toBe("Input required and not supplied: a or b.");
    expect(built()).toBe(0);
  });

  it("builds each schema once it parses, when one of the group is given", () => {
    const { definition, built } = counted();
    const settings = parseInputs(definition, (name) => ({ b: "yes", c: "z", need: "n" })[name] ?? "");
    expect(settings.b).toBe("yes");
    expect(built()).toBe(4);
  });
});

describe("describedAs", () => {
  it("changes only the description and builds the schema only when it is read", () => {
    let built = 0;
    const spec = {
      description: "first words",
      default: "x",
      required: true,
      get schema() {
        built++;
        return optionalText(3);
      },
      valid: "up to 3 characters",
      secret: true,
    };
    const other = describedAs(spec, "other words");
    expect(built).toBe(0);
    expect(other).toMatchObject({ description: "other words", default: "x", required: true, valid: "up to 3 characters", secret: true });
    expect(spec.description).toBe("first words");
    expect(other.schema.safeParse("abcd").success).toBe(false);
    expect(built).toBe(1);
  });
});
