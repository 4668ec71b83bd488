#!/usr/bin/env bash
# benchmarks/run-adoption.sh - how long a host takes to start on a swap store
# that holds N VMs (AdoptionTime; the figures are in docs/swap.md):
#
#   fills DIR with N records of an idle httpd (ids 1..N, the store's layout),
#   then, three times: opens the store (a stat per record) and enables
#   swapping on a new host, which adopts every record (each one read and
#   summarized, a stub each); prints both times and the heap the stubs take.
#
#   benchmarks/run-adoption.sh /var/tmp/adopt-1m 1000000   # ~4 GiB of disk, a few minutes to fill
#   NO_BUILD=1 benchmarks/run-adoption.sh DIR N             # use the jar as built
#
# An existing DIR that holds exactly N records is reused; remove it afterwards.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../bin/find-jdk.sh
. "$ROOT/bin/find-jdk.sh"
JDK="$(find_jdk)"
[ -n "$JDK" ] || { echo "run-adoption: needs a JDK $MIN_JAVA or newer (set JAVA_HOME)" >&2; exit 1; }
[ $# -ge 2 ] || { echo "usage: benchmarks/run-adoption.sh DIR N [RUNS]" >&2; exit 2; }

JAR="$ROOT/benchmarks/target/benchmarks.jar"
if [ -z "${NO_BUILD:-}" ] || [ ! -f "$JAR" ]; then
  echo "run-adoption: building (mvn -q -B -DskipTests package -pl benchmarks -am)..." >&2
  (cd "$ROOT" && JAVA25_HOME="$JDK" mvn -q -B -DskipTests package -pl benchmarks -am >&2)
fi
# shellcheck disable=SC2046
"$JDK/bin/java" $(jvm_options "$ROOT/bin/jvm-options") -Xmx4g -cp "$JAR" yakima.bench.AdoptionTime "$@"
