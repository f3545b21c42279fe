#!/usr/bin/env bash
# Makes sure sidekiq-cron's cron parser (Debian's ruby-fugit) is installed: the
# cron equivalence tests use it as their reference through
# ../shared/tools/fugit-times.rb. Installs only when `require "fugit"` fails.
set -euo pipefail

if command -v ruby >/dev/null 2>&1 && ruby -e 'require "fugit"' >/dev/null 2>&1; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "scripts/fugit.sh: ruby-fugit is missing and apt-get is not available; install Ruby and the fugit gem by hand" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

echo "scripts/fugit.sh: installing ruby and ruby-fugit (Debian packages) for the cron equivalence tests" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq ruby ruby-fugit >/dev/null

ruby -e 'require "fugit"' || { echo "scripts/fugit.sh: ruby-fugit installed but 'require \"fugit\"' still fails" >&2; exit 1; }
