# mk/toolchain.mk - the one place that says how Denali guests are compiled.
#
# Included by ilwaco-guestos/Makefile and services/Makefile; bin/denali-cc
# reads the same values through `make -s print-toolchain`.  Set ILWACO_DIR to
# the ilwaco-guestos directory before including this file.
#
#   CC   C compiler: gcc (default) or clang; cross compilers such as
#        i686-linux-gnu-gcc work too.  Override with `make CC=clang`.
#   LD   GNU-compatible linker that understands `-m elf_i386` (default: ld).
#
# Guests are i386 user-mode integer code: no x87/MMX/SSE, no PIC, no libc or
# libgcc from the host.  The native variant (ILWACO_NATIVE) compiles the same
# sources as a static 32-bit Linux program for recording expected outputs.

ifeq ($(origin CC),default)
CC := gcc
endif
ifeq ($(origin LD),default)
LD := ld
endif

IS_CLANG := $(if $(findstring clang,$(notdir $(CC))),1,)

ifeq ($(IS_CLANG),1)
TARGET_FLAGS  := --target=i386-unknown-none-elf -m32
CC_INCLUDE    := $(shell $(CC) -print-resource-dir 2>/dev/null)/include
else
TARGET_FLAGS  := -m32 -fno-stack-clash-protection
CC_INCLUDE    := $(shell $(CC) -print-file-name=include 2>/dev/null)
endif

OPT ?= -O2

# Flags every guest translation unit gets (runtime, tests, services, user code).
BASE_CFLAGS := $(TARGET_FLAGS) -march=i386 -mno-80387 -mno-mmx -mno-sse \
	-ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-unwind-tables \
	-fcf-protection=none \
	-nostdlib -nostdinc -isystem $(CC_INCLUDE) -I$(ILWACO_DIR)/include \
	-std=gnu11 -Wall

GUEST_CFLAGS  := $(BASE_CFLAGS)
NATIVE_CFLAGS := $(BASE_CFLAGS) -DILWACO_NATIVE=1

# Guest images: our linker script puts .text at DENALI_IMAGE_BASE (0x1000).
GUEST_LDFLAGS  := -m elf_i386 -T $(ILWACO_DIR)/ilwaco.ld -static -nostdlib --no-dynamic-linker
# Native Linux executables: ld's default i386 script (Linux will not map 0x1000).
NATIVE_LDFLAGS := -m elf_i386 -static -nostdlib --no-dynamic-linker -e _start

# Output: one short line per step ("  CC  libc/mem.c"); `make V=1` shows the
# full commands; `make -s` (what Maven runs) prints nothing but diagnostics.
V ?= 0
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
ifneq ($(findstring s,$(firstword -$(MAKEFLAGS))),)
say = @true
else
say = @printf '  %-5s %s\n' '$(1)' '$(2)'
endif
endif
