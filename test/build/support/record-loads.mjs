// Preloaded with `node --import`: records the URL of every module Node loads, one per line, in the
// file named by RECORD_LOADS, through the public module customization hooks.
import { register } from "node:module";

register("./record-loads-hooks.mjs", import.meta.url, { data: { out: process.env.RECORD_LOADS } });
