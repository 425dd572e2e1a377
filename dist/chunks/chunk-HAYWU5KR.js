/*! zero-downtime-actions | MIT License | third-party licenses: dist/licenses.txt */
import { createRequire as __zdaCreateRequire } from "node:module";
const require = __zdaCreateRequire(import.meta.url);
async function g(t,e,o,i,m){if(!t["github-environment"])return;let{createDeploymentReporter:a}=await import("./report-PL7GRKJZ.js"),p=e.callSignal??(()=>e.signal),r=a({token:t["github-token"],env:l=>e.io.env(l),run:e.run,signal:p}),n=o==="failed"?await r.failed(t["github-environment"],i,m):await r[o](t["github-environment"],i,t["environment-url"]);n.ok?e.log(n.message):e.io.warning(n.message)}export{g as a};
