/*! zero-downtime-actions | MIT License | third-party licenses: dist/licenses.txt */
import { createRequire as __zdaCreateRequire } from "node:module";
const require = __zdaCreateRequire(import.meta.url);
import{a as l}from"./chunk-5Y5DSGS5.js";var u=Symbol("markdown");function o(t){return{[u]:t}}function m(t){return typeof t=="object"&&t!==null&&u in t}function d(t){return l(t).replace(/\r?\n|\r/g," ").replace(/&/g,"&amp;").replace(/</g,"&lt;").replace(/>/g,"&gt;").replace(/([\\`*_[\]|~])/g,"\\$1")}function s(t){return t==null?"":typeof t=="number"?d(String(t)):typeof t=="string"?d(t):m(t)?t[u]:t.map(s).join("")}function x(t){let n=s(t);return o(n?`**${n}**`:"")}function k(t){let n=s(t);return o(n?`_${n}_`:"")}function I(t){let n=l(t).replace(/\r?\n|\r/g," "),r=Math.max(0,...(n.match(/`+/g)??[]).map(i=>i.length)),e="`".repeat(r+1),a=n.startsWith("`")||n.endsWith("`")?" ":"";return o(`${e}${a}${n}${a}${e}`)}function M(t,n){let r=s(t);if(!n||!/^https?:\/\//.test(n))return o(r);let e=i=>`%${i.charCodeAt(0).toString(16).toUpperCase().padStart(2,"0")}`,a=n.replace(/[\s<>\\]/g,e).replace(/[()]/g,i=>f(n)?i:e(i));return o(`[${r}](${a})`)}function f(t){let n=0;for(let r of t)if(r==="(")n++;else if(r===")"&&--n<0)return!1;return n===0}function b(t,n=" \xB7 "){let r=t.map(s).filter(e=>e!=="");return o(r.join(s(n)))}function h(t){let n=s(t);return n===""?"\u2014":n.replace(/(^|[^\\])\|/g,"$1\\|")}function g(t){return t.replace(/^\s+/,"").replace(/^([-+=>#]|\d+[.)])/,"\\$1")}function $(t){return l(t).replace(/\r?\n|\r/g," ").replace(/&/g,"&amp;").replace(/</g,"&lt;").replace(/>/g,"&gt;")}var c=class t{parts=[];blocks(){return this.parts}get empty(){return this.parts.length===0}add(n){return n.trim()!==""&&this.parts.push(n),this}heading(n,r=3){return this.add(`${"#".repeat(r)} ${s(n)}`)}paragraph(...n){let r=n.map(s).filter(e=>e.trim()!=="");return this.add(r.map(g).join(`<br>
`))}list(n){return this.add(n.map(s).filter(r=>r.trim()!=="").map(r=>`- ${g(r)}`).join(`
`))}table(n,r){if(r.length===0||n.length===0)return this;let e=a=>`| ${n.map((i,p)=>h(a[p])).join(" | ")} |`;return this.add([e(n),`| ${n.map(()=>"---").join(" | ")} |`,...r.map(e)].join(`
`))}code(n,r=""){let e=n.replace(/\r\n?/g,`
`).replace(/\n+$/,"").split(`
`).map(p=>l(p,1e4)).join(`
`),a=Math.max(2,...(e.match(/^`{3,}/gm)??[]).map(p=>p.length)),i="`".repeat(a+1);return this.add(`${i}${r}
${e}
${i}`)}mermaid(n){return this.code(n,"mermaid")}details(n,r){let e=r instanceof t?r:new t;return r instanceof t||r(e),e.empty?this:this.add(`<details><summary>${$(n)}</summary>

${e.toString().trimEnd()}

</details>`)}append(n){for(let r of n.blocks())this.add(r);return this}toString(){return this.parts.length===0?"":`${this.parts.join(`

`)}
`}};function j(){return new c}function S(t){return`${(t/1e3).toFixed(1)} s`}export{x as a,k as b,I as c,M as d,b as e,j as f,S as g};
