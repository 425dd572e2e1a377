#!/usr/bin/env bash
# Rebuilds dist/ and fails when the committed dist/ (or the generated actions/) is not what the
# sources produce, naming the files. Run `npm run build` (and `npm run generate`) and commit to fix.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "check-dist: not a git work tree, so there is no committed dist/ to compare with." >&2
  exit 1
fi

node build.mjs

changed="$(git status --porcelain --untracked-files=all -- dist actions)"
if [ -n "$changed" ]; then
  echo "" >&2
  echo "dist/ or actions/ is not what the sources produce. These files differ from the commit:" >&2
  printf '%s\n' "$changed" | sed 's/^/  /' >&2
  echo "Run \`npm run build\` and \`npm run generate\`, then commit dist/ and actions/." >&2
  exit 1
fi
echo "dist/ and actions/ are up to date."
