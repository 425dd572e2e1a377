/*! zero-downtime-actions | MIT License | third-party licenses: dist/licenses.txt */
import { createRequire as __zdaCreateRequire } from "node:module";
const require = __zdaCreateRequire(import.meta.url);
function o(i,e){let t=AbortSignal.timeout(i);return{signal:e?AbortSignal.any([t,e]):t,timedOut:()=>t.aborted}}export{o as a};
