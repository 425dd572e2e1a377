/**
 * zod for every schema in src/ (`import * as z from "../util/zod"`): zod/mini, with zod's English
 * messages. zod/mini builds schemas from functions that esbuild can leave out when unused, so the
 * entries, which validate inputs before anything else loads, stay small; classic zod would bring its
 * whole core (JSON Schema included).
 */
import { config } from "zod/mini";
import en from "zod/v4/locales/en.js";

// zod/mini carries no messages of its own (every issue without one reads "Invalid input"); classic zod
// sets the English ones when first used. Setting them here keeps zod's own messages, such as "Invalid URL"
// or an enum's "Invalid option: expected one of ...", what they were, in every module that parses,
// whichever of them is loaded first (tests import the metrics modules on their own).
config(en());

export * from "zod/mini";
