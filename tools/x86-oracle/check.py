#!/usr/bin/env python3
"""
check.py - an independent reference model for the x86 oracle corpus.

Parses every vector of denali-isa/src/test/resources/oracle/*.txt.gz the same
way OracleCorpusTest does, decodes the instruction, computes what the Intel SDM
/ AMD APM define, and compares with what the recording CPU did:

  * everything architecturally defined must match (a mismatch means a broken
    corpus, a generator bug or a bug in this model: it is reported and the
    script exits 1);
  * everything architecturally undefined is characterised: for each mnemonic
    and undefined flag it reports which simple rule (unchanged, cleared, set,
    computed from the result, ...) explains every vector.

Usage: check.py [DIR] [--verbose]
"""
import gzip
import os
import sys
from collections import defaultdict

CF, PF, AF, ZF, SF, DF, OF = 0x1, 0x4, 0x10, 0x40, 0x80, 0x400, 0x800
FLAGMASK = CF | PF | AF | ZF | SF | DF | OF
FLAGS = [("CF", CF), ("PF", PF), ("AF", AF), ("ZF", ZF), ("SF", SF), ("OF", OF)]
REGS = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"]
DATA, WIN, CODE = 0x20000, 256, 0x10000
GROUPS = ["alu", "unary", "muldiv", "shift", "shld", "bit", "mov", "lea", "xchg", "cond", "misc", "stack", "string"]
M32 = 0xFFFFFFFF


