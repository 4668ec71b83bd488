#!/bin/sh
# Builds the x86 oracle generator, runs it on this machine's CPU and writes the
# gzip'd corpus to denali-isa/src/test/resources/oracle/.  See README.md.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/denali-isa/src/test/resources/oracle"
build="${TMPDIR:-/tmp}/x86-oracle-build.$$"
mkdir -p "$build" "$out"
trap 'rm -rf "$build"' EXIT

gcc -m32 -march=i386 -O2 -ffreestanding -fno-pic -fno-stack-protector -fno-builtin \
    -nostdlib -static -Wall -Wextra -Wno-unused-function \
    -o "$build/oracle" "$here/start.S" "$here/oracle.c"

"$build/oracle" "$build" "$@"

for f in "$build"/*.txt; do
    g=$(basename "$f" .txt)
    gzip -9 -n -c "$f" > "$out/$g.txt.gz"
    printf '%-8s %7d vectors %9d bytes gz\n' "$g" "$(wc -l < "$f")" "$(wc -c < "$out/$g.txt.gz")"
done
printf 'cpu: %s (family %s model %s stepping %s, microcode %s)\n' \
    "$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" \
    "$(grep -m1 '^cpu family' /proc/cpuinfo | cut -d: -f2 | tr -d ' ')" \
    "$(grep -m1 '^model[[:space:]]*:' /proc/cpuinfo | cut -d: -f2 | tr -d ' ')" \
    "$(grep -m1 '^stepping' /proc/cpuinfo | cut -d: -f2 | tr -d ' ')" \
    "$(grep -m1 '^microcode' /proc/cpuinfo | cut -d: -f2 | tr -d ' ')"

# Cross-check the corpus against the independent Python reference model
# (defined behaviour must match; undefined flags are characterised).
if command -v python3 >/dev/null 2>&1; then
    python3 "$here/check.py" "$out" > "$build/check.txt" || { cat "$build/check.txt"; echo "check.py found mismatches" >&2; exit 1; }
    head -1 "$build/check.txt"
fi
