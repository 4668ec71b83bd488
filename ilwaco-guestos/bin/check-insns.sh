#!/usr/bin/env bash
# bin/check-insns.sh - fail if a guest image contains an instruction outside
# the Denali ISA.
#
# Usage: bin/check-insns.sh IMAGE.elf...      (OBJDUMP=objdump by default)
#
# Disassembles the code sections with objdump and accepts only i386 user-mode
# integer instructions (plus cmov/bswap/xadd/cmpxchg, which the ISA allows)
# and the Denali instructions 0F 04 (HCALL), 0F 0A (IDLE), 0F 0C (TERM),
# 0F 36 (VIRET), which objdump shows as "(bad)".  Anything else - x87, MMX,
# SSE, int/syscall, in/out, hlt, segment-register moves, far transfers, BCD,
# ud2 - is reported with its address and the image fails the check.
# Silent when every image passes.
set -eu -o pipefail

OBJDUMP="${OBJDUMP:-objdump}"
status=0

for img in "$@"; do
    if ! "$OBJDUMP" -d -w "$img" | awk -v img="$img" '
        BEGIN {
            n = split("mov movzb movzw movsb movsw movzx movsx lea push pop pusha popa pushf popf " \
                      "xchg cmpxchg xadd bswap add adc sub sbb inc dec neg not cmp test and or xor " \
                      "imul mul div idiv shl shr sal sar rol ror rcl rcr shld shrd " \
                      "jmp call ret leave enter nop " \
                      "cbtw cwtl cwtd cltd cbw cwde cwd cdq " \
                      "lods stos scas cmps movs bt bts btr btc bsf bsr " \
                      "lahf sahf cld std clc stc cmc xlat " \
                      "loop loope loopne loopz loopnz jcxz jecxz", base, " ")
            for (i = 1; i <= n; i++) {
                ok[base[i]] = 1
                ok[base[i] "b"] = 1; ok[base[i] "w"] = 1; ok[base[i] "l"] = 1
            }
            split("o no b nae c ae nb nc e z ne nz be na a nbe s ns p pe np po l nge ge nl le ng g nle", cc, " ")
            for (i in cc) { ok["j" cc[i]] = 1; ok["set" cc[i]] = 1; ok["cmov" cc[i]] = 1
                            ok["cmov" cc[i] "w"] = 1; ok["cmov" cc[i] "l"] = 1 }
            ok["movzbl"] = ok["movzwl"] = ok["movsbl"] = ok["movswl"] = ok["movzbw"] = ok["movsbw"] = 1
            ok["xlatb"] = ok["pushal"] = ok["popal"] = ok["pushfl"] = ok["popfl"] = ok["leavel"] = 1
            denali["0f 04"] = denali["0f 0a"] = denali["0f 0c"] = denali["0f 36"] = 1
            bad = 0
        }
        /^Disassembly of section/ { next }
        # instruction lines: "  addr:<TAB>bytes<TAB>mnemonic operands"
        /^ *[0-9a-f]+:\t/ {
            nf = split($0, f, "\t")
            if (nf < 3) next                      # continuation of long bytes
            bytes = f[2]; sub(/ +$/, "", bytes)
            text = f[3]
            for (i = 4; i <= nf; i++) text = text " " f[i]
            sub(/^ +/, "", text); sub(/ *#.*$/, "", text); sub(/ *<.*$/, "", text)
            if (text == "(bad)") {
                if (bytes in denali) next
                printf "%s: %s: undecodable bytes %s\n", img, f[1], bytes; bad = 1; next
            }
            m = split(text, w, " ")
            k = 1
            while (k < m && w[k] ~ /^(rep|repz|repe|repnz|repne|lock|data16|addr16|cs|ds|es|ss)$/) k++
            op = w[k]
            ops = ""
            for (i = k + 1; i <= m; i++) ops = ops " " w[i]
            if (!(op in ok)) {
                printf "%s: %s: not in the Denali ISA: %s\n", img, f[1], text; bad = 1; next
            }
            # no x87/MMX/SSE registers, no segment-register operands (the
            # string instructions show their implicit %ds:/%es: operands)
            if (ops ~ /%(st|mm|xmm|ymm|cr|dr|tr)/ ||
                (ops ~ /%[cdefgs]s([^a-z]|$)/ && op !~ /^(lods|stos|scas|cmps|movs|nop|xlat)/)) {
                printf "%s: %s: operand not in the Denali ISA: %s\n", img, f[1], text; bad = 1
            }
        }
        END { exit bad }'; then
        status=1
    fi
done
exit "$status"
