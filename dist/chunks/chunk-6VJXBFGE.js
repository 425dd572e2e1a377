/*! zero-downtime-actions | MIT License | third-party licenses: dist/licenses.txt */
import { createRequire as __zdaCreateRequire } from "node:module";
const require = __zdaCreateRequire(import.meta.url);
import{e as i}from"./chunk-FB4AERUW.js";import{a as t}from"./chunk-5Y5DSGS5.js";function o(e){return e.kind==="error"?{kind:"error",message:t(e.message)}:e.kind==="alarms"?{...e,alarms:e.alarms.map(r=>({...r,name:t(r.name,255),reason:t(r.reason,500)}))}:e}async function m(e,r){try{return o(await r())}catch(n){return{kind:"error",message:t(`${e}: ${i(n)}`)}}}export{m as a};
