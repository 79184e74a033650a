#!/usr/bin/env bash
# Starts (or stops) RabbitMQ and s3rver on loopback for tests and the distributed mode, without Docker.
#   scripts/local-services.sh start STATE_DIR   -> prints the export lines for the endpoints
#   scripts/local-services.sh stop STATE_DIR
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CMD=${1:?start|stop}; W=${2:?state dir}
AMQP_PORT=${MERFACTORY_AMQP_PORT:-15200}; S3_PORT=${MERFACTORY_S3_PORT:-15300}
mkdir -p "$W/rmq/home" "$W/s3"
rmq_env() { env HOME="$W/rmq/home" RABBITMQ_NODENAME=merfactory-ci@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
  RABBITMQ_NODE_PORT="$AMQP_PORT" RABBITMQ_DIST_PORT=$((AMQP_PORT+1)) ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT=$((AMQP_PORT+2)) \
  RABBITMQ_MNESIA_BASE="$W/rmq/mnesia" RABBITMQ_LOG_BASE="$W/rmq/log" RABBITMQ_CONFIG_FILE="$W/rmq/rabbitmq.conf" \
  RABBITMQ_ENABLED_PLUGINS_FILE="$W/rmq/enabled_plugins" RABBITMQ_PID_FILE="$W/rmq/rabbit.pid" \
  RABBITMQ_CONF_ENV_FILE="$W/rmq/empty" RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}' "$@"; }
case "$CMD" in
  start)
    touch "$W/rmq/empty"; echo '[].' > "$W/rmq/enabled_plugins"
    printf 'listeners.tcp.default = 127.0.0.1:%s\nloopback_users = none\n' "$AMQP_PORT" > "$W/rmq/rabbitmq.conf"
    rmq_env /usr/lib/rabbitmq/bin/rabbitmq-server > "$W/rmq.out" 2>&1 &
    node "$ROOT/tools/s3/server.js" --address 127.0.0.1 --port "$S3_PORT" --directory "$W/s3" --silent > "$W/s3.out" 2>&1 &
    echo $! > "$W/s3.pid"
    rmq_env /usr/lib/rabbitmq/bin/rabbitmqctl wait --timeout 120 "$W/rmq/rabbit.pid" > "$W/rmq-wait.out" 2>&1 \
      || { echo "RabbitMQ did not start; see $W/rmq.out" >&2; cat "$W/rmq.out" >&2; exit 1; }
    for _ in $(seq 1 50); do grep -q listening "$W/s3.out" 2>/dev/null && break; sleep 0.2; done
    grep -q listening "$W/s3.out" || { echo "s3rver did not start; see $W/s3.out" >&2; exit 1; }
    echo "export MERFACTORY_RABBITMQ=amqp://guest:guest@127.0.0.1:$AMQP_PORT"
    echo "export MERFACTORY_S3_ENDPOINT=http://127.0.0.1:$S3_PORT"
    ;;
  stop)
    rmq_env /usr/lib/rabbitmq/bin/rabbitmqctl stop > /dev/null 2>&1 || true
    [ -f "$W/s3.pid" ] && kill "$(cat "$W/s3.pid")" 2>/dev/null || true
    # epmd -daemon outlives the broker: stop the one on our port.
    EPMD_PID=$(ss -ltnpH "sport = :$((AMQP_PORT+2))" 2>/dev/null | grep -oP 'pid=\K\d+' | head -1 || true)
    [ -n "${EPMD_PID:-}" ] && kill "$EPMD_PID" 2>/dev/null || true
    ;;
esac
