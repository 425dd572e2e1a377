/*! zero-downtime-actions | MIT License | third-party licenses: dist/licenses.txt */
import { createRequire as __zdaCreateRequire } from "node:module";
const require = __zdaCreateRequire(import.meta.url);
import{a as t}from"../chunks/chunk-LK7IDBWA.js";import{a as i,b as o}from"../chunks/chunk-2UTPJUQX.js";import"../chunks/chunk-X3DXO325.js";import"../chunks/chunk-SI6TJ7Z4.js";import"../chunks/chunk-KG4PGDEX.js";import"../chunks/chunk-A3NHGEXH.js";import"../chunks/chunk-VRPGOK3F.js";import"../chunks/chunk-HZXGKHMC.js";function e(n={}){return i(t,async(r,m)=>(await import("../chunks/shift-traffic-post-PA2Z3CSD.js")).main(r,m),n)}o(import.meta.url)&&e();export{e as run};
