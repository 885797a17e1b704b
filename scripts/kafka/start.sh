#!/usr/bin/env bash
# Starts a single-node KRaft Apache Kafka broker for tests and local clusters.
#
#   scripts/kafka/start.sh [DIR]
#
# DIR (default: a fresh temp dir) holds server.properties, the data, kafka.pid,
# kafka.out and bootstrap. If DIR already holds a formatted broker, it is
# started again on the same ports and data (that is how restart.sh works).
# Prints the bootstrap address (host:port) on stdout once the broker answers;
# everything else goes to stderr. Also records DIR in <repo>/.kafka/current so
# stop.sh and restart.sh find it without arguments (not when PARLEY_KAFKA_RECORD_CURRENT=0:
# tests that run a private broker leave the developer's record alone).
# Env: PARLEY_KAFKA_HOME (jars, default <repo>/.kafka), PARLEY_KAFKA_HEAP
# (default 512m), PARLEY_KAFKA_START_TIMEOUT (seconds, default 90).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
home="${PARLEY_KAFKA_HOME:-$root/.kafka}"
bash "$here/fetch.sh"
mkdir -p "$home"
dir="${1:-}"
if [ -z "$dir" ]; then dir="$(mktemp -d "${TMPDIR:-/tmp}/parley-kafka-XXXXXX")"; fi
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"

if [ -f "$dir/kafka.pid" ] && kill -0 "$(cat "$dir/kafka.pid")" 2>/dev/null; then
  echo "start.sh: broker already running in $dir (pid $(cat "$dir/kafka.pid"))" >&2
  cat "$dir/bootstrap"
  exit 0
fi

if [ ! -f "$dir/server.properties" ]; then
  port="$(node "$here/free-port.mjs")"
  cport="$(node "$here/free-port.mjs")"
  while [ "$cport" = "$port" ]; do cport="$(node "$here/free-port.mjs")"; done
  cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
group.initial.rebalance.delay.ms=0
# Tests use short consumer sessions to provoke failover quickly.
group.min.session.timeout.ms=500
# Flush-on-ack is not Kafka's durability model (replication is); one broker keeps the defaults.
log.segment.bytes=67108864
PROPS
  cat >"$dir/log4j2.properties" <<'PROPS'
status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.out.ref = out
logger.kafka.name = kafka.server.KafkaRaftServer
logger.kafka.level = INFO
PROPS
  # A cluster id is 16 random bytes in URL-safe base64 without padding.
  cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  # One id in 64 starts with '-', which the storage tool takes for an option ("expected one argument").
  [ "${cluster_id:0:1}" = "-" ] && cluster_id="A${cluster_id:1}"
  echo "127.0.0.1:$port" >"$dir/bootstrap"
  java -Xmx256m -cp "$home/libs/*" -Dlog4j2.configurationFile="$dir/log4j2.properties" \
    kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" --ignore-formatted >"$dir/format.out" 2>&1 ||
    { cat "$dir/format.out" >&2; exit 1; }
fi

bootstrap="$(cat "$dir/bootstrap")"
# setsid: the broker outlives the shell that started it and gets its own process group.
setsid java -Xmx"${PARLEY_KAFKA_HEAP:-512m}" -Xms128m -XX:+UseG1GC -Djava.awt.headless=true \
  -Dlog4j2.configurationFile="$dir/log4j2.properties" -cp "$home/libs/*" \
  kafka.Kafka "$dir/server.properties" >>"$dir/kafka.out" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$dir/kafka.pid"
if [ "${PARLEY_KAFKA_RECORD_CURRENT:-1}" != 0 ]; then echo "$dir" >"$home/current"; fi

deadline=$((SECONDS + ${PARLEY_KAFKA_START_TIMEOUT:-90}))
until node "$here/ready.mjs" "$bootstrap"; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "start.sh: broker exited; last log lines:" >&2
    tail -n 30 "$dir/kafka.out" >&2
    exit 1
  fi
  if [ $SECONDS -ge $deadline ]; then
    echo "start.sh: broker did not answer within ${PARLEY_KAFKA_START_TIMEOUT:-90}s; see $dir/kafka.out" >&2
    exit 1
  fi
  sleep 0.3
done
echo "start.sh: broker pid $pid on $bootstrap, dir $dir" >&2
echo "$bootstrap"
