#!/usr/bin/env bash
# A local single-node Apache Kafka 4.3.1 (KRaft) for tests and development.
#
#   deploy/kafka/kafka.sh start  [DATA_DIR]   fetch the jars once, format storage once, start, wait
#   deploy/kafka/kafka.sh stop   [DATA_DIR]   SIGTERM, then SIGKILL after KAFKA_STOP_TIMEOUT s
#   deploy/kafka/kafka.sh status [DATA_DIR]   running and answering, or not (exit code 0/1)
#   deploy/kafka/kafka.sh fetch               only resolve the jars into deploy/kafka/libs
#
# DATA_DIR defaults to ./.xuncha/kafka. Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT
# (9093), KAFKA_HEAP_OPTS (-Xms256m -Xmx512m), KAFKA_START_TIMEOUT (90), KAFKA_STOP_TIMEOUT (30),
# PYTHON (a Python with kafka-python; default: the project's .venv).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
ACTION="${1:-status}"
DATA_DIR="$(mkdir -p "${2:-$ROOT/.xuncha/kafka}" && cd "${2:-$ROOT/.xuncha/kafka}" && pwd)"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
LIBS="$HERE/libs"
PID_FILE="$DATA_DIR/kafka.pid"
CONFIG="$DATA_DIR/server.properties"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON=python3

fetch() {
    # Resolve the jars once; again only when the pom changes. Concurrent runs wait on a lock.
    local stamp="$LIBS/.pom.sha256" sum
    sum="$(sha256sum "$HERE/pom.xml" | cut -d' ' -f1)"
    [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && return 0
    mkdir -p "$LIBS"
    exec 9>"$LIBS/.lock"
    flock 9
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
        echo "kafka.sh: resolving the broker jars with Maven (once)" >&2
        rm -f "$LIBS"/*.jar
        (cd "$HERE" && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime \
            -DoutputDirectory=libs)
        echo "$sum" >"$stamp"
    fi
    flock -u 9
}

running_pid() {
    [ -f "$PID_FILE" ] || return 1
    local pid
    pid="$(cat "$PID_FILE")"
    # Alive, not a zombie, and still the broker (not a reused pid).
    kill -0 "$pid" 2>/dev/null || return 1
    [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != "Z" ] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka' || return 1
    echo "$pid"
}

answers() {
    "$PYTHON" - "$PORT" <<'PY' >/dev/null 2>&1
import socket, sys
port = int(sys.argv[1])
socket.create_connection(("127.0.0.1", port), timeout=2).close()
from kafka import KafkaAdminClient
admin = KafkaAdminClient(bootstrap_servers=f"127.0.0.1:{port}", request_timeout_ms=5000,
                         client_id="xuncha-kafka-sh")
try:
    cluster = admin.describe_cluster()
    assert cluster.get("brokers"), cluster
finally:
    admin.close()
PY
}

write_config() {
    cp "$HERE/server.properties" "$CONFIG"
    cat >>"$CONFIG" <<CFG

# ---- this run (written by kafka.sh; later keys win) ----
log.dirs=$DATA_DIR/data
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
controller.quorum.bootstrap.servers=127.0.0.1:$CONTROLLER_PORT
CFG
}

java_run() {
    # shellcheck disable=SC2086
    java ${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m} -XX:+UseG1GC -Djava.awt.headless=true \
        -Dlog4j2.configurationFile="$HERE/log4j2.xml" -Dkafka.logs.dir="$DATA_DIR/logs" \
        -cp "$LIBS/*" "$@"
}

start() {
    if pid="$(running_pid)"; then
        echo "kafka.sh: already running (pid $pid) on 127.0.0.1:$PORT"
        return 0
    fi
    fetch
    mkdir -p "$DATA_DIR/logs"
    write_config
    if [ ! -f "$DATA_DIR/data/meta.properties" ]; then
        local cluster_id
        cluster_id="$(java_run kafka.tools.StorageTool random-uuid | tail -1)"
        java_run kafka.tools.StorageTool format --standalone -t "$cluster_id" -c "$CONFIG" \
            >"$DATA_DIR/logs/format.log" 2>&1 || { cat "$DATA_DIR/logs/format.log" >&2; exit 1; }
    fi
    # Its own session: a Ctrl-C in the caller's terminal does not reach the broker.
    # shellcheck disable=SC2086
    setsid nohup java ${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m} -XX:+UseG1GC \
        -Djava.awt.headless=true -Dlog4j2.configurationFile="$HERE/log4j2.xml" \
        -Dkafka.logs.dir="$DATA_DIR/logs" -cp "$LIBS/*" kafka.Kafka "$CONFIG" \
        >"$DATA_DIR/logs/stdout.log" 2>&1 </dev/null &
    echo $! >"$PID_FILE"
    local deadline=$((SECONDS + ${KAFKA_START_TIMEOUT:-90}))
    until answers; do
        if ! running_pid >/dev/null; then
            echo "kafka.sh: the broker exited; last lines of its logs:" >&2
            tail -n 30 "$DATA_DIR/logs/stdout.log" "$DATA_DIR/logs/server.log" >&2 || true
            exit 1
        fi
        if [ $SECONDS -ge $deadline ]; then
            echo "kafka.sh: the broker did not answer in time" >&2
            stop
            exit 1
        fi
        sleep 0.5
    done
    echo "kafka.sh: running (pid $(cat "$PID_FILE")) on 127.0.0.1:$PORT, data in $DATA_DIR"
}

stop() {
    local pid
    if ! pid="$(running_pid)"; then
        echo "kafka.sh: not running"
        rm -f "$PID_FILE"
        return 0
    fi
    kill -TERM "$pid"
    local deadline=$((SECONDS + ${KAFKA_STOP_TIMEOUT:-30}))
    while running_pid >/dev/null; do
        if [ $SECONDS -ge $deadline ]; then
            echo "kafka.sh: no exit after SIGTERM; sending SIGKILL" >&2
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.2
    done
    rm -f "$PID_FILE"
    echo "kafka.sh: stopped"
}

status() {
    if pid="$(running_pid)"; then
        if answers; then
            echo "kafka.sh: running (pid $pid) and answering on 127.0.0.1:$PORT"
            return 0
        fi
        echo "kafka.sh: process $pid runs but the broker does not answer on 127.0.0.1:$PORT"
        return 1
    fi
    echo "kafka.sh: not running"
    return 1
}

case "$ACTION" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    fetch) fetch ;;
    *) echo "usage: $0 start|stop|status|fetch [DATA_DIR]" >&2; exit 2 ;;
esac
