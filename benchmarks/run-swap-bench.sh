#!/usr/bin/env bash
# benchmarks/run-swap-bench.sh - swapping, measured through the front door:
#
#   Part 1, latency: a host of LAT_VMS httpd VMs (one booted, the rest clones
#   of its template) with a budget that holds about 100 of them. After a
#   warm-up (3,000 requests to vm-1, then one to each of up to SAMPLE other
#   clones than the sample's, so the swap paths are compiled too), time to the
#   first response byte (benchmarks/ttfb.py: one connection per request, one
#   at a time) for
#     resident   - the same VM again and again (the peer: no swapping at all)
#     template   - SAMPLE clones never run before, each built from the template
#                  record and serving its first response (template boot)
#     warm       - the same SAMPLE VMs again, each swapped out since (the budget
#                  holds 100) and brought back from its own record, in the page cache
#     cold       - again, after the page cache is dropped (needs root)
#   then bytes on disk per swapped idle httpd.
#   Part 2, scale: a host of SCALE_VMS registered httpd VMs (--memory 2g):
#   time to register them, requests to RANDOM randomly chosen VMs, the
#   process's memory, heap per stub (from the JVM's class histogram) and disk.
#   Part 3, Zipf: a host of ZIPF_VMS VMs (--memory 2g), ZIPF curl requests to
#   VMs drawn from a Zipf(1.0) law, each must answer 200.
#
#   benchmarks/run-swap-bench.sh                  # about 4 minutes
#   SCALE_VMS=0 ZIPF_VMS=0 benchmarks/run-swap-bench.sh   # latency only
#
# Needs curl and python3. The machine is shared: trust the ratio to the
# resident peer, measured in the same run, more than absolute figures.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LAT_VMS="${LAT_VMS:-3000}"
SAMPLE="${SAMPLE:-1000}"
SCALE_VMS="${SCALE_VMS:-1000000}"
RANDOM_REQUESTS="${RANDOM_REQUESTS:-2000}"
ZIPF_VMS="${ZIPF_VMS:-100000}"
ZIPF="${ZIPF:-1000}"
TTFB="$ROOT/benchmarks/ttfb.py"

die() { echo "run-swap-bench: $*" >&2; exit 1; }
command -v curl >/dev/null || die "needs curl (apt-get install curl)"
command -v python3 >/dev/null || die "needs python3"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
load() { awk '{ print $1, $2, $3 }' /proc/loadavg 2>/dev/null || echo "?"; }

work="$(mktemp -d)"
pid=""
stop_host() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=""
  fi
}
cleanup() { stop_host; rm -rf "$work"; }
trap cleanup EXIT

# start_host NAME ARGS...: a host with its own swap folder, front door and admin ports
start_host() {
  local name="$1"; shift
  HPORT="$(free_port)"; APORT="$(free_port)"
  SWAP="$work/$name-swap"; mkdir -p "$SWAP"
  "$ROOT/yakima" host --image httpd --http-port "$HPORT" --admin-port "$APORT" --swap-dir "$SWAP" "$@" \
      >"$work/$name.out" 2>"$work/$name.err" &
  pid=$!
  for _ in $(seq 1 600); do
    # every VM registered (the front door opens before the clones are), and vm-1 answering
    grep -q " booted in " "$work/$name.err" 2>/dev/null \
      && curl -sf -o /dev/null -H "Host: vm1.denali" "http://127.0.0.1:$HPORT/small" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$work/$name.err" >&2; die "yakima host exited"; }
    sleep 0.5
  done
  die "the host did not answer in 5 minutes"
}
counter() { curl -sf "http://127.0.0.1:$APORT/v1/host" | python3 -c "import json,sys; print(json.load(sys.stdin)['counters'].get('$1', 0))"; }
booted_ms() { sed -n 's/.* booted in \([0-9.]*\) ms.*/\1/p' "$work/$1.err" | head -1; }
repeat() { seq "$1" | sed "s/.*/$2/"; }
rss_mib() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$(pgrep -f -n "yakima.cli.YakimaCli.*--admin-port $APORT")/status"; }

