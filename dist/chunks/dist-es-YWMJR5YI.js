/*! zero-downtime-actions | MIT License | third-party licenses: dist/licenses.txt */
import { createRequire as __zdaCreateRequire } from "node:module";
const require = __zdaCreateRequire(import.meta.url);
import{a,b,c,d,e,f,g}from"./chunk-A4UMNQEU.js";import"./chunk-273TLCG3.js";import"./chunk-MM5L2TUL.js";import"./chunk-2DHUESQB.js";import"./chunk-5LJ3LUZH.js";export{f as ENV_ACCOUNT_ID,e as ENV_CREDENTIAL_SCOPE,d as ENV_EXPIRATION,a as ENV_KEY,b as ENV_SECRET,c as ENV_SESSION,g as fromEnv};
