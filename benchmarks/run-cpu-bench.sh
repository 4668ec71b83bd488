#!/usr/bin/env bash
# benchmarks/run-cpu-bench.sh - guest instructions per second of the interpreter
# on the cpuwork guest, beside the same C code compiled natively (32-bit, same
# flags) and run on this machine's CPU in the same session.
#
#   benchmarks/run-cpu-bench.sh            # JMH: 4 warm-up + 6 measured iterations, then 20 native runs
#   JMH_ARGS="-wi 2 -i 3" benchmarks/run-cpu-bench.sh   # a quicker, noisier run
#
# Prints a table: ms per cpuwork run, ns per guest instruction, millions of
# guest instructions per second, and the slowdown against native.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../bin/find-jdk.sh
. "$ROOT/bin/find-jdk.sh"
JDK="$(find_jdk)"
[ -n "$JDK" ] || { echo "run-cpu-bench: needs a JDK $MIN_JAVA or newer (set JAVA_HOME)" >&2; exit 1; }

JAR="$ROOT/benchmarks/target/benchmarks.jar"
NATIVE="$ROOT/services/target/native/cpuwork"
if [ ! -f "$JAR" ] || [ ! -x "$NATIVE" ]; then
  echo "run-cpu-bench: building (mvn -q -B -DskipTests install)..." >&2
  (cd "$ROOT" && JAVA25_HOME="$JDK" mvn -q -B -DskipTests install >&2)
fi

out="$(mktemp)"
trap 'rm -f "$out"' EXIT
# shellcheck disable=SC2086
# The forks get the JVM options ./yakima runs guests with (bin/jvm-options).
"$JDK/bin/java" -jar "$JAR" CpuWorkloadBenchmark -jvmArgsAppend "$(jvm_options "$ROOT/bin/jvm-options")" ${JMH_ARGS:-} -rf text -rff "$out.jmh" | tee "$out" >&2
insns="$(sed -n 's/^guest-instructions-per-run: //p' "$out" | tail -n 1)"
# The result line: "CpuWorkloadBenchmark.cpuwork  avgt  6  1306.1 ± 12.3  ms/op" (no error column for 1 iteration)
line="$(grep -E '^CpuWorkloadBenchmark\.cpuwork +avgt' "$out" | tail -n 1)"
score="$(echo "$line" | awk '{print $4}')"
err="$(echo "$line" | awk '{print ($5 == "±") ? $6 : 0}')"
rm -f "$out.jmh"

# Native: the same sources, same -O2 -march=i386 flags, linked for Linux; best of 20 runs.
best=""
for _ in $(seq 20); do
  t0=$(date +%s%N); "$NATIVE" >/dev/null; t1=$(date +%s%N)
  ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e6 }')
  if [ -z "$best" ] || awk -v x="$ms" -v y="$best" 'BEGIN { exit !(x < y) }'; then best="$ms"; fi
done

awk -v ms="$score" -v err="$err" -v n="$insns" -v nat="$best" 'BEGIN {
  ns = ms * 1e6 / n; mips = n / (ms * 1e3); nns = nat * 1e6 / n; nmips = n / (nat * 1e3);
  printf "\ncpuwork: %d guest instructions per run\n\n", n;
  printf "| engine | ms per run | ns per instruction | M instructions/s | vs native |\n";
  printf "|---|---:|---:|---:|---:|\n";
  printf "| Yakima interpreter (JMH, +/- %.0f ms) | %.1f | %.2f | %.0f | %.1fx slower |\n", err, ms, ns, mips, ms / nat;
  printf "| native i386 (best of 20) | %.1f | %.3f | %.0f | 1.0x |\n", nat, nns, nmips;
}'
