#!/usr/bin/env bash
# benchmarks/run-gateway-bench.sh - the gateway against nginx, in one run on one machine:
#
#   wrk against (a) one httpd VM through Yakima's HTTP front door and (b) nginx
#   serving the same 2,258-byte file (fetched from the VM, so the bytes are the
#   same), each with keep-alive and with a connection per request
#   (Connection: close); then requests spread at random over all the VMs
#   (a connection per request, since a keep-alive connection stays with its
#   first VM). Prints wrk's figures and a table with the Yakima/nginx ratios.
#
#   benchmarks/run-gateway-bench.sh                 # 1,000 VMs, 10 s per run: about 2 minutes
#   VMS=100 SECONDS_PER_RUN=5 benchmarks/run-gateway-bench.sh
#   CONNECTIONS=16 WRK_THREADS=1 NGINX_WORKERS=auto benchmarks/run-gateway-bench.sh   # the defaults
#
# Needs wrk, nginx and curl (apt-get install wrk nginx curl). The load average
# is printed before and after: the machine is shared, so trust the ratios
# (measured minutes apart) more than the absolute figures.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VMS="${VMS:-1000}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-10}"
CONNECTIONS="${CONNECTIONS:-16}"
WRK_THREADS="${WRK_THREADS:-1}"
NGINX_WORKERS="${NGINX_WORKERS:-auto}"
OBJECT="/small"

die() { echo "run-gateway-bench: $*" >&2; exit 1; }
command -v wrk >/dev/null || die "needs wrk (apt-get install wrk)"
command -v curl >/dev/null || die "needs curl (apt-get install curl)"
NGINX="$(command -v nginx || true)"
[ -n "$NGINX" ] || [ ! -x /usr/sbin/nginx ] || NGINX=/usr/sbin/nginx
[ -n "$NGINX" ] || die "needs nginx (apt-get install nginx)"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
load() { awk '{ print $1, $2, $3 }' /proc/loadavg 2>/dev/null || echo "?"; }

work="$(mktemp -d)"
yakima_pid=""
cleanup() {
  [ -z "$yakima_pid" ] || kill "$yakima_pid" 2>/dev/null || true
  [ ! -f "$work/nginx.pid" ] || kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  [ -z "$yakima_pid" ] || wait "$yakima_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

YPORT="$(free_port)"
NPORT="$(free_port)"
APORT="$(free_port)"

echo "run-gateway-bench: booting $VMS httpd VMs with the front door on 127.0.0.1:$YPORT..." >&2
"$ROOT/yakima" host --image httpd --vms "$VMS" --http-port "$YPORT" --admin-port "$APORT" \
    >"$work/yakima.out" 2>"$work/yakima.err" &
yakima_pid=$!
# wait (at most 5 minutes, building included) until the last VM answers
for _ in $(seq 1 600); do
  if curl -sf -o "$work/small" -H "Host: vm-$VMS.denali" "http://127.0.0.1:$YPORT$OBJECT" 2>/dev/null; then
    break
  fi
  kill -0 "$yakima_pid" 2>/dev/null || { cat "$work/yakima.err" >&2; die "yakima host exited"; }
  sleep 0.5
done
[ -s "$work/small" ] || { cat "$work/yakima.err" >&2; die "vm-$VMS did not answer"; }
[ "$(stat -c %s "$work/small")" = 2258 ] || die "$OBJECT is $(stat -c %s "$work/small") bytes, not 2,258"

mkdir -p "$work/www"
cp "$work/small" "$work/www/small"
chmod 755 "$work" "$work/www" && chmod 644 "$work/www/small"   # nginx's workers may run as another user
cat >"$work/nginx.conf" <<EOF
worker_processes $NGINX_WORKERS;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  default_type text/plain;
  server {
    listen 127.0.0.1:$NPORT;
    root $work/www;
  }
}
EOF
"$NGINX" -c "$work/nginx.conf" -p "$work" || die "nginx did not start"
curl -sf -o /dev/null "http://127.0.0.1:$NPORT$OBJECT" || { cat "$work/nginx-error.log" >&2; die "nginx does not serve $OBJECT"; }

cat >"$work/spread.lua" <<EOF
-- a connection per request, each to a VM picked at random
request = function()
  return wrk.format("GET", "$OBJECT", { ["Host"] = "vm-" .. math.random(1, $VMS) .. ".denali", ["Connection"] = "close" })
end
EOF

# warm up: the JIT compiles the interpreter's hot paths in the first seconds
wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d5s -H "Host: vm-1.denali" "http://127.0.0.1:$YPORT$OBJECT" >/dev/null
wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d2s "http://127.0.0.1:$NPORT$OBJECT" >/dev/null
load_before="$(load)"
# run NAME URL [wrk options...]: wrk's output in $work/NAME.txt
run() {
  local name="$1" url="$2"
  shift 2
  echo "== $name" >&2
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "$@" "$url" | tee "$work/$name.txt" >&2
}
run yakima-keepalive "http://127.0.0.1:$YPORT$OBJECT" -H "Host: vm-1.denali"
run nginx-keepalive "http://127.0.0.1:$NPORT$OBJECT"
run yakima-close "http://127.0.0.1:$YPORT$OBJECT" -H "Host: vm-1.denali" -H "Connection: close"
run nginx-close "http://127.0.0.1:$NPORT$OBJECT" -H "Connection: close"
run yakima-spread "http://127.0.0.1:$YPORT$OBJECT" -s "$work/spread.lua"
load_after="$(load)"

# Figures from a wrk output: requests/s, p50, p99 (in ms), errors (socket errors + non-2xx)
rps() { awk '/^Requests\/sec:/ { print $2 }' "$work/$1.txt"; }
pct() { awk -v p="$2" '$1 == p { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } printf "%.2f", v }' "$work/$1.txt"; }
errors() { awk '/Socket errors/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 } /Non-2xx/ { n += $NF } END { print n + 0 }' "$work/$1.txt"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * a / b; else print "-" }'; }

echo
echo "Gateway vs nginx: $OBJECT (2,258 bytes), wrk -t$WRK_THREADS -c$CONNECTIONS -d${SECONDS_PER_RUN}s, nginx workers $NGINX_WORKERS, $VMS VMs"
echo "load average before: $load_before, after: $load_after"
printf '%-34s %12s %10s %10s %8s %14s\n' "run" "requests/s" "p50 ms" "p99 ms" "errors" "Yakima/nginx"
line() { printf '%-34s %12s %10s %10s %8s %14s\n' "$1" "$(rps "$2")" "$(pct "$2" 50%)" "$(pct "$2" 99%)" "$(errors "$2")" "$3"; }
line "nginx, keep-alive" nginx-keepalive ""
line "Yakima vm-1, keep-alive" yakima-keepalive "$(ratio "$(rps yakima-keepalive)" "$(rps nginx-keepalive)")"
line "nginx, connection per request" nginx-close ""
line "Yakima vm-1, connection per request" yakima-close "$(ratio "$(rps yakima-close)" "$(rps nginx-close)")"
line "Yakima, spread over $VMS VMs" yakima-spread "$(ratio "$(rps yakima-spread)" "$(rps nginx-close)")"
echo "(targets: at least 50% of nginx with keep-alive, at least 30% with a connection per request)"
