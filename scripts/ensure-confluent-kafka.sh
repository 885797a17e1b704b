#!/usr/bin/env bash
# Makes sure @confluentinc/kafka-javascript (librdkafka bindings), the other Kafka client the `kafka-clients`
# benchmark measures beside @platformatic/kafka (bench/src/kafka-clients/), is installed under
# .tools/confluent-kafka/<version>, and prints that folder (the only thing on stdout). Not a dependency of
# Parley: only that benchmark loads it. Built from the registry package's own sources (librdkafka is bundled
# in it): `npm_config_build_from_source` stops node-pre-gyp from downloading a prebuilt binary, and
# CKJS_LINKING=dynamic makes librdkafka's configure use what the system has instead of downloading zlib,
# OpenSSL, zstd and curl sources (it fails here without internet). Idempotent; about 3–4 minutes of two cores.
#   bash scripts/ensure-confluent-kafka.sh
set -euo pipefail
cd "$(dirname "$0")/.."
version=1.10.1
dir="$PWD/.tools/confluent-kafka/$version"
addon="$dir/node_modules/@confluentinc/kafka-javascript/build/Release/confluent-kafka-javascript.node"
if [ ! -f "$addon" ]; then
  echo "[parley] building @confluentinc/kafka-javascript $version and its librdkafka (first time only, a few minutes)…" >&2
  # Into a temporary folder, then renamed, so an interrupted build never passes the check above.
  rm -rf "$dir.partial"
  mkdir -p "$dir.partial"
  echo '{"name":"parley-confluent-kafka","private":true}' >"$dir.partial/package.json"
  (cd "$dir.partial" && CKJS_LINKING=dynamic npm_config_build_from_source=true \
    npm install --no-audit --no-fund --no-save "@confluentinc/kafka-javascript@$version" >&2)
  rm -rf "$dir"
  mv "$dir.partial" "$dir"
fi
echo "$dir"