def winfill(seed):
    w = bytearray(WIN)
    x = seed
    for i in range(WIN // 4):
        x ^= (x << 13) & M32
        x ^= x >> 17
        x ^= (x << 5) & M32
        w[4 * i:4 * i + 4] = x.to_bytes(4, "little")
    return w


def apply_run(tok, w):
    off, hx = tok.split(":")
    assert len(off) == 2
    b = bytes.fromhex(hx)
    w[int(off, 16):int(off, 16) + len(b)] = b


def parse(line):
    head, inp, out = line.rstrip("\n").split(" | ")
    tag, hx = head.split()
    f = inp.split()
    regs = [int(x, 16) for x in f[:8]]
    efl = int(f[8], 16)
    seed = int(f[9], 16)
    win = winfill(seed)
    for t in f[10:]:
        apply_run(t, win)
    o = out.split()
    oregs = list(regs)
    owin = bytearray(win)
    for t in o[1:]:
        if "=" in t:
            r, v = t.split("=")
            oregs[REGS.index(r)] = int(v, 16)
        else:
            apply_run(t, owin)
    return dict(tag=tag, insn=bytes.fromhex(hx), regs=regs, efl=efl, seed=seed, win=win,
                oefl=int(o[0], 16), oregs=oregs, owin=owin)


def parity(x):
    return 1 if bin(x & 0xFF).count("1") % 2 == 0 else 0


def mask(sz):
    return (1 << sz) - 1


def sx(v, sz):
    v &= mask(sz)
    return v - (1 << sz) if v >> (sz - 1) else v


class Undefined(Exception):
    pass


class Model:
    """Executes one instruction on a copy of the input state."""

    def __init__(self, v):
        self.r = list(v["regs"])
        self.f = v["efl"] & FLAGMASK
        self.w = bytearray(v["win"])
        self.insn = v["insn"]
        self.i = 0
        self.undef_flags = 0       # flags whose value the SDM leaves undefined
        self.undef_regs = set()    # registers whose value is undefined
        self.ctx = {}              # values for the undefined-flag analysis
        self.touched = []          # (addr, size) memory accesses

    # -- fetch
    def b(self):
        x = self.insn[self.i]
        self.i += 1
        return x

    def imm(self, sz):
        v = int.from_bytes(self.insn[self.i:self.i + sz // 8], "little")
        self.i += sz // 8
        return v

    # -- registers
    def getr(self, n, sz):
        if sz == 32:
            return self.r[n]
        if sz == 16:
            return self.r[n] & 0xFFFF
        return (self.r[n] & 0xFF) if n < 4 else (self.r[n - 4] >> 8) & 0xFF

    def setr(self, n, sz, v):
        if sz == 32:
            self.r[n] = v & M32
        elif sz == 16:
            self.r[n] = (self.r[n] & 0xFFFF0000) | (v & 0xFFFF)
        elif n < 4:
            self.r[n] = (self.r[n] & ~0xFF & M32) | (v & 0xFF)
        else:
            self.r[n - 4] = (self.r[n - 4] & ~0xFF00 & M32) | ((v & 0xFF) << 8)

    # -- memory (the window only)
    def chk(self, a, n):
        a &= M32
        if not (DATA <= a and a + n <= DATA + WIN):
            raise AssertionError("memory access %08x+%d outside the window" % (a, n))
        self.touched.append((a, n))
        return a - DATA

    def rd(self, a, sz):
        o = self.chk(a, sz // 8)
        return int.from_bytes(self.w[o:o + sz // 8], "little")

    def wr(self, a, sz, v):
        o = self.chk(a, sz // 8)
        self.w[o:o + sz // 8] = (v & mask(sz)).to_bytes(sz // 8, "little")

    # -- ModRM
    def modrm(self):
        m = self.b()
        mod, reg, rm = m >> 6, (m >> 3) & 7, m & 7
        if mod == 3:
            return reg, ("r", rm)
        base = index = None
        scale = 1
        disp = 0
        if rm == 4:
            s = self.b()
            scale = 1 << (s >> 6)
            ix, bs = (s >> 3) & 7, s & 7
            if ix != 4:
                index = ix
            if bs == 5 and mod == 0:
                disp = self.imm(32)
            else:
                base = bs
        elif rm == 5 and mod == 0:
            disp = self.imm(32)
        else:
            base = rm
        if mod == 1:
            disp = sx(self.imm(8), 8)
        elif mod == 2:
            disp = self.imm(32)
        ea = disp + (self.r[base] if base is not None else 0) + (self.r[index] * scale if index is not None else 0)
        return reg, ("m", ea & M32)

    def get(self, o, sz):
        return self.getr(o[1], sz) if o[0] == "r" else self.rd(o[1], sz)

    def put(self, o, sz, v):
        if o[0] == "r":
            self.setr(o[1], sz, v)
        else:
            self.wr(o[1], sz, v)

    # -- flags
    def setf(self, bit, v):
        self.f = (self.f | bit) if v else (self.f & ~bit)

    def fl(self, bit):
        return 1 if self.f & bit else 0

    def szp(self, res, sz):
        res &= mask(sz)
        self.setf(ZF, res == 0)
        self.setf(SF, res >> (sz - 1))
        self.setf(PF, parity(res))

    def add(self, a, b, c, sz):
        res = a + b + c
        m = mask(sz)
        self.setf(CF, res > m)
        self.setf(AF, ((a ^ b ^ res) >> 4) & 1)
        self.setf(OF, ((~(a ^ b) & (a ^ res)) >> (sz - 1)) & 1)
        self.szp(res, sz)
        return res & m

    def sub(self, a, b, c, sz):
        res = a - b - c
        m = mask(sz)
        self.setf(CF, res < 0)
        self.setf(AF, ((a ^ b ^ res) >> 4) & 1)
        self.setf(OF, (((a ^ b) & (a ^ res)) >> (sz - 1)) & 1)
        self.szp(res, sz)
        return res & m

    def logic(self, res, sz):
        self.setf(CF, 0)
        self.setf(OF, 0)
        self.szp(res, sz)
        self.undef_flags |= AF
        self.ctx["res"] = res & mask(sz)
        return res & mask(sz)

    def alu(self, op, a, b, sz):
        if op == 0:
            return self.add(a, b, 0, sz)
        if op == 1:
            return self.logic(a | b, sz)
        if op == 2:
            return self.add(a, b, self.fl(CF), sz)
        if op == 3:
            return self.sub(a, b, self.fl(CF), sz)
        if op == 4:
            return self.logic(a & b, sz)
        if op == 5 or op == 7:
            return self.sub(a, b, 0, sz)
        if op == 6:
            return self.logic(a ^ b, sz)

    def cond(self, cc):
        c, p, z, s, o = self.fl(CF), self.fl(PF), self.fl(ZF), self.fl(SF), self.fl(OF)
        t = [o, c, z, c or z, s, p, s != o, z or (s != o)][cc >> 1]
        return bool(t) != bool(cc & 1)

    def push(self, sz, v):
        self.r[4] = (self.r[4] - sz // 8) & M32
        self.wr(self.r[4], sz, v)

    def pop(self, sz):
        v = self.rd(self.r[4], sz)
        self.r[4] = (self.r[4] + sz // 8) & M32
        return v

    # -- execute
    def run(self):
        sz = 32
        rep = None
        while self.insn[self.i] in (0x66, 0xF2, 0xF3):
            p = self.b()
            if p == 0x66:
                sz = 16
            else:
                rep = p
        op = self.b()
        if op == 0x0F:
            op = 0x100 | self.b()
        self.exec(op, sz, rep)
        if self.i != len(self.insn):
            raise AssertionError("decoded length %d != %d" % (self.i, len(self.insn)))

    def shift(self, kind, o, sz, count):
        v = self.get(o, sz)
        cnt = count & 31
        m = mask(sz)
        self.ctx.update(orig=v, count=cnt, rawcount=count)
        if cnt == 0:
            self.ctx["res"] = v
            return
        cf_in = self.fl(CF)
        if kind in (0, 1):  # ROL ROR
            n = cnt % sz
            res = ((v << n) | (v >> (sz - n))) & m if kind == 0 else ((v >> n) | (v << (sz - n))) & m
            if kind == 0:
                self.setf(CF, res & 1)
                of = (res >> (sz - 1)) ^ (res & 1)
            else:
                self.setf(CF, res >> (sz - 1))
                of = (res >> (sz - 1)) ^ ((res >> (sz - 2)) & 1)
            if cnt == 1:
                self.setf(OF, of)
            else:
                self.undef_flags |= OF
        elif kind in (2, 3):  # RCL RCR
            n = cnt % (sz + 1) if sz < 32 else cnt
            res, c = v, cf_in
            if kind == 2:
                for _ in range(n):
                    c, res = res >> (sz - 1), ((res << 1) | c) & m
                of = (res >> (sz - 1)) ^ c
            else:
                of = (v >> (sz - 1)) ^ cf_in
                for _ in range(n):
                    c, res = res & 1, (res >> 1) | (c << (sz - 1))
            self.setf(CF, c)
            if cnt == 1:
                self.setf(OF, of)
            else:
                self.undef_flags |= OF
        else:  # SHL SHR SAL SAR
            sv = sx(v, sz)
            if kind in (4, 6):
                full = v << cnt
                res = full & m
                c = (full >> sz) & 1
                of = (res >> (sz - 1)) ^ c
            elif kind == 5:
                res = v >> cnt
                c = (v >> (cnt - 1)) & 1
                of = v >> (sz - 1)
            else:
                res = (sv >> cnt) & m
                c = (sv >> (cnt - 1)) & 1
                of = 0
            self.setf(CF, c)
            if cnt >= sz and kind != 7:
                self.undef_flags |= CF
            if cnt == 1:
                self.setf(OF, of)
            else:
                self.undef_flags |= OF
            self.szp(res, sz)
            self.undef_flags |= AF
        self.ctx["res"] = res
        self.put(o, sz, res)

    def exec(self, op, sz, rep):
        B = 8
        # ---- ALU 00-3D
        if op < 0x40 and (op & 7) < 6:
            k, form = op >> 3, op & 7
            if form < 4:
                s = B if form % 2 == 0 else sz
                reg, o = self.modrm()
                r_ = ("r", reg)
                dst, src = (o, r_) if form < 2 else (r_, o)
                res = self.alu(k, self.get(dst, s), self.get(src, s), s)
                if k != 7:
                    self.put(dst, s, res)
            else:
                s = B if form == 4 else sz
                a = self.getr(0, s)
                res = self.alu(k, a, self.imm(s), s)
                if k != 7:
                    self.setr(0, s, res)
            return
        if op in (0x80, 0x81, 0x83):
            s = B if op == 0x80 else sz
            k, o = self.modrm()
            a = self.get(o, s)
            b = self.imm(s) if op != 0x83 else sx(self.imm(8), 8) & mask(s)
            res = self.alu(k, a, b, s)
            if k != 7:
                self.put(o, s, res)
            return
        if op in (0x84, 0x85):
            s = B if op == 0x84 else sz
            reg, o = self.modrm()
            self.logic(self.get(o, s) & self.getr(reg, s), s)
            return
        if op in (0xA8, 0xA9):
            s = B if op == 0xA8 else sz
            self.logic(self.getr(0, s) & self.imm(s), s)
            return
        if 0x40 <= op < 0x50:
            n = op & 7
            c = self.fl(CF)
            v = self.getr(n, sz)
            self.setr(n, sz, self.add(v, 1, 0, sz) if op < 0x48 else self.sub(v, 1, 0, sz))
            self.setf(CF, c)
            return
        if op in (0xFE, 0xFF):
            s = B if op == 0xFE else sz
            k, o = self.modrm()
            if k in (0, 1):
                c = self.fl(CF)
                v = self.get(o, s)
                self.put(o, s, self.add(v, 1, 0, s) if k == 0 else self.sub(v, 1, 0, s))
                self.setf(CF, c)
            elif k == 6:
                v = self.get(o, s)
                self.push(s, v)
            else:
                raise AssertionError("FF /%d" % k)
            return
        if op in (0xF6, 0xF7):
            s = B if op == 0xF6 else sz
            k, o = self.modrm()
            if k == 0:
                self.logic(self.get(o, s) & self.imm(s), s)
            elif k == 2:
                self.put(o, s, ~self.get(o, s))
            elif k == 3:
                v = self.get(o, s)
                self.put(o, s, self.sub(0, v, 0, s))
            elif k in (4, 5):
                a, b = self.getr(0, s), self.get(o, s)
                if k == 4:
                    p = a * b
                    hi_nonzero = (p >> s) != 0
                else:
                    p = sx(a, s) * sx(b, s)
                    hi_nonzero = p != sx(p, s)
                    p &= mask(2 * s)
                if s == 8:
                    self.setr(0, 16, p)
                else:
                    self.setr(0, s, p)
                    self.setr(2, s, p >> s)
                self.setf(CF, hi_nonzero)
                self.setf(OF, hi_nonzero)
                self.undef_flags |= SF | ZF | AF | PF
                self.ctx.update(lo=p & mask(s), hi=(p >> s) & mask(s), size=s, a=a, b=b)
            else:
                d = self.get(o, s)
                n = self.getr(0, 16) if s == 8 else (self.getr(2, s) << s) | self.getr(0, s)
                assert d != 0
                if k == 6:
                    q, r = divmod(n, d)
                else:
                    nn, dd = sx(n, 2 * s), sx(d, s)
                    q = abs(nn) // abs(dd)
                    if (nn < 0) != (dd < 0):
                        q = -q
                    r = nn - q * dd
                    assert -(1 << (s - 1)) <= q < (1 << (s - 1)), "idiv overflow"
                assert q >= 0 or k == 7
                if k == 6:
                    assert q <= mask(s), "div overflow"
                if s == 8:
                    self.setr(0, 8, q)
                    self.setr(4, 8, r)
                else:
                    self.setr(0, s, q)
                    self.setr(2, s, r)
                self.undef_flags |= CF | OF | SF | ZF | AF | PF
                self.ctx.update(q=q & mask(s), r=r & mask(s), size=s, n=n, d=d)
            return
        if op == 0x1AF or op in (0x69, 0x6B):
            reg, o = self.modrm()
            a = self.get(o, sz)
            b = self.getr(reg, sz) if op == 0x1AF else (self.imm(sz) if op == 0x69 else self.imm(8))
            b = sx(b, 8) if op == 0x6B else sx(b, sz)
            p = sx(a, sz) * b
            res = p & mask(sz)
            self.setr(reg, sz, res)
            self.setf(CF, p != sx(res, sz))
            self.setf(OF, p != sx(res, sz))
            self.undef_flags |= SF | ZF | AF | PF
            self.ctx.update(lo=res, hi=(p >> sz) & mask(sz), size=sz)
            return
        # ---- shifts
        if op in (0xC0, 0xC1, 0xD0, 0xD1, 0xD2, 0xD3):
            s = B if op in (0xC0, 0xD0, 0xD2) else sz
            k, o = self.modrm()
            if op in (0xC0, 0xC1):
                count = self.imm(8)
            elif op in (0xD0, 0xD1):
                count = 1
            else:
                count = self.r[1] & 0xFF
            self.ctx["size"] = s
            self.shift(k, o, s, count)
            return
        if op in (0x1A4, 0x1A5, 0x1AC, 0x1AD):
            reg, o = self.modrm()
            count = (self.imm(8) if op in (0x1A4, 0x1AC) else self.r[1] & 0xFF) & 31
            d, src = self.get(o, sz), self.getr(reg, sz)
            self.ctx.update(orig=d, src=src, count=count, size=sz)
            if count == 0:
                return
            if count > sz:
                self.undef_flags |= CF | OF | SF | ZF | AF | PF
                self.ctx["undefined_result"] = True
                # the hardware's result is recorded; read it back for the analysis
                self.put(o, sz, d)
                self.undef_dest = o
                return
            if op in (0x1A4, 0x1A5):
                full = (d << count) | (src >> (sz - count)) if count < sz else (d << sz) | src
                res = ((d << count) | (src >> (sz - count))) & mask(sz) if count < sz else src
                c = (d >> (sz - count)) & 1
            else:
                res = ((d >> count) | (src << (sz - count))) & mask(sz) if count < sz else src
                c = (d >> (count - 1)) & 1
            self.setf(CF, c)
            if count == 1:
                self.setf(OF, ((res ^ d) >> (sz - 1)) & 1)
            else:
                self.undef_flags |= OF
            self.szp(res, sz)
            self.undef_flags |= AF
            self.ctx["res"] = res
            self.put(o, sz, res)
            return
        # ---- bits
        if op in (0x1A3, 0x1AB, 0x1B3, 0x1BB) or op == 0x1BA:
            if op == 0x1BA:
                k, o = self.modrm()
                k -= 4
                off = self.imm(8) & (sz - 1)
            else:
                reg, o = self.modrm()
                k = {0x1A3: 0, 0x1AB: 1, 0x1B3: 2, 0x1BB: 3}[op]
                off = self.getr(reg, sz)
                off = off & (sz - 1) if o[0] == "r" else sx(off, sz)
            if o[0] == "r":
                v = self.getr(o[1], sz)
                bit = (v >> off) & 1
                nv = [v, v | (1 << off), v & ~(1 << off), v ^ (1 << off)][k]
                if k:
                    self.setr(o[1], sz, nv)
            else:
                a = (o[1] + (off >> 3)) & M32
                bo = off & 7
                byte = self.rd(a, 8)
                bit = (byte >> bo) & 1
                nv = [byte, byte | (1 << bo), byte & ~(1 << bo), byte ^ (1 << bo)][k]
                if k:
                    self.wr(a, 8, nv)
            self.setf(CF, bit)
            self.undef_flags |= OF | SF | AF | PF
            self.ctx.update(bit=bit)
            return
        if op in (0x1BC, 0x1BD):
            reg, o = self.modrm()
            v = self.get(o, sz)
            self.setf(ZF, v == 0)
            self.undef_flags |= CF | OF | SF | AF | PF
            self.ctx.update(src=v, size=sz)
            if v == 0:
                self.ctx["zero"] = True
                self.undef_regs.add(reg)
            else:
                idx = (v & -v).bit_length() - 1 if op == 0x1BC else v.bit_length() - 1
                self.setr(reg, sz, idx)
                self.ctx["res"] = idx
            return
        if 0x1C8 <= op <= 0x1CF:
            n = op & 7
            self.r[n] = int.from_bytes(self.r[n].to_bytes(4, "little"), "big")
            return
        # ---- moves
        if op in (0x88, 0x89, 0x8A, 0x8B):
            s = B if op in (0x88, 0x8A) else sz
            reg, o = self.modrm()
            if op < 0x8A:
                self.put(o, s, self.getr(reg, s))
            else:
                self.setr(reg, s, self.get(o, s))
            return
        if 0xB0 <= op < 0xC0:
            s = B if op < 0xB8 else sz
            self.setr(op & 7, s, self.imm(s))
            return
        if op in (0xC6, 0xC7):
            s = B if op == 0xC6 else sz
            k, o = self.modrm()
            assert k == 0
            self.put(o, s, self.imm(s))
            return
        if 0xA0 <= op <= 0xA3:
            s = B if op % 2 == 0 else sz
            a = self.imm(32)
            if op < 0xA2:
                self.setr(0, s, self.rd(a, s))
            else:
                self.wr(a, s, self.getr(0, s))
            return
        if op in (0x1B6, 0x1B7, 0x1BE, 0x1BF):
            ss = 8 if op in (0x1B6, 0x1BE) else 16
            reg, o = self.modrm()
            v = self.get(o, ss)
            self.setr(reg, sz, sx(v, ss) if op >= 0x1BE else v)
            return
        if op == 0x8D:
            reg, o = self.modrm()
            assert o[0] == "m"
            self.setr(reg, sz, o[1])
            return
        # ---- exchange
        if op in (0x86, 0x87):
            s = B if op == 0x86 else sz
            reg, o = self.modrm()
            a, b = self.get(o, s), self.getr(reg, s)
            self.put(o, s, b)
            self.setr(reg, s, a)
            return
        if 0x90 <= op <= 0x97:
            n = op & 7
            a, b = self.getr(0, sz), self.getr(n, sz)
            self.setr(0, sz, b)
            self.setr(n, sz, a)
            return
        if op in (0x1C0, 0x1C1):
            s = B if op == 0x1C0 else sz
            reg, o = self.modrm()
            d, src = self.get(o, s), self.getr(reg, s)
            res = self.add(d, src, 0, s)
            self.setr(reg, s, d)
            self.put(o, s, res)
            return
        if op in (0x1B0, 0x1B1):
            s = B if op == 0x1B0 else sz
            reg, o = self.modrm()
            d, acc = self.get(o, s), self.getr(0, s)
            self.sub(acc, d, 0, s)
            if acc == d:
                self.put(o, s, self.getr(reg, s))
            else:
                if o[0] == "m":
                    self.put(o, s, d)  # the destination is always written
                self.setr(0, s, d)
            return
        # ---- conditions
        if 0x190 <= op <= 0x19F:
            k, o = self.modrm()
            self.put(o, 8, 1 if self.cond(op & 15) else 0)
            return
        if 0x140 <= op <= 0x14F:
            reg, o = self.modrm()
            v = self.get(o, sz)
            if self.cond(op & 15):
                self.setr(reg, sz, v)
            return
        # ---- misc
        if op == 0x98:
            if sz == 16:
                self.setr(0, 16, sx(self.getr(0, 8), 8))
            else:
                self.setr(0, 32, sx(self.getr(0, 16), 16))
            return
        if op == 0x99:
            self.setr(2, sz, mask(sz) if self.getr(0, sz) >> (sz - 1) else 0)
            return
        if op in (0xF5, 0xF8, 0xF9, 0xFC, 0xFD):
            if op == 0xF5:
                self.setf(CF, not self.fl(CF))
            elif op in (0xF8, 0xF9):
                self.setf(CF, op == 0xF9)
            else:
                self.setf(DF, op == 0xFD)
            return
        if op == 0x9F:
            self.setr(4, 8, (self.f & (SF | ZF | AF | PF | CF)) | 2)
            return
        if op == 0x9E:
            ah = self.getr(4, 8)
            self.f = (self.f & ~(SF | ZF | AF | PF | CF)) | (ah & (SF | ZF | AF | PF | CF))
            return
        # ---- stack
        if 0x50 <= op < 0x58:
            self.push(sz, self.getr(op & 7, sz))
            return
        if 0x58 <= op < 0x60:
            v = self.pop(sz)
            self.setr(op & 7, sz, v)
            return
        if op in (0x68, 0x6A):
            v = self.imm(sz) if op == 0x68 else sx(self.imm(8), 8)
            self.push(sz, v)
            return
        if op == 0x8F:
            # POP r/m: ESP is incremented before the address is computed
            save = self.i
            m = self.insn[self.i]
            v = self.rd(self.r[4], sz)
            self.r[4] = (self.r[4] + sz // 8) & M32
            k, o = self.modrm()
            assert k == 0
            self.put(o, sz, v)
            return
        if op == 0xC9:
            self.r[4] = self.r[5]
            self.setr(5, sz, self.pop(sz))
            return
        if op == 0xC8:
            size, level = self.imm(16), self.imm(8) & 31
            self.push(sz, self.getr(5, sz))
            frame = self.r[4]
            ebp = self.r[5]
            for _ in range(1, level):
                ebp = (ebp - sz // 8) & M32
                self.push(sz, self.rd(ebp, sz))
            if level > 0:
                self.push(sz, frame)
            self.setr(5, sz, frame)
            self.r[4] = (self.r[4] - size) & M32
            return
        # ---- strings
        if op in (0xA4, 0xA5, 0xA6, 0xA7, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF):
            s = B if op % 2 == 0 else sz
            step = -(s // 8) if self.fl(DF) else s // 8
            base = op & ~1
            cmp = base in (0xA6, 0xAE)
            while True:
                if rep is not None and self.r[1] == 0:
                    break
                if base == 0xA4:
                    self.wr(self.r[7], s, self.rd(self.r[6], s))
                elif base == 0xA6:
                    self.sub(self.rd(self.r[6], s), self.rd(self.r[7], s), 0, s)
                elif base == 0xAA:
                    self.wr(self.r[7], s, self.getr(0, s))
                elif base == 0xAC:
                    self.setr(0, s, self.rd(self.r[6], s))
                else:
                    self.sub(self.getr(0, s), self.rd(self.r[7], s), 0, s)
                if base in (0xA4, 0xA6, 0xAC):
                    self.r[6] = (self.r[6] + step) & M32
                if base in (0xA4, 0xA6, 0xAA, 0xAE):
                    self.r[7] = (self.r[7] + step) & M32
                if rep is None:
                    break
                self.r[1] = (self.r[1] - 1) & M32
                if cmp and rep == 0xF3 and not self.fl(ZF):
                    break
                if cmp and rep == 0xF2 and self.fl(ZF):
                    break
            return
        raise AssertionError("opcode %x not modelled" % op)


# ---------------------------------------------------------------- undefined-flag characterisation

def flagbit(f, bit):
    return 1 if f & bit else 0


def predictors(m, v, bit):
    """Candidate rules for an undefined flag: name -> predicted bit (or None if not applicable)."""
    ctx, fin = m.ctx, v["efl"]
    p = {"unchanged": flagbit(fin, bit), "0": 0, "1": 1}
    size = ctx.get("size")
    def from_val(x, s):
        if bit == SF:
            return (x >> (s - 1)) & 1
        if bit == ZF:
            return 1 if x == 0 else 0
        if bit == PF:
            return parity(x)
        return None
    if "res" in ctx and size:
        p["from result"] = from_val(ctx["res"], size)
    if "lo" in ctx:
        p["from low half"] = from_val(ctx["lo"], size)
        p["from high half"] = from_val(ctx["hi"], size)
        if bit == AF:
            p["bit 4 of low half"] = (ctx["lo"] >> 4) & 1
    if "q" in ctx:
        p["from quotient"] = from_val(ctx["q"], size)
        p["from remainder"] = from_val(ctx["r"], size)
    if "orig" in ctx and "res" in ctx and size:
        o, r, s = ctx["orig"], ctx["res"], size
        cf = flagbit(v["oefl"], CF)
        if bit == OF:
            p["msb(res) xor CF"] = ((r >> (s - 1)) & 1) ^ cf
            p["msb(res) xor msb-1(res)"] = ((r >> (s - 1)) ^ (r >> (s - 2))) & 1
            p["msb(orig) xor msb(res)"] = ((o ^ r) >> (s - 1)) & 1
            p["msb(orig)"] = (o >> (s - 1)) & 1
            p["msb(orig) xor msb-1(orig)"] = ((o >> (s - 1)) ^ (o >> (s - 2))) & 1
            if "src" in ctx:
                # SHRD/SHLD: sign change computed from the final one-bit step
                pass
        if bit == AF:
            p["bit 4 of result"] = (r >> 4) & 1
            p["(orig^res) bit 4"] = ((o ^ r) >> 4) & 1
    if bit == CF and "orig" in ctx:
        o, s, c = ctx["orig"], size, ctx.get("count", 0)
        if s and c:
            p["last bit out (shl)"] = ((o << c) >> s) & 1
            p["last bit out (shr)"] = (o >> (c - 1)) & 1 if c - 1 < 64 else 0
    if "bit" in ctx and bit in (SF, PF, AF, OF):
        pass
    if "src" in ctx and "zero" not in ctx and bit != OF and size and "orig" not in ctx:
        p["from source"] = from_val(ctx["src"], size)
    return p


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    verbose = "--verbose" in sys.argv
    here = os.path.dirname(os.path.abspath(__file__))
    d = args[0] if args else os.path.join(here, "..", "..", "denali-isa", "src", "test", "resources", "oracle")
    errors = 0
    total = 0
    # (mnemonic-size, flag) -> {rule: [hits, applicable]}
    stats = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    counts = defaultdict(int)
    bsf_zero = defaultdict(lambda: [0, 0])     # tag -> [dest unchanged, total]
    shld_big = defaultdict(list)               # tag -> list of (orig, src, count, result, flags)
    for g in GROUPS:
        path = os.path.join(d, g + ".txt.gz")
        with gzip.open(path, "rt") as fh:
            for ln, line in enumerate(fh, 1):
                total += 1
                v = parse(line)
                m = Model(v)
                try:
                    m.run()
                except AssertionError as e:
                    errors += 1
                    if errors <= 30:
                        print("MODEL ERROR %s:%d %s: %s\n  %s" % (g, ln, v["tag"], e, line.strip()))
                    continue
                tag = v["tag"]
                counts[tag] += 1
                oregs, ow = v["oregs"], v["owin"]
                bad = []
                for i in range(8):
                    if i in m.undef_regs or (m.ctx.get("undefined_result")):
                        continue
                    if m.r[i] != oregs[i]:
                        bad.append("%s model %08x cpu %08x" % (REGS[i], m.r[i], oregs[i]))
                if not m.ctx.get("undefined_result") and m.w != ow:
                    bad.append("window differs")
                defined = FLAGMASK & ~m.undef_flags
                if (m.f ^ v["oefl"]) & defined:
                    bad.append("flags model %03x cpu %03x (defined mask %03x)" % (m.f, v["oefl"] & FLAGMASK, defined))
                if bad:
                    errors += 1
                    if errors <= 30:
                        print("MISMATCH %s:%d %s: %s\n  %s" % (g, ln, tag, "; ".join(bad), line.strip()))
                    continue
                # undefined results
                if m.ctx.get("zero"):
                    e = bsf_zero[tag]
                    e[1] += 1
                    if v["oregs"] == v["regs"]:
                        e[0] += 1
                if m.ctx.get("undefined_result"):
                    shld_big[tag].append((v, m))
                # undefined flags, by case
                case = ""
                if "count" in m.ctx:
                    c = m.ctx["count"]
                    case = "count>size" if c > m.ctx["size"] else "count=1" if c == 1 else "count>1"
                    if m.ctx.get("undefined_result"):
                        m.ctx["res"] = shld_result(v, m)[0]
                if m.ctx.get("zero"):
                    case = "src=0"
                elif tag.startswith("bs"):
                    case = "src!=0"
                for name, bit in FLAGS:
                    if not (m.undef_flags & bit):
                        continue
                    got = flagbit(v["oefl"], bit)
                    for rule, pred in predictors(m, v, bit).items():
                        if pred is None:
                            continue
                        st = stats[(tag + (" " + case if case else ""), name)][rule]
                        st[1] += 1
                        if pred == got:
                            st[0] += 1
    print("checked %d vectors, %d model mismatches" % (total, errors))
    print()
    print("Undefined flags: rules that explain every vector (tag flag: rules)")
    for (tag, name), rules in sorted(stats.items()):
        ok = [r for r, (h, n) in rules.items() if h == n and n > 0]
        n = max(n for h, n in rules.values())
        if ok:
            print("  %-22s %s (%d): %s" % (tag, name, n, ", ".join(ok)))
        else:
            best = max(rules.items(), key=lambda kv: kv[1][0] / max(1, kv[1][1]))
            print("  %-22s %s (%d): NO SIMPLE RULE (best: %s %d/%d)" % (tag, name, n, best[0], best[1][0], best[1][1]))
    print()
    print("BSF/BSR with a zero source: destination unchanged in how many vectors")
    for tag, (u, n) in sorted(bsf_zero.items()):
        print("  %-8s %d of %d" % (tag, u, n))
    print()
    print("SHLD/SHRD 16-bit with count > 16 (undefined result):")
    for tag, lst in sorted(shld_big.items()):
        rules = analyse_shld_big(tag, lst)
        print("  %-8s %d vectors; result rules that fit all: %s" % (tag, len(lst), ", ".join(rules) or "none"))
    if verbose:
        for tag, lst in sorted(shld_big.items()):
            for v, m in lst[:12]:
                o = v["oregs"]
                print("   ", tag, v["insn"].hex(), "orig %04x src %04x count %d" % (m.ctx["orig"], m.ctx["src"], m.ctx["count"]),
                      "flags in %03x out %03x" % (v["efl"] & FLAGMASK, v["oefl"] & FLAGMASK))
    return 1 if errors else 0


def shld_result(v, m):
    """The 16-bit result the CPU stored for an SHLD/SHRD vector."""
    mm = Model(v)
    mm.r = list(v["oregs"])
    mm.w = bytearray(v["owin"])
    i = 1  # skip 66
    # re-decode the destination against the *input* state for the address, read it from the output state
    probe = Model(v)
    probe.i = 3
    reg, o = probe.modrm()
    if o[0] == "r":
        return mm.getr(o[1], 16), o
    return int.from_bytes(v["owin"][o[1] - DATA:o[1] - DATA + 2], "little"), o


def analyse_shld_big(tag, lst):
    """Tests candidate formulas for the 16-bit SHLD/SHRD result with counts 17..31."""
    cands = {
        # treat dest:src:dest as a 48-bit value and shift it (the common hardware behaviour)
        "SHLD: (dest:src:dest << count) >> 32": lambda d, s, c: ((((d << 32) | (s << 16) | d) << c) >> 32) & 0xFFFF,
        "SHRD: (dest:src:dest >> count)": lambda d, s, c: ((((d << 32) | (s << 16) | d) >> c)) & 0xFFFF,
        "SHRD: (src:dest... >> count) 48-bit src:src:dest": lambda d, s, c: ((((s << 32) | (s << 16) | d) >> c)) & 0xFFFF,
        "SHRD: ((dest:src:dest) rotate) variant": lambda d, s, c: ((((d << 32) | (s << 16) | d) >> c) | (d << (48 - c))) & 0xFFFF,
        "SHLD: (src:dest:src << count) >> 32": lambda d, s, c: ((((s << 32) | (d << 16) | s) << c) >> 32) & 0xFFFF,
        "SHLD: count-16 shift of src:dest": lambda d, s, c: ((((s << 16) | d) << (c - 16)) >> 16) & 0xFFFF,
        "SHRD: count-16 shift of dest:src": lambda d, s, c: ((((d << 16) | s) >> (c - 16))) & 0xFFFF,
        "SHLD: 32-bit semantics on dest:src": lambda d, s, c: ((((d << 16) | s) << c | ((s << 16 | d) >> (32 - c))) >> 16) & 0xFFFF,
        "SHLD: rol16(src, count-16)": lambda d, s, c: ((s << (c - 16)) | (s >> (32 - c))) & 0xFFFF,
        "SHRD: ror16(src, count-16)": lambda d, s, c: ((s >> (c - 16)) | (s << (32 - c))) & 0xFFFF,
    }
    ok = []
    for name, f in cands.items():
        if ("SHLD" in name) != (tag == "shld16"):
            continue
        good = True
        for v, m in lst:
            got, _ = shld_result(v, m)
            if f(m.ctx["orig"], m.ctx["src"], m.ctx["count"]) != got:
                good = False
                break
        if good:
            ok.append(name)
    return ok


if __name__ == "__main__":
    sys.exit(main())
