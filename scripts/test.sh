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
npx vitest run "$@"
