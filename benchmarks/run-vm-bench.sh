#!/usr/bin/env bash
# benchmarks/run-vm-bench.sh - the VMM's three Denali figures, measured with JMH:
#
#   VmSwitchBenchmark      VM-to-VM switch time with 1, 1,000, 10,000 and 100,000 resident
#                          VMs (yielder guests, one scheduler thread driven by hand), and
#                          100,000 again after a full GC (-p gc=full)
#   VmCreateBenchmark      creating a VM (hello-sleeper, 1 MiB) from an image already parsed
#   VmIdleMemoryBenchmark  host heap per idle VM, over 10,000 hello-sleepers, beside the
#                          VMM's own accounting (Host.memory())
#
#   benchmarks/run-vm-bench.sh           # about 2 minutes on a 2-core machine
#   NO_BUILD=1 benchmarks/run-vm-bench.sh                       # use the jar as built
#   SWITCH_ARGS="-f 1 -wi 2 -i 3" CREATE_ARGS="-f 1 -wi 2 -i 3" benchmarks/run-vm-bench.sh
#                                        # quicker, noisier (these replace the defaults below)
#
# The forks get the JVM options ./yakima runs guests with (bin/jvm-options) in
# front of each benchmark's own (its heap size). Prints the JMH output, then a
# table against the targets. The figures are sensitive to other load on the
# machine: the load average is printed before and after.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../bin/find-jdk.sh
. "$ROOT/bin/find-jdk.sh"
JDK="$(find_jdk)"
[ -n "$JDK" ] || { echo "run-vm-bench: needs a JDK $MIN_JAVA or newer (set JAVA_HOME)" >&2; exit 1; }

JAR="$ROOT/benchmarks/target/benchmarks.jar"
if [ -z "${NO_BUILD:-}" ] || [ ! -f "$JAR" ]; then
  echo "run-vm-bench: building (mvn -q -B -DskipTests package -pl benchmarks -am)..." >&2
  (cd "$ROOT" && JAVA25_HOME="$JDK" mvn -q -B -DskipTests package -pl benchmarks -am >&2)
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
opts="$(jvm_options "$ROOT/bin/jvm-options")"
load() { awk '{ print $1, $2, $3 }' /proc/loadavg 2>/dev/null || echo "?"; }
load_before="$(load)"

# run NAME CSV [JMH options...]
run() {
  local name="$1" csv="$2"
  shift 2
  "$JDK/bin/java" -jar "$JAR" "$name" -jvmArgsPrepend "$opts" "$@" -rf csv -rff "$csv" >&2
}
# shellcheck disable=SC2086
run VmSwitchBenchmark "$out/switch.csv" ${SWITCH_ARGS:--f 2 -wi 3 -i 5}
# ...and 100,000 VMs again after a full (compacting) collection: see gc in VmSwitchBenchmark
# shellcheck disable=SC2086
run VmSwitchBenchmark "$out/switch-gc.csv" -p vms=100000 -p gc=full ${SWITCH_ARGS:--f 2 -wi 3 -i 5}
# shellcheck disable=SC2086
run VmCreateBenchmark "$out/create.csv" ${CREATE_ARGS:--f 2 -wi 3 -i 5}
run VmIdleMemoryBenchmark "$out/memory.csv"
load_after="$(load)"

# Score and error of a row of a JMH CSV (CRLF lines): "Benchmark","Mode",Threads,Samples,Score,Error,"Unit"[,params...]
# row CSV BENCHMARK-SUFFIX [PARAM-VALUE]  ->  "score error"
row() {
  awk -F, -v b="$2" -v p="${3:-}" '{ gsub(/["\r]/, "") }
    $1 ~ ("\\." b "$") && (p == "" || $NF == p) { e = ($6 == "NaN") ? 0 : $6; print $5, e; exit }' "$1"
}
fmt() { awk -v s="$1" -v e="$2" -v d="$3" 'BEGIN { printf "%." d "f ± %." d "f", s, e }'; }

echo
echo "Load average (1, 5, 15 min) before: $load_before; after: $load_after"
echo
echo "| figure | target | measured (JMH) |"
echo "|---|---:|---:|"
for n in 1 1000 10000 100000; do
  read -r s e <<<"$(row "$out/switch.csv" switchToNextVm "$n")"
  printf "| VM-to-VM switch, %'d resident VM%s | ≤ 100 ns | %s ns |\n" "$n" "$([ "$n" = 1 ] || echo s)" "$(fmt "$s" "$e" 0)"
done
read -r s e <<<"$(row "$out/switch-gc.csv" switchToNextVm 100000)"
printf "| ... 100000 resident VMs, after a full GC (System.gc()) | ≤ 100 ns | %s ns |\n" "$(fmt "$s" "$e" 0)"
read -r s e <<<"$(row "$out/create.csv" create)"
printf "| create a VM from a loaded image (hello-sleeper, 1 MiB) | ≤ 50 µs | %s µs |\n" "$(fmt "$s" "$e" 2)"
m() { row "$out/memory.csv" "bootTenThousandIdle:$1" | awk '{ print $1 }'; }
heap="$(m heapBytesPerVm)"
printf "| host memory per idle VM (10,000 hello-sleepers, heap growth) | ≤ 64 KiB | %.0f bytes (%.1f KiB) |\n" \
  "$heap" "$(awk -v h="$heap" 'BEGIN { print h / 1024 }')"
echo
echo "Memory per idle VM, measured against the VMM's accounting (Host.memory(), MemoryAccounting):"
echo
echo "| bytes per VM | measured | accounted |"
echo "|---|---:|---:|"
printf "| total | %.0f | %.0f |\n" "$heap" "$(m accountedBytesPerVm)"
printf "| private pages | - | %.0f |\n" "$(m accountedPrivate)"
printf "| page tables | - | %.0f |\n" "$(m accountedTables)"
printf "| bookkeeping (total - private - tables) | %.0f | %.0f |\n" "$(m bookkeepingMeasured)" "$(m accountedBookkeeping)"
printf "\nBoot (create + first quantum to IDLE): %.1f µs per VM\n" "$(m bootUsPerVm)"
