/*! zero-downtime-actions | MIT License | third-party licenses: dist/licenses.txt */
import { createRequire as __zdaCreateRequire } from "node:module";
const require = __zdaCreateRequire(import.meta.url);
var r=class extends Error{name="ConfigurationError"},a=class extends Error{name="OperationalError"},s=class extends Error{name="SafetyError"};function o(e){return e instanceof Error?e.message:String(e)}function u(e,n){if(n instanceof r||n instanceof s)return n;let t=d(n),i=t&&!o(n).includes(t)?`${t}: ${o(n)}`:o(n);return new a(`${e}: ${i}`,{cause:n})}function d(e){if(typeof e!="object"||e===null)return;let n=e;if(typeof n.Code=="string")return n.Code;if(n.$metadata&&typeof n.name=="string")return n.name}export{r as a,a as b,s as c,o as d,u as e};