echo "run-swap-bench: load before: $(load)" >&2
declare -A R

# ---------------------------------------------------------------- part 1: latency
echo "run-swap-bench: part 1: $LAT_VMS httpd VMs, a budget for about 100..." >&2
start_host lat --vms "$LAT_VMS" --memory 4m
# let the JIT compile the paths: a resident VM's, then swap-ins and swap-outs of other clones than the sample's
repeat 3000 1 | python3 "$TTFB" "$HPORT" - --label warmup >/dev/null
seq $((SAMPLE + 2)) $((LAT_VMS < 2 * SAMPLE + 1 ? LAT_VMS : 2 * SAMPLE + 1)) | python3 "$TTFB" "$HPORT" - --label warmup >/dev/null
seq 2 $((SAMPLE + 1)) > "$work/sample"                                       # clones never run
R[resident]="$(repeat 2000 1 | python3 "$TTFB" "$HPORT" - --label resident)"
in0="$(counter swapIns)"
R[template]="$(python3 "$TTFB" "$HPORT" "$work/sample" --label template)"
in1="$(counter swapIns)"
R[warm]="$(python3 "$TTFB" "$HPORT" "$work/sample" --label warm)"
in2="$(counter swapIns)"
if [ -w /proc/sys/vm/drop_caches ]; then
  sync; echo 3 > /proc/sys/vm/drop_caches
  R[cold]="$(python3 "$TTFB" "$HPORT" "$work/sample" --label cold)"
else
  R[cold]="cold skipped: dropping the page cache needs root"
fi
in3="$(counter swapIns)"
drops="$(curl -sf "http://127.0.0.1:$APORT/v1/host" | python3 -c "import json,sys; c=json.load(sys.stdin)['counters']; print(' '.join(f'{k}={v}' for k, v in c.items() if v and any(w in k for w in ('Drop', 'Retrans', 'Unresolved', 'Failure', 'TakenBack', 'Timeout', 'Refused'))))")"
outs="$(counter swapOuts)"; written="$(counter swapBytesWritten)"
records="$(counter swapStoreRecords)"; used="$(counter swapStoreUsedBytes)"
stop_host
echo "${R[resident]}"; echo "${R[template]} (swap-ins $((in1 - in0)))"; echo "${R[warm]} (swap-ins $((in2 - in1)))"
echo "${R[cold]} (swap-ins $((in3 - in2)))"
echo "drops, retransmissions and failures: ${drops:-none}"
echo "records: $outs swap-outs wrote $written bytes; the store holds $records records in $used bytes"

# ---------------------------------------------------------------- part 2: scale
if [ "$SCALE_VMS" -gt 0 ]; then
  echo "run-swap-bench: part 2: $SCALE_VMS registered httpd VMs, --memory 2g..." >&2
  start_host scale --vms "$SCALE_VMS" --memory 2g
  scale_boot="$(booted_ms scale)"
  python3 -c "import random; random.seed(11); print('\n'.join(str(random.randint(1, $SCALE_VMS)) for _ in range($RANDOM_REQUESTS)))" > "$work/random"
  R[random]="$(python3 "$TTFB" "$HPORT" "$work/random" --label random)"
  scale_rss="$(rss_mib)"
  hpid="$(pgrep -f -n "yakima.cli.YakimaCli.*--admin-port $APORT")"
  JCMD="$(dirname "$(readlink -f "/proc/$hpid/exe")")/jcmd"
  "$JCMD" "$hpid" GC.class_histogram > "$work/histo" 2>/dev/null || true
  per_stub="$(python3 - "$work/histo" <<'EOF'
import sys
rows = {}
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) >= 4 and f[0].endswith(':'):
        rows[f[3]] = (int(f[1]), int(f[2]))
