#!/usr/bin/env bash
# tests/record-expected.sh - record what each test program must print.
#
# Usage: tests/record-expected.sh [NAME...]     (default: every tests/*.c)
#
# Builds each test as a native static i386 Linux program with the native
# variant of Ilwaco (same libc/kern code and the same test object files as
# the guest images; only the arch layer differs) at -O0 and -O2, runs both,
# checks that they print the same thing and exit 0, and writes the output to
# tests/expected/NAME.out.  Needs a host that runs 32-bit x86 Linux binaries.
# Commit the .out files: CI compares guest runs against them without running
# anything natively.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
out="$root/target/native-tests"

if [ $# -eq 0 ]; then
    set -- $(cd "$here" && ls *.c | sed 's/\.c$//')
fi

targets=()
for t in "$@"; do
    targets+=("$out/$t-O0" "$out/$t-O2")
done
make -s -C "$root" native "${targets[@]}"

mkdir -p "$here/expected"
status=0
for t in "$@"; do
    for o in O0 O2; do
        if ! "$out/$t-$o" > "$out/$t-$o.out"; then
            echo "FAIL $t-$o: exit status $?" >&2
            status=1
        fi
    done
    if ! cmp -s "$out/$t-O0.out" "$out/$t-O2.out"; then
        echo "FAIL $t: -O0 and -O2 outputs differ:" >&2
        diff "$out/$t-O0.out" "$out/$t-O2.out" | head -20 >&2 || true
        status=1
        continue
    fi
    cp "$out/$t-O0.out" "$here/expected/$t.out"
    echo "recorded tests/expected/$t.out ($(wc -l < "$here/expected/$t.out") lines)"
done
exit $status
