#!/usr/bin/env bash
# The whole test suite, offline: typecheck, lint, then vitest.
# Services the tests need are installed (Debian packages) and started here,
# on free ports, and stopped afterwards; no test is skipped for want of one.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== typecheck"
npx tsc --noEmit -p tsconfig.json
echo "== lint"
npx eslint .
echo "== services"
# Ruby's fugit (Debian's ruby-fugit): sidekiq-cron's own cron parser, the oracle of the cron tests.
bash scripts/fugit.sh
# RabbitMQ (Debian's package, a private node on free ports) for the Amazon MQ tests.
bash scripts/rabbitmq.sh start
trap 'bash scripts/rabbitmq.sh stop' EXIT
# shellcheck disable=SC1091
source .local/rabbitmq.env

echo "== tests"
mkdir -p .local
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.local/vitest-results.json "$@" || status=$?
# One plain closing line, for CI and for people: how many tests passed and failed.
node -e '
const r = JSON.parse(require("fs").readFileSync(".local/vitest-results.json", "utf8"));
console.log(`Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests + r.numTodoTests ? `, ${r.numPendingTests + r.numTodoTests} skipped` : ""));
' || true
exit "$status"
