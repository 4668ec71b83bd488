#!/usr/bin/env bash
# benchmarks/run-record-codecs.sh - which compression the swap record's pages
# get, by measurement (RecordCodecs; the figures are in docs/swap-record.md):
#
#   an httpd VM (8 MiB) is booted and left to settle to IDLE on a host turned by
#   hand; its private pages (page 0 included, 4 KiB each) are compressed as one
#   stream by each candidate: zero runs elided and nothing else, lz4 (lz4-java's
#   pure-Java safe instance), zstd levels 1 and 3 (zstd-jni, native), deflate
#   levels 1 and 6 (java.util.zip), and deflate level 1 page by page. Then the
#   same for an httpd that has served the httpget guest (/, /small, /large).
#   Each table ends with the whole record as RecordWriter writes it.
#
#   benchmarks/run-record-codecs.sh            # about 10 seconds
#   NO_BUILD=1 benchmarks/run-record-codecs.sh # use the jar as built
#   benchmarks/run-record-codecs.sh echo 1048576   # another image and memory size
#
# Prints, per codec: compressed bytes, and the median wall time to encode and to
# decode all the pages (5,000 runs after 5,000 of warm-up, one thread, each
# codec's context reused).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../bin/find-jdk.sh
. "$ROOT/bin/find-jdk.sh"
JDK="$(find_jdk)"
[ -n "$JDK" ] || { echo "run-record-codecs: needs a JDK $MIN_JAVA or newer (set JAVA_HOME)" >&2; exit 1; }

JAR="$ROOT/benchmarks/target/benchmarks.jar"
if [ -z "${NO_BUILD:-}" ] || [ ! -f "$JAR" ]; then
  echo "run-record-codecs: building (mvn -q -B -DskipTests package -pl benchmarks -am)..." >&2
  (cd "$ROOT" && JAVA25_HOME="$JDK" mvn -q -B -DskipTests package -pl benchmarks -am >&2)
fi
# shellcheck disable=SC2046
"$JDK/bin/java" $(jvm_options "$ROOT/bin/jvm-options") -cp "$JAR" yakima.bench.RecordCodecs "$@"
