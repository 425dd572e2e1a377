/*! zero-downtime-actions | MIT License | third-party licenses: dist/licenses.txt */
import { createRequire as __zdaCreateRequire } from "node:module";
const require = __zdaCreateRequire(import.meta.url);
import{a,b}from"./chunk-5EO34EAH.js";import"./chunk-ZOPVH3G7.js";import"./chunk-5Y5DSGS5.js";import"./chunk-5LJ3LUZH.js";export{a as CloudWatchAlarmStates,b as createAlarmReader};
