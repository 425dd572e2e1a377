import { join, resolve } from "node:path";

export type BuiltinAction = "checkout" | "configure-aws-credentials" | "upload-artifact" | "download-artifact";

export type ResolvedAction =
  | { kind: "local"; directory: string; repository?: string; ref?: string }
  | { kind: "builtin"; name: BuiltinAction; ref: string };

/** Maps a step's `uses` to something this runner can run; undefined when it cannot. */
export type ActionResolver = (uses: string, context: { repoRoot: string }) => ResolvedAction | undefined;

const BUILTINS: Record<string, BuiltinAction> = {
  "actions/checkout": "checkout",
  "aws-actions/configure-aws-credentials": "configure-aws-credentials",
  "actions/upload-artifact": "upload-artifact",
  "actions/download-artifact": "download-artifact",
};

export const KNOWN_USES_HELP =
  "this runner runs local actions ('./<path>' or '<owner>/<repo>/actions/<name>@<ref>' from the repository under test) and built-in stand-ins for " +
  Object.keys(BUILTINS).join(", ");

export interface DefaultResolverOptions {
  /** Restrict '<owner>/<repo>/actions/<name>@<ref>' to these repositories (case-insensitive); any when absent. */
  selfRepositories?: readonly string[];
}

/**
 * `./<path>` → <repoRoot>/<path>; `<owner>/<repo>/actions/<name>@<ref>` → <repoRoot>/actions/<name>;
 * actions/checkout, aws-actions/configure-aws-credentials, actions/upload-artifact and
 * actions/download-artifact (any ref) → built-in stand-ins.
 */
export function defaultResolver(options: DefaultResolverOptions = {}): ActionResolver {
  const allowed = options.selfRepositories?.map((r) => r.toLowerCase());
  return (uses, { repoRoot }) => {
    if (uses.startsWith("./")) return { kind: "local", directory: resolve(repoRoot, uses) };
    const match = /^([^/@\s]+)\/([^/@\s]+)(?:\/([^@\s]+))?@(\S+)$/.exec(uses);
    if (!match) return undefined;
    const [, owner, repo, path, ref] = match as unknown as [string, string, string, string | undefined, string];
    const repository = `${owner}/${repo}`;
    if (!path) {
      const builtin = BUILTINS[repository.toLowerCase()];
      return builtin ? { kind: "builtin", name: builtin, ref } : undefined;
    }
    const local = /^actions\/([A-Za-z0-9._-]+)$/.exec(path);
    if (!local) return undefined;
    if (allowed && !allowed.includes(repository.toLowerCase())) return undefined;
    return { kind: "local", directory: join(repoRoot, "actions", local[1] as string), repository, ref };
  };
}
