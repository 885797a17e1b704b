#!/usr/bin/env bash
# Fetches the Apache Kafka broker jars (pom.xml) from Maven Central into
# $PARLEY_KAFKA_HOME/libs (default <repo>/.kafka/libs). Idempotent: skips when
# a previous fetch completed. Prints nothing on success except timing on stderr.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
home="${PARLEY_KAFKA_HOME:-$root/.kafka}"
libs="$home/libs"
if [ -f "$libs/.complete" ]; then exit 0; fi
command -v mvn >/dev/null || { echo "fetch.sh: Maven (mvn) is required: apt-get install maven" >&2; exit 1; }
command -v java >/dev/null || { echo "fetch.sh: Java 17+ is required: apt-get install openjdk-17-jre-headless" >&2; exit 1; }
mkdir -p "$home"
# Copy into a scratch folder first so an interrupted fetch never looks complete.
tmp="$(mktemp -d "$home/libs.tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
started=$SECONDS
mvn -q -B -Dstyle.color=never -f "$here/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" >&2
rm -rf "$libs"
mv "$tmp" "$libs"
touch "$libs/.complete"
echo "fetch.sh: Kafka jars in $libs ($((SECONDS - started)) s)" >&2
