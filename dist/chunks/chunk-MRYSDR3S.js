/*! zero-downtime-actions | MIT License | third-party licenses: dist/licenses.txt */
import { createRequire as __zdaCreateRequire } from "node:module";
const require = __zdaCreateRequire(import.meta.url);
async function u(e,t,o,i,m){if(!e["github-environment"])return;let{createDeploymentReporter:p}=await import("./deployments-4D2WECNL.js"),r=p({token:e["github-token"],env:a=>t.io.env(a),run:t.run}),n=o==="failed"?await r.failed(e["github-environment"],i,m):await r[o](e["github-environment"],i,e["environment-url"]);n.ok?t.log(n.message):t.io.warning(n.message)}export{u as a};
