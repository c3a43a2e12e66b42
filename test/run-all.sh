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

echo "==> Starting Redis on 127.0.0.1 (the distributed-cache tests use it through AGENTCORE_TEST_REDIS)"
if ! command -v redis-server >/dev/null 2>&1; then
  sudo=""; if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
  $sudo apt-get update && $sudo apt-get install -y --no-install-recommends redis-server
fi
redis_dir="$(mktemp -d)"
stop_redis() {
  if [ -s "$redis_dir/redis.pid" ]; then kill "$(cat "$redis_dir/redis.pid")" 2>/dev/null || true; fi
  rm -rf "$redis_dir"
}
trap stop_redis EXIT
redis_port=""
for port in $(seq 6390 6409); do
  # A port something already answers on is taken; the first free one is ours.
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then redis_port=$port; break; fi
done
if [ -z "$redis_port" ]; then echo "No free port for Redis in 6390-6409." >&2; exit 1; fi
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
  --dir "$redis_dir" --pidfile "$redis_dir/redis.pid" --logfile "$redis_dir/redis.log"
for _ in $(seq 1 50); do
  if [ "$(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null)" = "PONG" ] && [ -s "$redis_dir/redis.pid" ]; then break; fi
  sleep 0.1
done
if [ "$(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null)" != "PONG" ]; then
  echo "Redis did not start on 127.0.0.1:$redis_port:" >&2; cat "$redis_dir/redis.log" >&2 || true; exit 1
fi
export AGENTCORE_TEST_REDIS="127.0.0.1:$redis_port"

echo "==> Building"
dotnet build AgentCore.Extensions.AI.sln -c Release -nologo -v quiet

echo "==> Testing"
results="$(mktemp -d)"
status=0
dotnet test AgentCore.Extensions.AI.sln -c Release --no-build -nologo \
  --logger "console;verbosity=normal" --logger "trx" --results-directory "$results" || status=$?

# Count test results only (each trx also has a run-level ResultSummary outcome).
count() { cat "$results"/*.trx 2>/dev/null | { grep -o "<UnitTestResult [^>]*outcome=\"$1\"" || true; } | wc -l; }
passed=$(count Passed); failed=$(count Failed); skipped=$(count NotExecuted)
rm -rf "$results"
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ]; then exit "$status"; fi
if [ "$passed" -eq 0 ]; then echo "No test ran." >&2; exit 1; fi
