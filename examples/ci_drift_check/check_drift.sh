#!/usr/bin/env bash
# Fail (exit 1) when the workspace at $TWENTY_URL drifted from the generated package $PACKAGE.
#
#   TWENTY_URL=https://crm.example.com TWENTY_API_KEY=... PACKAGE=src/twenty_crm \
#     bash examples/ci_drift_check/check_drift.sh
#
# Exit codes are `twenty-gql check`'s: 0 fresh, 1 drift (the differences are printed), 2 error
# (unreachable server, bad key, not a generated package). The key is read from the environment
# by twenty-gql itself and never appears on a command line or in the output.
set -uo pipefail

: "${TWENTY_URL:?set TWENTY_URL to the workspace URL}"
: "${TWENTY_API_KEY:?set TWENTY_API_KEY (a secret in CI)}"
PACKAGE="${PACKAGE:-src/twenty_crm}"
TWENTY_GQL="${TWENTY_GQL:-twenty-gql}"

"$TWENTY_GQL" check --url "$TWENTY_URL" --package "$PACKAGE"
status=$?
if [ "$status" -eq 1 ] && [ -n "${GITHUB_ACTIONS:-}" ]; then
  echo "::error title=Twenty schema drift::$PACKAGE is out of date; run twenty-gql generate and commit the result"
fi
exit "$status"
