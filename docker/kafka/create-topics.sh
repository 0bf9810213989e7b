#!/usr/bin/env bash
# One-shot topic setup for the compose stack, run in the apache/kafka image (kafka-init service).
# Idempotent: existing topics are left as they are. Settings (environment):
#   BOOTSTRAP_SERVERS     default kafka:29092
#   METRICS_PARTITIONS    partitions of metrics, anomaly-scores and anomaly-alerts (default 3)
#   MODEL_MAX_BYTES       max.message.bytes of anomaly-models (default 65 MiB: a 64 MiB bundle
#                         plus its record overhead)
# Then waits until every partition answers a ListOffsets request: producing right after a topic
# is created can lose records (KAFKA-15591, see DESIGN.md).
set -euo pipefail

bin="${KAFKA_HOME:-/opt/kafka}/bin"
bootstrap="${BOOTSTRAP_SERVERS:-kafka:29092}"
partitions="${METRICS_PARTITIONS:-3}"
model_bytes="${MODEL_MAX_BYTES:-68157440}"

create() {
  local topic="$1" count="$2"
  shift 2
  "$bin/kafka-topics.sh" --bootstrap-server "$bootstrap" --create --if-not-exists \
    --topic "$topic" --partitions "$count" --replication-factor 1 "$@"
}

create metrics "$partitions"
create anomaly-scores "$partitions"
create anomaly-alerts "$partitions"
create anomaly-dead-letters "$partitions"
# The trainer creates the models topic too if it is missing; the scorer only reads it.
create anomaly-models 1 --config cleanup.policy=compact --config "max.message.bytes=$model_bytes"

for topic in metrics anomaly-scores anomaly-alerts anomaly-dead-letters anomaly-models; do
  for attempt in $(seq 1 30); do
    if "$bin/kafka-get-offsets.sh" --bootstrap-server "$bootstrap" --topic "$topic" >/dev/null 2>&1; then
      break
    fi
    [ "$attempt" -lt 30 ] || { echo "topic $topic: partitions do not answer" >&2; exit 1; }
    sleep 2
  done
done
"$bin/kafka-topics.sh" --bootstrap-server "$bootstrap" --describe \
  --topic 'metrics|anomaly-.*' | grep -v '^\s*Topic:.*Partition:' || true
echo "topics ready"
