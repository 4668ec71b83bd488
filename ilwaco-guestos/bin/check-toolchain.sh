#!/usr/bin/env bash
# bin/check-toolchain.sh - can this machine build Denali guests?
#
# Usage: CC=gcc LD=ld bin/check-toolchain.sh     (both optional)
#
# Compiles a tiny freestanding C file for i386 with the guest flags and links
# it with `$LD -m elf_i386`.  On failure prints ONE message saying what is
# missing and what to install, and exits 1.  The Makefile runs this before
# building anything (once per clean build and compiler).  CC may be gcc,
# clang (checked with --target=i386-unknown-none-elf) or a cross compiler
# such as i686-linux-gnu-gcc.
set -u

CC="${CC:-gcc}"
LD="${LD:-ld}"

fail() {
    cat >&2 <<MSG
ilwaco: cannot build i386 Denali guests: $1
  Guests are compiled with a C compiler for 32-bit x86 (gcc -m32 or
  clang --target=i386-unknown-none-elf) and linked with GNU ld -m elf_i386.
  Install them, e.g.:
    Debian/Ubuntu (x86-64):  apt-get install gcc binutils
    Fedora/RHEL:             dnf install gcc binutils
    other hosts (arm64...):  apt-get install gcc-i686-linux-gnu binutils-i686-linux-gnu
                             and build with CC=i686-linux-gnu-gcc LD=i686-linux-gnu-ld
  or use clang instead:      apt-get install clang lld, then build with CC=clang
  (no 32-bit libc or libgcc is needed; Ilwaco supplies its own).
MSG
    exit 1
}

command -v "$CC" >/dev/null 2>&1 || fail "C compiler '$CC' not found (CC=$CC)"
command -v "$LD" >/dev/null 2>&1 || fail "linker '$LD' not found (LD=$LD)"

case "$(basename "$CC")" in
    *clang*)
        target=(--target=i386-unknown-none-elf -m32)
        inc="$("$CC" -print-resource-dir 2>/dev/null)/include" ;;
    *)
        target=(-m32)
        inc="$("$CC" -print-file-name=include 2>/dev/null)" ;;
esac
[ -f "$inc/stdint.h" ] && [ -f "$inc/stdarg.h" ] ||
    fail "'$CC' has no freestanding headers (stdint.h, stdarg.h) in '$inc'"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/ilwaco-check.XXXXXX")" || fail "cannot create a temporary directory"
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/probe.c" <<'C'
#include <stdint.h>
#include <stdarg.h>
uint64_t probe_div(uint64_t a, uint32_t b) { return a + b; }
void _start(void) { for (;;) ; }
C

"$CC" "${target[@]}" -march=i386 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
    -nostdlib -nostdinc -isystem "$inc" -O2 -c "$tmp/probe.c" -o "$tmp/probe.o" \
    >"$tmp/cc.log" 2>&1 ||
    fail "'$CC' cannot compile freestanding 32-bit x86 code:
$(sed 's/^/    /' "$tmp/cc.log" | head -5)"

"$LD" -m elf_i386 -static -nostdlib -e _start -Ttext=0x1000 "$tmp/probe.o" -o "$tmp/probe.elf" \
    >"$tmp/ld.log" 2>&1 ||
    fail "'$LD' cannot link i386 ELF (ld -m elf_i386):
$(sed 's/^/    /' "$tmp/ld.log" | head -5)"

# The result must really be a 32-bit little-endian x86 ELF executable.
hdr="$(od -An -tx1 -N20 "$tmp/probe.elf" 2>/dev/null | tr -d ' \n')"
case "$hdr" in
    7f454c46010101*0200*0300) ;;
    *) fail "'$LD -m elf_i386' did not produce an i386 ELF executable" ;;
esac

exit 0
