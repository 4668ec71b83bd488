#!/usr/bin/env bash
# benchmarks/run-eviction-policies.sh - which VMs the gatekeeper swaps out, by
# simulation (EvictionPolicies): Zipf-distributed requests over VMS VMs played
# against a memory that holds 1%, 5% or 20% of them, for CLOCK as Host does it
# (batched down to 15/16), CLOCK one at a time, exact LRU, FIFO and random.
# Prints swap-ins per 1,000 requests (the figures are in docs/swap.md).
#
#   benchmarks/run-eviction-policies.sh                 # 100,000 VMs, 4,000,000 requests: about 30 s
#   NO_BUILD=1 benchmarks/run-eviction-policies.sh 1000000 8000000
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../bin/find-jdk.sh
. "$ROOT/bin/find-jdk.sh"
JDK="$(find_jdk)"
[ -n "$JDK" ] || { echo "run-eviction-policies: needs a JDK $MIN_JAVA or newer (set JAVA_HOME)" >&2; exit 1; }

JAR="$ROOT/benchmarks/target/benchmarks.jar"
if [ -z "${NO_BUILD:-}" ] || [ ! -f "$JAR" ]; then
  echo "run-eviction-policies: building (mvn -q -B -DskipTests package -pl benchmarks -am)..." >&2
  (cd "$ROOT" && JAVA25_HOME="$JDK" mvn -q -B -DskipTests package -pl benchmarks -am >&2)
fi
# shellcheck disable=SC2046
"$JDK/bin/java" $(jvm_options "$ROOT/bin/jvm-options") -cp "$JAR" yakima.bench.EvictionPolicies "$@"
