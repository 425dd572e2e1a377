import { describe, expect, it } from "vitest";
import { staticGraph } from "../parts/cold-start";

describe("staticGraph", () => {
  it("follows static imports and re-exports but not import()", () => {
    // Arrange: an entry importing two chunks statically and one dynamically.
    const files: Record<string, string> = {
      "/d/a/index.js": 'import { x } from "../chunks/one.js";\nimport "../chunks/two.js";\nconst later = () => import("../chunks/lazy.js");',
      "/d/chunks/one.js": 'export { y } from "./three.js";\nexport const x = 1;',
      "/d/chunks/two.js": "console.log(1);",
      "/d/chunks/three.js": "export const y = 2;",
      "/d/chunks/lazy.js": 'import "./never.js";',
    };
    // Act
    const graph = staticGraph("/d/a/index.js", (p) => {
      const text = files[p];
      if (text === undefined) throw new Error(`unexpected read of ${p}`);
      return text;
    });
    // Assert
    expect(graph.sort()).toEqual(["/d/a/index.js", "/d/chunks/one.js", "/d/chunks/three.js", "/d/chunks/two.js"]);
  });

  it("reads multi-line import lists", () => {
    const files: Record<string, string> = { "/d/e.js": 'import {\n  a,\n  b as c\n} from "./f.js";', "/d/f.js": "" };
    expect(staticGraph("/d/e.js", (p) => files[p] ?? "").sort()).toEqual(["/d/e.js", "/d/f.js"]);
  });
});
