/*! zero-downtime-actions | MIT License | third-party licenses: dist/licenses.txt */
import { createRequire as __zdaCreateRequire } from "node:module";
const require = __zdaCreateRequire(import.meta.url);
function e(n,t=""){if(n==null||Number.isNaN(n))return"n/a";if(!Number.isFinite(n))return n>0?"\u221E":"-\u221E";let r=Math.abs(n),i=r!==0&&(r<.001||r>=1e6)?n.toExponential(2):String(Number(n.toPrecision(3)));return t?`${i} ${t}`:i}function o(n){if(!Number.isFinite(n))return n>0?"+\u221E%":"-\u221E%";let t=(n-1)*100;return`${t>=0?"+":""}${e(t)}%`}export{e as a,o as b};