def get(k): return rows.get(k, (0, 0))
stubs, stub_bytes = get('yakima.swap.VmStub')
index = sum(get(k)[1] for k in ('java.util.concurrent.ConcurrentHashMap$Node', 'java.lang.Integer',
                                '[Ljava.util.concurrent.ConcurrentHashMap$Node;'))
total = sum(b for _, b in rows.values())
print(f"{stubs} stubs: {stub_bytes / max(stubs, 1):.0f} B each + index {index / max(stubs, 1):.0f} B"
      f" = {(stub_bytes + index) / max(stubs, 1):.0f} B per stub (every map node, Integer and table counted); "
      f"live heap {total / 2**20:.0f} MiB")
EOF
)"
  scale_disk="$(du -sk "$SWAP" | cut -f1)"
  stop_host
  echo "scale: $SCALE_VMS VMs booted and registered in $scale_boot ms; ${R[random]}; RSS $scale_rss MiB; swap folder $scale_disk KiB"
  echo "heap: $per_stub"
fi

# ---------------------------------------------------------------- part 3: Zipf with curl
if [ "$ZIPF_VMS" -gt 0 ]; then
  echo "run-swap-bench: part 3: $ZIPF_VMS httpd VMs, --memory 2g, $ZIPF curl requests spread by Zipf(1.0)..." >&2
  start_host zipf --vms "$ZIPF_VMS" --memory 2g
  python3 - "$ZIPF_VMS" "$ZIPF" > "$work/zipf" <<'EOF'
import bisect, itertools, random, sys
n, k = int(sys.argv[1]), int(sys.argv[2])
random.seed(5)
cum = list(itertools.accumulate(1.0 / r for r in range(1, n + 1)))
ranks = list(range(1, n + 1)); random.shuffle(ranks)   # popularity is not id order
for _ in range(k):
    print(ranks[bisect.bisect_left(cum, random.random() * cum[-1])])
EOF
  ok=0; fail=0
  start_ns="$(date +%s%N)"
  while read -r id; do
    code="$(curl -s -o /dev/null -w '%{http_code}' -H "Host: vm$id.denali" "http://127.0.0.1:$HPORT/small" || true)"
    if [ "$code" = 200 ]; then ok=$((ok + 1)); else fail=$((fail + 1)); echo "zipf: vm$id answered $code" >&2; fi
  done < "$work/zipf"
  secs="$(( ($(date +%s%N) - start_ns) / 1000000 ))"
  distinct="$(sort -u "$work/zipf" | wc -l)"
  zipf_boot="$(booted_ms zipf)"; zipf_ins="$(counter swapIns)"; zipf_rss="$(rss_mib)"
  stop_host
  echo "zipf: $ZIPF_VMS VMs booted in $zipf_boot ms; $ZIPF curl requests to $distinct distinct VMs in $secs ms: $ok answered 200, $fail failed; $zipf_ins swap-ins; RSS $zipf_rss MiB"
fi

echo "run-swap-bench: load after: $(load)" >&2
python3 - "${R[resident]}" "${R[template]}" "${R[warm]}" "${R[cold]}" <<'EOF'
import re, sys
def f(s, k):
    m = re.search(k + r'=([0-9.]+)ms', s)
    return float(m.group(1)) if m else None
res = sys.argv[1]
print()
print("| first response byte | p50 ms | p99 ms | p50 / resident |")
print("|---|---|---|---|")
for name, s in zip(("resident VM (peer)", "template clone, first request", "swapped out, record warm", "swapped out, page cache dropped"), sys.argv[1:]):
    p50, p99 = f(s, 'p50'), f(s, 'p99')
    if p50 is None:
        print(f"| {name} | - | - | - |")
    else:
        print(f"| {name} | {p50:.2f} | {p99:.2f} | {p50 / f(res, 'p50'):.2f} |")
EOF
