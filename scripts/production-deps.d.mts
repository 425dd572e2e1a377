/** Types for the helpers scripts/production-deps.mjs exports (tested in test/build/bundled-deps.test.ts). */
export interface Lockfile {
  packages?: Record<string, { dev?: boolean; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; peerDependencies?: Record<string, string> }>;
}
export function productionPackages(lock: Lockfile): Set<string>;
export function packageNameOf(input: string): string | undefined;
export function unauditedPackages(bundled: Iterable<string>, root: string): string[];
export function bundledPackages(metafile: { inputs: Record<string, unknown> }): string[];
export function auditGap(metafile: { inputs: Record<string, unknown> }, root: string): string | undefined;
