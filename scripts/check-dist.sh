#!/usr/bin/env bash
# Rebuilds dist/ and fails when the committed dist/ (or the generated actions/) is not what the
# sources produce, naming the files. Run `npm run build` (and `npm run generate`) and commit to fix.
# Outside a git work tree (a source archive) it compares with the dist/ that was there before.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() {
  echo "" >&2
  echo "dist/ or actions/ is not what the sources produce. These files differ:" >&2
  printf '%s\n' "$1" | sed 's/^/  /' >&2
  echo "Run \`npm run build\` and \`npm run generate\`, then commit dist/ and actions/." >&2
  exit 1
}

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  node build.mjs
  changed="$(git status --porcelain --untracked-files=all -- dist actions)"
  if [ -n "$changed" ]; then fail "$changed"; fi
else
  before="$(mktemp -d)"
  trap 'rm -rf "$before"' EXIT
  if [ -d dist ]; then cp -a dist "$before/dist"; else mkdir "$before/dist"; fi
  node build.mjs
  changed="$(diff -rq "$before/dist" dist | sed "s|$before/||g" || true)"
  if [ -n "$changed" ]; then fail "$changed"; fi
fi
echo "dist/ and actions/ are up to date."
