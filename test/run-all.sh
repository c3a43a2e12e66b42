#!/usr/bin/env bash
# Installs what the tests need (from the repo's own lock files) and runs every test.
# This is the README's test command, and all that .ci/run does.
set -euo pipefail
cd "$(dirname "$0")/.."

# Tests never reach AWS: no instance-metadata probing, no developer profile, no ambient credentials.
export AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE AWS_REGION AWS_DEFAULT_REGION AGENTCORE_RUNTIME_ARN || true
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "==> Installing the JavaScript peers (official AWS JS client, TypeScript agent SDK, OpenAI client) from test/peers/package-lock.json"
npm ci --prefix test/peers --no-audit --no-fund --loglevel=error

echo "==> Building"
dotnet build AgentCore.Extensions.AI.sln -c Release -nologo -v quiet

echo "==> Testing"
results="$(mktemp -d)"
status=0
dotnet test AgentCore.Extensions.AI.sln -c Release --no-build -nologo \
  --logger "console;verbosity=normal" --logger "trx" --results-directory "$results" || status=$?

count() { cat "$results"/*.trx 2>/dev/null | { grep -o "outcome=\"$1\"" || true; } | wc -l; }
passed=$(count Passed); failed=$(count Failed); skipped=$(count NotExecuted)
rm -rf "$results"
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ]; then exit "$status"; fi
if [ "$passed" -eq 0 ]; then echo "No test ran." >&2; exit 1; fi
