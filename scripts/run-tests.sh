#!/usr/bin/env bash
# Runs the whole test suite and ends with the plain line `N passed, N failed`.
set -u
cd "$(dirname "$0")/.."
mkdir -p build
rm -f build/test-results.json
npx vitest run --reporter=default --reporter=json --outputFile.json=build/test-results.json "$@"
rc=$?
node scripts/test-summary.mjs build/test-results.json
exit $rc
