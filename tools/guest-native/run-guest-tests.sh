#!/usr/bin/env bash
# tools/guest-native/run-guest-tests.sh - run the GUEST images (not the
# native builds) of the test corpus and the services on the host CPU with
# denali-trap-run, and compare with tests/expected/*.out.
#
# Usage: tools/guest-native/run-guest-tests.sh     (after `make` in
#        ilwaco-guestos/ and services/)
# A check of the images themselves until the Java CPU can run them.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runner="$here/target/denali-trap-run"

mkdir -p "$here/target"
cc -O2 -Wall -o "$runner" "$here/denali-trap-run.c" || exit 1

fail=0
for elf in "$root"/ilwaco-guestos/target/tests/*.elf; do
    name="$(basename "$elf" .elf)"
    expected="$root/ilwaco-guestos/tests/expected/${name%-O?}.out"
    if "$runner" "$elf" > "$here/target/$name.out" && cmp -s "$here/target/$name.out" "$expected"; then
        echo "ok   $name"
    else
        echo "FAIL $name"
        fail=1
    fi
done
for elf in "$root"/services/target/images/*.elf; do
    name="$(basename "$elf" .elf)"
    native="$root/services/target/native/$name"
    if "$runner" "$elf" > "$here/target/$name.out" && "$native" > "$here/target/$name.native.out" \
        && cmp -s "$here/target/$name.out" "$here/target/$name.native.out"; then
        echo "ok   services/$name"
    else
        echo "FAIL services/$name"
        fail=1
    fi
done
exit $fail
