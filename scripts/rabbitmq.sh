#!/usr/bin/env bash
# A private RabbitMQ node (Debian's rabbitmq-server, the engine of Amazon MQ for
# RabbitMQ) for the integration tests: loopback only, free ports, its own data
# directory, so it never collides with a system broker or another test run.
#
#   bash scripts/rabbitmq.sh start   # installs if needed, starts, writes .local/rabbitmq.env
#   bash scripts/rabbitmq.sh stop    # stops the node started by `start` and removes its data
#
# After `start`: `source .local/rabbitmq.env` exports RABBITMQ_AMQP_URL,
# RABBITMQ_MGMT_URL (guest/guest) and RABBITMQ_NODENAME.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_DIR="$ROOT/.local"
ENV_FILE="$STATE_DIR/rabbitmq.env"
STATE_FILE="$STATE_DIR/rabbitmq.state"

die() {
  echo "scripts/rabbitmq.sh: $*" >&2
  exit 1
}

# Debian wraps its commands so that they switch to the rabbitmq user, which
# drops our environment; the real scripts live in /usr/lib/rabbitmq/bin.
rabbit_bin() {
  if [[ -x "/usr/lib/rabbitmq/bin/$1" ]]; then
    echo "/usr/lib/rabbitmq/bin/$1"
  elif command -v "$1" >/dev/null 2>&1; then
    command -v "$1"
  else
    die "$1 not found after installing rabbitmq-server: check the package installation"
  fi
}

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
  else
    "$ROOT/node_modules/.bin/node" -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
  fi
}

install_if_missing() {
  if command -v rabbitmq-server >/dev/null 2>&1 || [[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]]; then
    return
  fi
  if [[ "$(id -u)" != 0 ]]; then
    die "rabbitmq-server is not installed and installing it needs root: run 'sudo apt-get install -y rabbitmq-server' once, then run this again"
  fi
  echo "Installing Debian's rabbitmq-server (about two minutes)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update failed: check network access to the Debian mirrors"
  apt-get install -y -qq rabbitmq-server >/dev/null || die "apt-get install rabbitmq-server failed (see the output above)"
  # The package may start a system node; it runs on the default ports and does not disturb ours.
}

start() {
  if [[ -f "$STATE_FILE" ]]; then
    # shellcheck disable=SC1090
    source "$STATE_FILE"
    if "$(rabbit_bin rabbitmqctl)" -n "$RABBITMQ_NODENAME" -q status >/dev/null 2>&1; then
      echo "RabbitMQ node $RABBITMQ_NODENAME is already running." >&2
      cat "$ENV_FILE"
      return
    fi
    stop_quietly
  fi
  install_if_missing
  mkdir -p "$STATE_DIR"
  local base amqp_port mgmt_port dist_port node
  base="$(mktemp -d "${TMPDIR:-/tmp}/xikolo-rabbitmq.XXXXXX")"
  amqp_port="$(free_port)"
  mgmt_port="$(free_port)"
  dist_port="$(free_port)"
  node="xikolo-test-$$@localhost"

  cat >"$base/rabbitmq.conf" <<EOF
listeners.tcp.default = 127.0.0.1:$amqp_port
management.tcp.ip = 127.0.0.1
management.tcp.port = $mgmt_port
loopback_users.guest = true
log.file.level = warning
EOF
  echo "[rabbitmq_management]." >"$base/enabled_plugins"

  export RABBITMQ_NODENAME="$node"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT="$amqp_port"
  export RABBITMQ_DIST_PORT="$dist_port"
  export RABBITMQ_CONFIG_FILE="$base/rabbitmq.conf"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins"
  export RABBITMQ_MNESIA_BASE="$base/mnesia"
  export RABBITMQ_LOG_BASE="$base/log"
  export RABBITMQ_PID_FILE="$base/rabbitmq.pid"
  export RABBITMQ_PLUGINS_EXPAND_DIR="$base/plugins-expand"
  mkdir -p "$RABBITMQ_MNESIA_BASE" "$RABBITMQ_LOG_BASE"

  "$(rabbit_bin rabbitmq-plugins)" enable --offline rabbitmq_management >/dev/null \
    || die "could not enable rabbitmq_management offline (log: $base)"

  cat >"$STATE_FILE" <<EOF
RABBITMQ_NODENAME='$node'
RABBITMQ_BASE_DIR='$base'
EOF

  nohup "$(rabbit_bin rabbitmq-server)" >"$base/server.out" 2>&1 &
  echo "RABBITMQ_SERVER_PID='$!'" >>"$STATE_FILE"

  local url="http://127.0.0.1:$mgmt_port/api/overview" i
  for i in $(seq 1 120); do
    if curl -fsS -u guest:guest "$url" >/dev/null 2>&1; then
      break
    fi
    if ! kill -0 "$(sed -n "s/^RABBITMQ_SERVER_PID='\(.*\)'/\1/p" "$STATE_FILE")" 2>/dev/null; then
      tail -n 30 "$base/server.out" >&2 || true
      die "rabbitmq-server exited during start (full output: $base/server.out, logs: $base/log)"
    fi
    sleep 1
    if [[ "$i" == 120 ]]; then
      die "the management API did not answer at $url within 120 s (output: $base/server.out)"
    fi
  done

  cat >"$ENV_FILE" <<EOF
export RABBITMQ_AMQP_URL=amqp://guest:guest@127.0.0.1:$amqp_port
export RABBITMQ_MGMT_URL=http://guest:guest@127.0.0.1:$mgmt_port
export RABBITMQ_NODENAME=$node
EOF
  cat "$ENV_FILE"
}

stop_quietly() {
  [[ -f "$STATE_FILE" ]] || return 0
  # shellcheck disable=SC1090
  source "$STATE_FILE"
  "$(rabbit_bin rabbitmqctl)" -n "$RABBITMQ_NODENAME" -q stop >/dev/null 2>&1 || true
  if [[ -n "${RABBITMQ_SERVER_PID:-}" ]]; then
    for _ in $(seq 1 20); do
      kill -0 "$RABBITMQ_SERVER_PID" 2>/dev/null || break
      sleep 0.5
    done
    kill "$RABBITMQ_SERVER_PID" 2>/dev/null || true
  fi
  if [[ -n "${RABBITMQ_BASE_DIR:-}" && "$RABBITMQ_BASE_DIR" == *xikolo-rabbitmq.* ]]; then
    rm -rf "$RABBITMQ_BASE_DIR"
  fi
  rm -f "$STATE_FILE" "$ENV_FILE"
}

stop() {
  if [[ ! -f "$STATE_FILE" ]]; then
    echo "No RabbitMQ node started by scripts/rabbitmq.sh is recorded in $STATE_FILE; nothing to stop." >&2
    return 0
  fi
  stop_quietly
  echo "RabbitMQ node stopped." >&2
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) die "usage: scripts/rabbitmq.sh start|stop (start writes $ENV_FILE; stop stops that node)" ;;
esac
