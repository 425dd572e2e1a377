/*! zero-downtime-actions | MIT License | third-party licenses: dist/licenses.txt */
import { createRequire as __zdaCreateRequire } from "node:module";
const require = __zdaCreateRequire(import.meta.url);
var a={now:()=>Date.now(),sleep:(o,e)=>new Promise((n,r)=>{if(e?.aborted)return r(e.reason);let s=setTimeout(()=>{e?.removeEventListener("abort",t),n()},Math.max(0,o)),t=()=>{clearTimeout(s),r(e?.reason)};e?.addEventListener("abort",t,{once:!0})})};export{a};
