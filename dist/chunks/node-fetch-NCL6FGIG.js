/*! zero-downtime-actions | MIT License | third-party licenses: dist/licenses.txt */
import { createRequire as __zdaCreateRequire } from "node:module";
const require = __zdaCreateRequire(import.meta.url);
import{a}from"./chunk-ZYWG7HYB.js";import"./chunk-5LJ3LUZH.js";export{a as nodeFetch};
