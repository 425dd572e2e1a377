/*! zero-downtime-actions | MIT License | third-party licenses: dist/licenses.txt */
import { createRequire as __zdaCreateRequire } from "node:module";
const require = __zdaCreateRequire(import.meta.url);
import{a,b}from"./chunk-AKRU3BXI.js";import"./chunk-FB4AERUW.js";import"./chunk-5Y5DSGS5.js";import"./chunk-5LJ3LUZH.js";export{a as CloudWatchAlarmStates,b as createAlarmReader};
