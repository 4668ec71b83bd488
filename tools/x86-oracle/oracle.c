/*
 * oracle.c - differential test corpus generator for the Denali ISA.
 *
 * Runs single 32-bit x86 integer instructions on the real CPU of this machine
 * and prints, for each, the input state and what the CPU did.  Freestanding:
 * no libc, raw int 0x80 syscalls (see start.S).  The line format is
 * documented in README.md; OracleCorpusTest replays every line against
 * denali.isa.interp.Cpu.
 *
 * Usage: oracle OUTDIR        writes OUTDIR/<group>.txt for every group
 */

typedef unsigned char u8;
typedef signed char s8;
typedef unsigned short u16;
typedef short s16;
typedef unsigned int u32;
typedef int s32;
typedef unsigned long long u64;
typedef long long s64;

/* ------------------------------------------------------------ start.S */
extern int sys6(int nr, int a1, int a2, int a3, int a4, int a5, int a6);
extern int run_vector(void);
extern void vector_return(void);
extern void fault_handler(void);
extern u32 g_in[9], g_out[9];
extern volatile u32 g_faulted, g_fault_eip;

#define SYS_exit 1
#define SYS_write 4
#define SYS_open 5
#define SYS_close 6
#define SYS_rt_sigaction 174
#define SYS_sigaltstack 186
#define SYS_mmap2 192

#define CODE 0x00010000u
#define DATA 0x00020000u
#define WIN 256               /* the data window: DATA .. DATA+255 */
#define STACK0 0x00020080u    /* default ESP */

static u8 *const code = (u8 *)CODE;
static u8 *const data = (u8 *)DATA;

/* gcc may emit calls to these even when freestanding */
void *memcpy(void *d, const void *s, unsigned n) {
    u8 *dd = d;
    const u8 *ss = s;
    while (n--) *dd++ = *ss++;
    return d;
}
void *memset(void *d, int c, unsigned n) {
    u8 *dd = d;
    while (n--) *dd++ = (u8)c;
    return d;
}

static int slen(const char *s) {
    int n = 0;
    while (s[n]) n++;
    return n;
}

static void wr(int fd, const char *s, int n) {
    while (n > 0) {
        int k = sys6(SYS_write, fd, (int)s, n, 0, 0, 0);
        if (k <= 0) sys6(SYS_exit, 3, 0, 0, 0, 0, 0);
        s += k;
        n -= k;
    }
}

/* ------------------------------------------------------------ stderr logging */
static char ebuf[512];
static int elen;
static void e_s(const char *s) {
    while (*s && elen < (int)sizeof ebuf - 1) ebuf[elen++] = *s++;
}
static void e_hex(u32 v, int digits) {
    for (int i = digits - 1; i >= 0; i--) {
        if (elen < (int)sizeof ebuf - 1) ebuf[elen++] = "0123456789abcdef"[(v >> (4 * i)) & 15];
    }
}
static void e_dec(u32 v) {
    char t[12];
    int n = 0;
    do { t[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n) { char c[2] = {t[--n], 0}; e_s(c); }
}
static void e_end(void) {
    ebuf[elen++] = '\n';
    wr(2, ebuf, elen);
    elen = 0;
}
static void die(const char *s) {
    e_s("oracle: ");
    e_s(s);
    e_end();
    sys6(SYS_exit, 2, 0, 0, 0, 0, 0);
}

/* ------------------------------------------------------------ buffered output file */
static int ofd = -1;
static char obuf[1 << 16];
static int olen;
static void oflush(void) {
    wr(ofd, obuf, olen);
    olen = 0;
}
static void oc(char c) {
    if (olen == (int)sizeof obuf) oflush();
    obuf[olen++] = c;
}
static void os(const char *s) {
    while (*s) oc(*s++);
}
static void ohex(u32 v, int digits) {
    for (int i = digits - 1; i >= 0; i--) oc("0123456789abcdef"[(v >> (4 * i)) & 15]);
}

/* ------------------------------------------------------------ generator PRNG (not replayed) */
static u64 rs = 0x2545F4914F6CDD1Dull;
static u32 rnd32(void) {
    rs ^= rs >> 12;
    rs ^= rs << 25;
    rs ^= rs >> 27;
    return (u32)((rs * 0x2545F4914F6CDD1Dull) >> 32);
}
/* uniform in [0, n) */
static u32 rnd(u32 n) {
    return (u32)(((u64)rnd32() * n) >> 32);
}

/* ------------------------------------------------------------ window PRNG (replayed in Java) */
/* The input window is xorshift32(seed) words, little-endian; seed 0 gives all zeros. */
static void winfill(u32 seed, u8 *w) {
    u32 x = seed;
    for (int i = 0; i < WIN / 4; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        w[4 * i] = (u8)x;
        w[4 * i + 1] = (u8)(x >> 8);
        w[4 * i + 2] = (u8)(x >> 16);
        w[4 * i + 3] = (u8)(x >> 24);
    }
}

/* ------------------------------------------------------------ 64-bit division without libgcc */
static u64 udiv64(u64 n, u64 d) {
    u64 q = 0, r = 0;
    for (int i = 63; i >= 0; i--) {
        r = (r << 1) | ((n >> i) & 1);
        if (r >= d) {
            r -= d;
            q |= 1ull << i;
        }
    }
    return q;
}

/* ------------------------------------------------------------ the vector under construction */
static struct {
    char tag[24];
    u8 insn[24];
    int len;
    u32 r[8];
    u32 efl;
    u32 seed;
    u8 win[WIN];
} V;

enum { EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI };
static const char *const RN[8] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};

#define CF 0x001
#define PF 0x004
#define AF 0x010
#define ZF 0x040
#define SF 0x080
#define DF 0x400
#define OF 0x800
#define FLAGMASK (CF | PF | AF | ZF | SF | DF | OF)

static u32 group_count, total_count, total_faults, total_inconsistent;

static u32 edge(int sz);

static void settag(const char *m, int sz) {
    int n = 0;
    while (*m && n < 18) V.tag[n++] = *m++;
    if (sz) {
        if (sz >= 10) V.tag[n++] = (char)('0' + sz / 10);
        V.tag[n++] = (char)('0' + sz % 10);
    }
    V.tag[n] = 0;
}

/* A background register value: random or an edge value, every byte lane interesting. */
static u32 bgval(void) {
    u32 k = rnd(8);
    if (k < 1) return rnd32();
    if (k < 4) return edge(32);
    if (k < 5) return (rnd32() & 0xffff0000u) | edge(16);
    if (k < 6) return (edge(16) << 16) | edge(8) << 8 | edge(8);
    return edge(8) | edge(8) << 8 | edge(16) << 16;
}

static void vbegin(const char *m, int sz) {
    settag(m, sz);
    V.len = 0;
    for (int i = 0; i < 8; i++) V.r[i] = bgval();
    V.r[ESP] = STACK0;
    V.efl = 0x2 | (rnd32() & FLAGMASK);
    V.seed = rnd(24) == 0 ? 0 : (rnd(0x10000) | 1);
    winfill(V.seed, V.win);
}

static void B(u32 x) {
    V.insn[V.len++] = (u8)x;
}
static void I8(u32 x) {
    B(x);
}
static void I16(u32 x) {
    B(x);
    B(x >> 8);
}
static void I32(u32 x) {
    B(x);
    B(x >> 8);
    B(x >> 16);
    B(x >> 24);
}
static void Iz(int sz, u32 x) {
    if (sz == 8) I8(x);
    else if (sz == 16) I16(x);
    else I32(x);
}
static void osz(int sz) {
    if (sz == 16) B(0x66);
}

static u32 szmask(int sz) {
    return sz == 32 ? 0xffffffffu : (1u << sz) - 1;
}

/* register access by operand size; 8-bit numbers 4..7 are AH CH DH BH */
static void setr(int r, int sz, u32 v) {
    if (sz == 32) {
        if (r != ESP) V.r[r] = v;
    } else if (sz == 16) {
        if (r != ESP) V.r[r] = (V.r[r] & 0xffff0000u) | (v & 0xffff);
    } else if (r < 4) {
        V.r[r] = (V.r[r] & ~0xffu) | (v & 0xff);
    } else {
        V.r[r - 4] = (V.r[r - 4] & ~0xff00u) | (v & 0xff) << 8;
    }
}
static u32 getr(int r, int sz) {
    if (sz == 32) return V.r[r];
    if (sz == 16) return V.r[r] & 0xffff;
    if (r < 4) return V.r[r] & 0xff;
    return (V.r[r - 4] >> 8) & 0xff;
}
/* the 32-bit register an operand-size register number lives in */
static int reg32of(int r, int sz) {
    return sz == 8 ? (r & 3) : r;
}

static void wput(int off, int bytes, u32 v) {
    for (int i = 0; i < bytes; i++) V.win[off + i] = (u8)(v >> (8 * i));
}
static u32 wget(int off, int bytes) {
    u32 v = 0;
    for (int i = 0; i < bytes; i++) v |= (u32)V.win[off + i] << (8 * i);
    return v;
}

/* ------------------------------------------------------------ operand values */
static const u32 E32[] = {0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000u,
                          0xffffffffu, 0xfffffffeu};
static const u32 E16[] = {0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0xfffe};
static const u32 E8[] = {0, 1, 2, 0x7f, 0x80, 0xff, 0xfe, 0x81};
static const u32 X32[] = {3, 0x100, 0x10000, 0x80000001u, 0x7ffffffeu, 0xffff8000u, 0xffffff80u, 0x55555555,
                          0xaaaaaaaau, 0x0000ff00, 0x00ff0000, 0xff000000u, 0x01000000, 0x40000000};
static const u32 X16[] = {3, 0x100, 0x8001, 0x7ffe, 0xff80, 0x5555, 0xaaaa, 0x4000, 0xff00};
static const u32 X8[] = {3, 0x7e, 0x0f, 0x10, 0xf0, 0x55, 0xaa, 0x40, 0xc0};
#define NE(a) ((int)(sizeof(a) / sizeof(a[0])))

static int edges(int sz, const u32 **e) {
    if (sz == 8) { *e = E8; return NE(E8); }
    if (sz == 16) { *e = E16; return NE(E16); }
    *e = E32;
    return NE(E32);
}

static u32 edge(int sz) {
    if (rnd(4) == 0) {
        if (sz == 8) return X8[rnd(NE(X8))];
        if (sz == 16) return X16[rnd(NE(X16))];
        return X32[rnd(NE(X32))];
    }
    const u32 *e;
    int n = edges(sz, &e);
    return e[rnd(n)];
}

/* An operand value whose low sz bits are interesting; the bits above are random. */
static u32 val(int sz) {
    u32 k = rnd(100), x;
    if (k < 45) x = edge(sz);
    else if (k < 55) x = rnd(40);
    else if (k < 62) x = -rnd(40);
    else if (k < 68) x = 1u << rnd(sz);
    else if (k < 72) x = ~(1u << rnd(sz));
    else x = rnd32();
    if (sz < 32) x = (rnd32() & ~szmask(sz)) | (x & szmask(sz));
    return x;
}

/* a register number for an operand of size sz; ESP (16/32-bit) only rarely */
static int pick_reg(int sz) {
    for (;;) {
        int r = (int)rnd(8);
        if (sz == 8 || r != ESP || rnd(12) == 0) return r;
    }
}

/* ------------------------------------------------------------ ModRM / SIB */
static u32 inv_odd(u32 c) {
    u32 x = c;
    for (int i = 0; i < 5; i++) x *= 2 - c * x;
    return x;
}

/*
 * Appends a memory-form ModRM (+SIB, +displacement) with reg field regf and
 * sets base/index registers (never ESP, never a register in avoid) so that
 * the effective address is DATA + t for some t in [tlo, thi]; returns t.
 * Addressing forms are chosen at random over every mod/rm/SIB combination.
 */
static int modrm_mem(int regf, int tlo, int thi, u32 avoid) {
    for (int tries = 0; tries < 1000; tries++) {
        int t = tlo + (int)rnd((u32)(thi - tlo + 1));
        u32 target = DATA + (u32)t;
        int mod = (int)rnd(3), rm = (int)rnd(8);
        int base = -1, index = -1, ss = 0, sib = -1, dsize = mod == 1 ? 1 : mod == 2 ? 4 : 0;
        if (rm != 4) {
            if (mod == 0 && rm == 5) dsize = 4;
            else base = rm;
        } else {
            ss = (int)rnd(4);
            int ix = (int)rnd(8), bs = (int)rnd(8);
            sib = ss << 6 | ix << 3 | bs;
            if (ix != 4) index = ix;
            if (bs == 5 && mod == 0) dsize = 4;
            else base = bs;
        }
        if ((base >= 0 && (avoid >> base & 1)) || (index >= 0 && (avoid >> index & 1))) continue;
        u32 scale = 1u << ss;
        u32 rr[8];
        for (int i = 0; i < 8; i++) rr[i] = V.r[i];
        u32 disp = 0;
        if (dsize == 1) disp = (u32)(s32)(s8)rnd32();
        else if (dsize == 4) disp = rnd(2) ? (u32)((s32)rnd(256) - 128) : rnd32();
        /* candidates that can absorb the difference: 0 base, 1 index, 2 disp32 */
        int cand[3], nc = 0;
        if (base >= 0 && base != ESP) cand[nc++] = 0;
        if (index >= 0) cand[nc++] = 1;
        if (dsize == 4) cand[nc++] = 2;
        for (int i = nc - 1; i > 0; i--) {
            int j = (int)rnd((u32)i + 1), x = cand[i];
            cand[i] = cand[j];
            cand[j] = x;
        }
        int ok = 0;
        for (int ci = 0; ci < nc && !ok; ci++) {
            u32 coef, rest;
            if (cand[ci] == 0) {
                coef = 1 + (index == base ? scale : 0);
                rest = disp + (index >= 0 && index != base ? rr[index] * scale : 0);
            } else if (cand[ci] == 1) {
                coef = scale + (base == index ? 1 : 0);
                rest = disp + (base >= 0 && base != index ? rr[base] : 0);
            } else {
                coef = 1;
                rest = (base >= 0 ? rr[base] : 0) + (index >= 0 ? rr[index] * scale : 0);
            }
            u32 need = target - rest, x;
            int k = 0;
            while (!((coef >> k) & 1)) k++;
            if (need & ((1u << k) - 1)) continue;
            x = (need >> k) * inv_odd(coef >> k);
            if (k) x = (x & (0xffffffffu >> k)) | (rnd32() << (32 - k));
            if (cand[ci] == 0) rr[base] = x;
            else if (cand[ci] == 1) rr[index] = x;
            else disp = x;
            ok = 1;
        }
        if (!ok) {
            /* nothing free (ESP base, disp8 or none): let disp8 hit the target */
            u32 sum = (base >= 0 ? rr[base] : 0) + (index >= 0 ? rr[index] * scale : 0);
            s32 need = (s32)(target - sum);
            if (dsize == 1 && need >= -128 && need <= 127) disp = (u32)need;
            else if (dsize == 0 && need == 0) disp = 0;
            else continue;
        }
        u32 ea = (base >= 0 ? rr[base] : 0) + (index >= 0 ? rr[index] * scale : 0) + disp;
        if (ea != target) die("modrm_mem: address solver bug");
        for (int i = 0; i < 8; i++) V.r[i] = rr[i];
        B((u32)(mod << 6 | regf << 3 | rm));
        if (sib >= 0) B((u32)sib);
        if (dsize == 1) I8(disp);
        else if (dsize == 4) I32(disp);
        return t;
    }
    die("modrm_mem: no addressing form found");
    return 0;
}

/* an r/m operand: a register or a window location */
typedef struct {
    int mem, reg, off, sz;
} RM;

static RM rm_opx(int regf, int sz, int mem, u32 avoid) {
    RM o;
    o.sz = sz;
    o.mem = mem;
    o.reg = -1;
    o.off = -1;
    if (mem) {
        o.off = modrm_mem(regf, 0, WIN - sz / 8, avoid);
    } else {
        o.reg = pick_reg(sz);
        B((u32)(0xC0 | regf << 3 | o.reg));
    }
    return o;
}
static RM rm_op(int regf, int sz, int mem) {
    return rm_opx(regf, sz, mem, 0);
}
static void rm_set(const RM *o, u32 v) {
    if (o->mem) wput(o->off, o->sz / 8, v);
    else setr(o->reg, o->sz, v);
}
static u32 rm_get(const RM *o) {
    return o->mem ? wget(o->off, o->sz / 8) : getr(o->reg, o->sz);
}

/* ------------------------------------------------------------ running and printing */
static void put_runs(const u8 *before, const u8 *after) {
    for (int i = 0; i < WIN;) {
        if (before[i] == after[i]) {
            i++;
            continue;
        }
        int j = i;
        while (j < WIN && before[j] != after[j]) j++;
        oc(' ');
        ohex((u32)i, 2);
        oc(':');
        for (int k = i; k < j; k++) ohex(after[k], 2);
        i = j;
    }
}

static void log_vector(const char *what) {
    e_s(what);
    e_s(" ");
    e_s(V.tag);
    e_s(" ");
    for (int i = 0; i < V.len; i++) e_hex(V.insn[i], 2);
    for (int i = 0; i < 8; i++) {
        e_s(" ");
        e_hex(V.r[i], 8);
    }
    e_s(" efl=");
    e_hex(V.efl, 8);
}

static int emit(void) {
    static u8 w1[WIN], ref[WIN];
    u32 o1[9];
    for (int i = 0; i < V.len; i++) code[i] = V.insn[i];
    u32 next = CODE + (u32)V.len;
    code[V.len] = 0xE9;
    u32 rel = (u32)vector_return - (next + 5);
    for (int i = 0; i < 4; i++) code[V.len + 1 + i] = (u8)(rel >> (8 * i));

    for (int pass = 0; pass < 2; pass++) {
        memset(data, 0, 4096);
        memcpy(data, V.win, WIN);
        for (int i = 0; i < 8; i++) g_in[i] = V.r[i];
        g_in[8] = V.efl;
        g_faulted = 0;
        if (run_vector()) {
            total_faults++;
            log_vector("FAULT");
            e_s(" signal ");
            e_dec(g_faulted);
            e_s(" at eip ");
            e_hex(g_fault_eip, 8);
            e_end();
            return 0;
        }
        for (int i = WIN; i < 4096; i++) {
            if (data[i]) {
                log_vector("OUTSIDE-WINDOW-WRITE");
                e_end();
                die("an instruction wrote outside the data window");
            }
        }
        if (pass == 0) {
            for (int i = 0; i < 9; i++) o1[i] = g_out[i];
            memcpy(w1, data, WIN);
        } else {
            int same = 1;
            for (int i = 0; i < 9; i++) if (o1[i] != g_out[i]) same = 0;
            for (int i = 0; i < WIN; i++) if (w1[i] != data[i]) same = 0;
            if (!same) {
                total_inconsistent++;
                log_vector("INCONSISTENT");
                e_s(" eflags ");
                e_hex(o1[8], 8);
                e_s(" vs ");
                e_hex(g_out[8], 8);
                e_end();
                return 0;
            }
        }
    }

    os(V.tag);
    oc(' ');
    for (int i = 0; i < V.len; i++) ohex(V.insn[i], 2);
    os(" |");
    for (int i = 0; i < 8; i++) {
        oc(' ');
        ohex(V.r[i], 8);
    }
    oc(' ');
    ohex(V.efl, 8);
    oc(' ');
    ohex(V.seed, 8);
    winfill(V.seed, ref);
    put_runs(ref, V.win);
    os(" | ");
    ohex(o1[8], 8);
    for (int i = 0; i < 8; i++) {
        if (o1[i] != V.r[i]) {
            oc(' ');
            os(RN[i]);
            oc('=');
            ohex(o1[i], 8);
        }
    }
    put_runs(V.win, w1);
    oc('\n');
    group_count++;
    total_count++;
    return 1;
}

/* ------------------------------------------------------------ groups */
static char outdir[256];
static const char *gname;

static void group_begin(const char *name) {
    char path[320];
    int n = 0;
    for (int i = 0; outdir[i]; i++) path[n++] = outdir[i];
    path[n++] = '/';
    for (int i = 0; name[i]; i++) path[n++] = name[i];
    path[n++] = '.';
    path[n++] = 't';
    path[n++] = 'x';
    path[n++] = 't';
    path[n] = 0;
    ofd = sys6(SYS_open, (int)path, 01 | 0100 | 01000, 0644, 0, 0, 0); /* O_WRONLY|O_CREAT|O_TRUNC */
    if (ofd < 0) die("cannot open output file");
    group_count = 0;
    gname = name;
}

static void group_end(void) {
    oflush();
    sys6(SYS_close, ofd, 0, 0, 0, 0, 0);
    e_s("group ");
    e_s(gname);
    e_s(": ");
    e_dec(group_count);
    e_s(" vectors");
    e_end();
}

static const int SZ[3] = {8, 16, 32};

/* ---- ALU: ADD OR ADC SBB AND SUB XOR CMP, TEST ---- */
static const char *const ALU[8] = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};

#define NALU 400

static void alu_systematic(const char *m, int op8, int op, int sz) {
    /* every pair of edge values, register-register, CF in = 0 and 1 */
    const u32 *e;
    int ne = edges(sz, &e);
    for (int a = 0; a < ne; a++) {
        for (int b = 0; b < ne; b++) {
            for (int cf = 0; cf < 2; cf++) {
                vbegin(m, sz);
                osz(sz);
                B(sz == 8 ? op8 : op);
                int rf, rm;
                do { rf = (int)rnd(8); } while (sz > 8 && rf == ESP);
                do { rm = (int)rnd(8); } while (rm == rf || (sz > 8 && rm == ESP));
                B((u32)(0xC0 | rf << 3 | rm));
                setr(rm, sz, e[a]);
                setr(rf, sz, e[b]);
                V.efl = (V.efl & ~CF) | (u32)cf;
                emit();
            }
        }
    }
}

static void gen_alu(void) {
    group_begin("alu");
    for (int op = 0; op < 8; op++) {
        for (int si = 0; si < 3; si++) {
            int sz = SZ[si];
            alu_systematic(ALU[op], op * 8, op * 8 + 1, sz);
            for (int form = 0; form < 5; form++) {
                if (form == 4 && sz == 8) continue;
                for (int n = 0; n < NALU; n++) {
                    vbegin(ALU[op], sz);
                    osz(sz);
                    int mem = n & 1;
                    if (form == 0 || form == 1) {
                        /* 00/01 r/m, r   and   02/03 r, r/m */
                        B((u32)(op * 8 + form * 2 + (sz == 8 ? 0 : 1)));
                        int rf = pick_reg(sz);
                        setr(rf, sz, val(sz));
                        RM o = rm_op(rf, sz, mem);
                        if (rnd(10) == 0 && (mem || o.reg != rf)) rm_set(&o, getr(rf, sz));
                        else rm_set(&o, val(sz));
                    } else if (form == 2) {
                        /* 04/05 AL/eAX, imm */
                        B((u32)(op * 8 + 4 + (sz == 8 ? 0 : 1)));
                        setr(EAX, sz, val(sz));
                        Iz(sz, rnd(10) == 0 ? getr(EAX, sz) : val(sz));
                    } else if (form == 3) {
                        /* 80/81 /op r/m, imm */
                        B(sz == 8 ? 0x80 : 0x81);
                        RM o = rm_op(op, sz, mem);
                        rm_set(&o, val(sz));
                        Iz(sz, val(sz));
                    } else {
                        /* 83 /op r/m, imm8 sign-extended */
                        B(0x83);
                        RM o = rm_op(op, sz, mem);
                        rm_set(&o, val(sz));
                        I8(val(8));
                    }
                    emit();
                }
            }
        }
    }
    /* TEST: 84/85, A8/A9, F6/F7 /0 */
    for (int si = 0; si < 3; si++) {
        int sz = SZ[si];
        for (int form = 0; form < 3; form++) {
            for (int n = 0; n < NALU; n++) {
                vbegin("test", sz);
                osz(sz);
                int mem = n & 1;
                if (form == 0) {
                    B(sz == 8 ? 0x84 : 0x85);
                    int rf = pick_reg(sz);
                    setr(rf, sz, val(sz));
                    RM o = rm_op(rf, sz, mem);
                    rm_set(&o, val(sz));
                } else if (form == 1) {
                    B(sz == 8 ? 0xA8 : 0xA9);
                    setr(EAX, sz, val(sz));
                    Iz(sz, val(sz));
                } else {
                    B(sz == 8 ? 0xF6 : 0xF7);
                    RM o = rm_op(0, sz, mem);
                    rm_set(&o, val(sz));
                    Iz(sz, val(sz));
                }
                emit();
            }
        }
    }
    group_end();
}

/* ---- INC DEC NOT NEG ---- */
static void gen_unary(void) {
    group_begin("unary");
    for (int si = 1; si < 3; si++) {
        int sz = SZ[si];
        for (int r = 0; r < 8; r++) {
            for (int d = 0; d < 2; d++) {
                for (int n = 0; n < 40; n++) {
                    vbegin(d ? "dec" : "inc", sz);
                    osz(sz);
                    B((u32)(0x40 + 8 * d + r));
                    setr(r, sz, val(sz));
                    emit();
                }
            }
        }
    }
    static const char *const UN[4] = {"inc", "dec", "not", "neg"};
    for (int u = 0; u < 4; u++) {
        for (int si = 0; si < 3; si++) {
            int sz = SZ[si];
            /* every edge value with CF in 0 and 1, then random */
            const u32 *e;
            int ne = edges(sz, &e);
            for (int n = 0; n < 2 * ne + 360; n++) {
                vbegin(UN[u], sz);
                osz(sz);
                if (u < 2) B(sz == 8 ? 0xFE : 0xFF);
                else B(sz == 8 ? 0xF6 : 0xF7);
                RM o = rm_op(u, sz, n & 1);
                if (n < 2 * ne) {
                    rm_set(&o, e[n / 2]);
                    V.efl = (V.efl & ~CF) | (u32)(n & 1);
                } else {
                    rm_set(&o, val(sz));
                }
                emit();
            }
        }
    }
    group_end();
}

/* ---- MUL IMUL DIV IDIV ---- */
static int div_ok(int sz, int sign, u64 n, u32 d) {
    int w = 2 * sz;
    u64 nm = w == 64 ? ~0ull : (1ull << w) - 1;
    n &= nm;
    d &= szmask(sz);
    if (d == 0) return 0;
    if (!sign) return udiv64(n, d) <= szmask(sz);
    int nneg = (int)((n >> (w - 1)) & 1), dneg = (int)((d >> (sz - 1)) & 1);
    u64 an = nneg ? ((~n + 1) & nm) : n;
    u64 ad = dneg ? ((~(u64)d + 1) & szmask(sz)) : d;
    if (dneg && ad == 0) ad = 1ull << sz; /* cannot happen: d != 0 */
    u64 q = udiv64(an, ad);
    if (nneg != dneg) return q <= (1ull << (sz - 1));
    return q <= (1ull << (sz - 1)) - 1;
}

static u64 dividend(int sz) {
    if (sz == 8) return V.r[EAX] & 0xffff;
    if (sz == 16) return (V.r[EAX] & 0xffff) | (u64)(V.r[EDX] & 0xffff) << 16;
    return V.r[EAX] | (u64)V.r[EDX] << 32;
}
static void set_dividend(int sz, u64 n) {
    if (sz == 8) setr(EAX, 16, (u32)n);
    else if (sz == 16) {
        setr(EAX, 16, (u32)n);
        setr(EDX, 16, (u32)(n >> 16));
    } else {
        V.r[EAX] = (u32)n;
        V.r[EDX] = (u32)(n >> 32);
    }
}

static s32 sext(u32 v, int sz) {
    return sz == 32 ? (s32)v : sz == 16 ? (s32)(s16)v : (s32)(s8)v;
}

static void gen_muldiv(void) {
    group_begin("muldiv");
    /* F6/F7 /4 MUL, /5 IMUL: systematic edge pairs, then random */
    for (int op = 4; op <= 5; op++) {
        for (int si = 0; si < 3; si++) {
            int sz = SZ[si];
            const u32 *e;
            int ne = edges(sz, &e);
            for (int n = 0; n < ne * ne + 700; n++) {
                vbegin(op == 4 ? "mul" : "imul", sz);
                osz(sz);
                B(sz == 8 ? 0xF6 : 0xF7);
                RM o = rm_opx(op, sz, n >= ne * ne && (n & 1), 1u << EAX);
                if (n < ne * ne) {
                    setr(EAX, sz, e[n / ne]);
                    rm_set(&o, e[n % ne]);
                } else {
                    setr(EAX, sz, val(sz));
                    rm_set(&o, val(sz));
                }
                emit();
            }
        }
    }
    /* 0F AF IMUL r, r/m */
    for (int si = 1; si < 3; si++) {
        int sz = SZ[si];
        const u32 *e;
        int ne = edges(sz, &e);
        for (int n = 0; n < ne * ne + 700; n++) {
            vbegin("imul", sz);
            osz(sz);
            B(0x0F);
            B(0xAF);
            int rf = pick_reg(sz);
            int sys = n < ne * ne;
            setr(rf, sz, sys ? e[n / ne] : val(sz));
            RM o = rm_op(rf, sz, !sys && (n & 1));
            if (!(sys && !o.mem && o.reg == rf)) rm_set(&o, sys ? e[n % ne] : val(sz));
            emit();
        }
    }
    /* 69 IMUL r, r/m, imm16/32 and 6B IMUL r, r/m, imm8 */
    for (int si = 1; si < 3; si++) {
        int sz = SZ[si];
        for (int opc = 0; opc < 2; opc++) {
            for (int n = 0; n < 800; n++) {
                vbegin("imul", sz);
                osz(sz);
                B(opc ? 0x6B : 0x69);
                int rf = pick_reg(sz);
                setr(rf, sz, val(sz));
                RM o = rm_op(rf, sz, n & 1);
                rm_set(&o, val(sz));
                if (opc) I8(val(8));
                else Iz(sz, val(sz));
                emit();
            }
        }
    }
    /* F6/F7 /6 DIV, /7 IDIV: operands constructed so the quotient fits */
    for (int op = 6; op <= 7; op++) {
        int sign = op == 7;
        for (int si = 0; si < 3; si++) {
            int sz = SZ[si];
            u32 m = szmask(sz);
            for (int n = 0; n < 1600; n++) {
                vbegin(sign ? "idiv" : "div", sz);
                osz(sz);
                B(sz == 8 ? 0xF6 : 0xF7);
                RM o = rm_opx(op, sz, n & 1, 1u << EAX | 1u << EDX);
                int ok = 0;
                for (int tries = 0; tries < 40 && !ok; tries++) {
                    u32 d;
                    do { d = val(sz) & m; } while (d == 0);
                    u64 nn;
                    u32 kind = rnd(10);
                    if (kind == 0 || tries > 20) {
                        /* random dividend with a small high half */
                        nn = ((u64)rnd(tries > 30 ? 2 : (d & m)) << sz) | (rnd32() & m);
                        if (tries > 30) nn = rnd32() & m;
                    } else if (!sign) {
                        u32 q = kind == 1 ? m : kind == 2 ? m - rnd(3) : kind < 5 ? rnd32() & m : val(sz) & m;
                        u32 r = rnd(3) == 0 ? 0 : rnd(3) == 0 ? d - 1 : rnd(d);
                        nn = (u64)q * d + r;
                    } else {
                        s32 sd = sext(d, sz);
                        s64 qmax = (1ll << (sz - 1)) - 1, qmin = -(1ll << (sz - 1));
                        s64 q = kind == 1 ? qmax : kind == 2 ? qmin : kind == 3 ? qmax - rnd(3) : kind == 4 ? qmin + rnd(3)
                              : kind < 7 ? (s64)sext(rnd32(), sz) : (s64)sext(val(sz), sz);
                        u32 ad = sd < 0 ? (u32)(-(s64)sd) : (u32)sd;
                        u32 ar = rnd(3) == 0 ? 0 : rnd(3) == 0 ? ad - 1 : rnd(ad);
                        s64 prod = q * (s64)sd;
                        s64 r = prod > 0 ? (s64)ar : prod < 0 ? -(s64)ar : (rnd(2) ? (s64)ar : -(s64)ar);
                        nn = (u64)(prod + r);
                    }
                    set_dividend(sz, nn);
                    rm_set(&o, d);
                    ok = div_ok(sz, sign, dividend(sz), rm_get(&o));
                }
                if (ok) emit();
            }
        }
    }
    group_end();
}

/* ---- shifts and rotates ---- */
static const char *const SH[8] = {"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"};
static const u32 COUNTS[] = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 255};

static u32 shcount(int n) {
    if (n < NE(COUNTS) * 16) return COUNTS[n / 16];
    return rnd(2) ? rnd(40) : rnd(256);
}

static void gen_shift(void) {
    group_begin("shift");
    for (int op = 0; op < 8; op++) {
        for (int si = 0; si < 3; si++) {
            int sz = SZ[si];
            /* D0/D1: count 1 */
            for (int n = 0; n < 80; n++) {
                vbegin(SH[op], sz);
                osz(sz);
                B(sz == 8 ? 0xD0 : 0xD1);
                RM o = rm_op(op, sz, n & 1);
                rm_set(&o, val(sz));
                emit();
            }
            /* D2/D3: count in CL (upper ECX random) */
            for (int n = 0; n < NE(COUNTS) * 16 + 100; n++) {
                vbegin(SH[op], sz);
                osz(sz);
                B(sz == 8 ? 0xD2 : 0xD3);
                setr(ECX, 8, shcount(n));
                RM o = rm_op(op, sz, n & 1);
                if (o.mem || (o.reg & 3) != ECX) rm_set(&o, val(sz));
                emit();
            }
            /* C0/C1: count imm8 */
            for (int n = 0; n < NE(COUNTS) * 16 + 100; n++) {
                vbegin(SH[op], sz);
                osz(sz);
                B(sz == 8 ? 0xC0 : 0xC1);
                RM o = rm_op(op, sz, n & 1);
                rm_set(&o, val(sz));
                I8(shcount(n));
                emit();
            }
        }
    }
    group_end();
}

/* ---- SHLD SHRD ---- */
static void gen_shld(void) {
    group_begin("shld");
    for (int opc = 0; opc < 4; opc++) {
        /* 0F A4 shld imm8, A5 shld cl, AC shrd imm8, AD shrd cl */
        static const u8 OPC[4] = {0xA4, 0xA5, 0xAC, 0xAD};
        for (int si = 1; si < 3; si++) {
            int sz = SZ[si];
            for (int n = 0; n < 41 * 12 + 200; n++) {
                vbegin(opc < 2 ? "shld" : "shrd", sz);
                osz(sz);
                B(0x0F);
                B(OPC[opc]);
                u32 cnt = n < 41 * 12 ? (u32)(n / 12) : rnd(4) == 0 ? rnd(256) : rnd(4) == 0 ? 63 - rnd(2) : rnd(64);
                int rf = pick_reg(sz);
                setr(rf, sz, val(sz));
                if (opc & 1) setr(ECX, 8, cnt);
                RM o = rm_op(rf, sz, n & 1);
                if (o.mem || (o.reg != rf && o.reg != ECX)) rm_set(&o, val(sz));
                if (!(opc & 1)) I8(cnt);
                emit();
            }
        }
    }
    group_end();
}

/* ---- BT BTS BTR BTC, BSF BSR, BSWAP ---- */
static const char *const BT[4] = {"bt", "bts", "btr", "btc"};

static void gen_bit(void) {
    group_begin("bit");
    /* 0F A3/AB/B3/BB r/m, r */
    static const u8 BTR[4] = {0xA3, 0xAB, 0xB3, 0xBB};
    for (int op = 0; op < 4; op++) {
        for (int si = 1; si < 3; si++) {
            int sz = SZ[si];
            for (int n = 0; n < 900; n++) {
                vbegin(BT[op], sz);
                osz(sz);
                B(0x0F);
                B(BTR[op]);
                int rf = pick_reg(sz);
                if (!(n & 1)) {
                    setr(rf, sz, rnd(3) ? rnd32() : val(sz));
                    RM o = rm_op(rf, sz, 0);
                    if (o.reg != rf) rm_set(&o, val(sz));
                } else {
                    /* memory: signed bit offset in rf may leave the addressed word; stay in the window */
                    while (rf == ESP) rf = pick_reg(sz);
                    int t = modrm_mem(rf, 0x40, 0xB8, 1u << rf);
                    for (;;) {
                        s32 off = (s32)rnd(2 * 8 * 0x48) - 8 * 0x44;
                        if (rnd(8) == 0) off = (s32)rnd((u32)sz);
                        s32 ea = sz == 32 ? t + 4 * (off >> 5) : t + 2 * (off >> 4);
                        if (ea < 0 || ea + 4 > WIN) continue;
                        setr(rf, sz, (u32)off);
                        if (sz == 16 && rnd(2)) V.r[rf] ^= rnd32() & 0xffff0000u;
                        break;
                    }
                }
                emit();
            }
        }
    }
    /* 0F BA /4../7 r/m, imm8 */
    for (int op = 0; op < 4; op++) {
        for (int si = 1; si < 3; si++) {
            int sz = SZ[si];
            for (int n = 0; n < 500; n++) {
                vbegin(BT[op], sz);
                osz(sz);
                B(0x0F);
                B(0xBA);
                RM o = rm_op(4 + op, sz, n & 1);
                rm_set(&o, val(sz));
                I8(rnd(3) == 0 ? rnd(256) : rnd((u32)sz));
                emit();
            }
        }
    }
    /* 0F BC BSF, 0F BD BSR, including zero sources */
    for (int op = 0; op < 2; op++) {
        for (int si = 1; si < 3; si++) {
            int sz = SZ[si];
            for (int n = 0; n < 1000; n++) {
                vbegin(op ? "bsr" : "bsf", sz);
                osz(sz);
                B(0x0F);
                B(0xBC + op);
                int rf = pick_reg(sz);
                RM o = rm_op(rf, sz, n & 1);
                u32 k = rnd(10), v;
                if (k < 2) v = 0;
                else if (k < 4) v = 1u << rnd((u32)sz);
                else if (k < 5) v = (1u << rnd((u32)sz)) | (1u << rnd((u32)sz));
                else v = val(sz);
                if (o.mem || o.reg != rf) rm_set(&o, v);
                else if (k < 2) rm_set(&o, v);
                emit();
            }
        }
    }
    /* 0F C8+r BSWAP */
    for (int r = 0; r < 8; r++) {
        for (int n = 0; n < 40; n++) {
            vbegin("bswap", 32);
            B(0x0F);
            B(0xC8 + r);
            emit();
        }
    }
    group_end();
}

/* ---- MOV, MOVZX, MOVSX ---- */
static void gen_mov(void) {
    group_begin("mov");
    for (int si = 0; si < 3; si++) {
        int sz = SZ[si];
        /* 88/89 r/m, r and 8A/8B r, r/m */
        for (int dir = 0; dir < 2; dir++) {
            for (int n = 0; n < 300; n++) {
                vbegin("mov", sz);
                osz(sz);
                B((u32)(0x88 + 2 * dir + (sz == 8 ? 0 : 1)));
                int rf = pick_reg(sz);
                setr(rf, sz, val(sz));
                RM o = rm_op(rf, sz, n & 1);
                if (o.mem || o.reg != rf) rm_set(&o, val(sz));
                emit();
            }
        }
        /* C6/C7 /0 r/m, imm */
        for (int n = 0; n < 300; n++) {
            vbegin("mov", sz);
            osz(sz);
            B(sz == 8 ? 0xC6 : 0xC7);
            RM o = rm_op(0, sz, n & 1);
            rm_set(&o, val(sz));
            Iz(sz, val(sz));
            emit();
        }
        /* B0+r / B8+r imm */
        for (int r = 0; r < 8; r++) {
            for (int n = 0; n < 25; n++) {
                vbegin("mov", sz);
                osz(sz);
                B((u32)((sz == 8 ? 0xB0 : 0xB8) + r));
                Iz(sz, val(sz));
                emit();
            }
        }
        /* A0/A1 acc, moffs and A2/A3 moffs, acc */
        for (int dir = 0; dir < 2; dir++) {
            for (int n = 0; n < 150; n++) {
                vbegin("mov", sz);
                osz(sz);
                B((u32)(0xA0 + 2 * dir + (sz == 8 ? 0 : 1)));
                int t = (int)rnd((u32)(WIN - sz / 8 + 1));
                I32(DATA + (u32)t);
                wput(t, sz / 8, val(sz));
                setr(EAX, sz, val(sz));
                emit();
            }
        }
    }
    /* MOVZX 0F B6/B7, MOVSX 0F BE/BF, 16- and 32-bit destinations */
    static const u8 MX[4] = {0xB6, 0xB7, 0xBE, 0xBF};
    for (int k = 0; k < 4; k++) {
        int ssz = (k & 1) ? 16 : 8;
        for (int dsz = 16; dsz <= 32; dsz += 16) {
            for (int n = 0; n < 400; n++) {
                vbegin(k < 2 ? "movzx" : "movsx", dsz);
                osz(dsz);
                B(0x0F);
                B(MX[k]);
                int rf = pick_reg(dsz);
                RM o = rm_op(rf, ssz, n & 1);
                rm_set(&o, val(ssz));
                emit();
            }
        }
    }
    group_end();
}

/* ---- LEA: every mod/rm and SIB combination ---- */
static void gen_lea(void) {
    group_begin("lea");
    for (int mod = 0; mod < 3; mod++) {
        for (int rm = 0; rm < 8; rm++) {
            for (int sib = 0; sib < (rm == 4 ? 256 : 1); sib++) {
                for (int k = 0; k < (rm == 4 ? 3 : 24); k++) {
                    int sz = k % 3 == 2 ? 16 : 32;
                    vbegin("lea", sz);
                    osz(sz);
                    B(0x8D);
                    int rf = pick_reg(sz);
                    B((u32)(mod << 6 | rf << 3 | rm));
                    if (rm == 4) B((u32)sib);
                    int d32 = mod == 2 || (mod == 0 && rm == 5) || (mod == 0 && rm == 4 && (sib & 7) == 5);
                    if (mod == 1) I8(rnd32());
                    else if (d32) I32(rnd(2) ? val(32) : rnd32());
                    emit();
                }
            }
        }
    }
    group_end();
}

/* ---- XCHG, XADD, CMPXCHG ---- */
static void gen_xchg(void) {
    group_begin("xchg");
    for (int si = 0; si < 3; si++) {
        int sz = SZ[si];
        /* 86/87 */
        for (int n = 0; n < 400; n++) {
            vbegin("xchg", sz);
            osz(sz);
            B(sz == 8 ? 0x86 : 0x87);
            int rf = pick_reg(sz);
            setr(rf, sz, val(sz));
            RM o = rm_op(rf, sz, n & 1);
            if (o.mem || o.reg != rf) rm_set(&o, val(sz));
            emit();
        }
        /* 0F C0/C1 XADD */
        for (int n = 0; n < 500; n++) {
            vbegin("xadd", sz);
            osz(sz);
            B(0x0F);
            B(sz == 8 ? 0xC0 : 0xC1);
            int rf = pick_reg(sz);
            setr(rf, sz, val(sz));
            RM o = rm_op(rf, sz, n & 1);
            if (o.mem || o.reg != rf) rm_set(&o, val(sz));
            emit();
        }
        /* 0F B0/B1 CMPXCHG, equal and not equal */
        for (int n = 0; n < 700; n++) {
            vbegin("cmpxchg", sz);
            osz(sz);
            B(0x0F);
            B(sz == 8 ? 0xB0 : 0xB1);
            int rf = pick_reg(sz);
            setr(rf, sz, val(sz));
            setr(EAX, sz, val(sz));
            RM o = rm_opx(rf, sz, n & 1, 1u << EAX);
            if (o.mem || (o.reg != rf && reg32of(o.reg, sz) != EAX)) rm_set(&o, val(sz));
            if (n & 2) {
                /* make the accumulator equal the destination */
                u32 dv = rm_get(&o);
                setr(EAX, sz, dv);
                if (rm_get(&o) != dv) rm_set(&o, getr(EAX, sz));
            }
            emit();
        }
        if (sz == 8) continue;
        /* 90+r XCHG eAX, r */
        for (int r = 0; r < 8; r++) {
            for (int n = 0; n < 20; n++) {
                vbegin(r ? "xchg" : "nop", sz);
                osz(sz);
                B((u32)(0x90 + r));
                emit();
            }
        }
    }
    group_end();
}

/* ---- SETcc, CMOVcc ---- */
static void gen_cond(void) {
    group_begin("cond");
    static const char *const CC[16] = {"o", "no", "b", "ae", "e", "ne", "be", "a",
                                       "s", "ns", "p", "np", "l", "ge", "le", "g"};
    static const u32 FB[5] = {CF, PF, ZF, SF, OF};
    char m[12];
    for (int cc = 0; cc < 16; cc++) {
        for (int f = 0; f < 32; f++) {
            for (int k = 0; k < 6; k++) {
                int set = k < 2, sz = k < 2 ? 8 : (k < 4 ? 16 : 32), mem = k & 1;
                int n = 0;
                const char *p = set ? "set" : "cmov";
                while (*p) m[n++] = *p++;
                p = CC[cc];
                while (*p) m[n++] = *p++;
                m[n] = 0;
                vbegin(m, set ? 0 : sz);
                V.efl &= ~(CF | PF | ZF | SF | OF);
                for (int b = 0; b < 5; b++) if (f >> b & 1) V.efl |= FB[b];
                if (set) {
                    B(0x0F);
                    B(0x90 + cc);
                    RM o = rm_op(0, 8, mem);
                    rm_set(&o, val(8));
                } else {
                    osz(sz);
                    B(0x0F);
                    B(0x40 + cc);
                    int rf = pick_reg(sz);
                    setr(rf, sz, val(sz));
                    RM o = rm_op(rf, sz, mem);
                    if (o.mem || o.reg != rf) rm_set(&o, val(sz));
                }
                emit();
            }
        }
    }
    group_end();
}

/* ---- CBW CWDE CWD CDQ, CLC STC CMC CLD STD, LAHF SAHF ---- */
static void gen_misc(void) {
    group_begin("misc");
    static const struct { const char *m; u8 pfx, op; } M[] = {
        {"cbw", 0x66, 0x98}, {"cwde", 0, 0x98}, {"cwd", 0x66, 0x99}, {"cdq", 0, 0x99},
        {"clc", 0, 0xF8}, {"stc", 0, 0xF9}, {"cmc", 0, 0xF5}, {"cld", 0, 0xFC}, {"std", 0, 0xFD},
        {"lahf", 0, 0x9F}, {"sahf", 0, 0x9E},
    };
    for (int i = 0; i < NE(M); i++) {
        for (int n = 0; n < 256; n++) {
            vbegin(M[i].m, 0);
            if (M[i].pfx) B(M[i].pfx);
            B(M[i].op);
            if (M[i].op == 0x9E) setr(4 /* AH */, 8, n < 256 ? (u32)n : rnd32());
            else setr(EAX, 16, val(16));
            emit();
        }
    }
    group_end();
}

/* ---- PUSH POP LEAVE ENTER ---- */
static void stack_esp(void) {
    u32 k = rnd(4);
    if (k == 0) V.r[ESP] = STACK0;
    else if (k == 1) V.r[ESP] = DATA + 0x40 + 4 * rnd(0x21);
    else V.r[ESP] = DATA + 0x40 + rnd(0x81);
}

static void gen_stack(void) {
    group_begin("stack");
    for (int sz = 16; sz <= 32; sz += 16) {
        /* 50+r PUSH r, 58+r POP r */
        for (int pop = 0; pop < 2; pop++) {
            for (int r = 0; r < 8; r++) {
                for (int n = 0; n < 40; n++) {
                    vbegin(pop ? "pop" : "push", sz);
                    stack_esp();
                    osz(sz);
                    B((u32)(0x50 + 8 * pop + r));
                    emit();
                }
            }
        }
        /* 68 PUSH imm16/32, 6A PUSH imm8 */
        for (int n = 0; n < 300; n++) {
            vbegin("push", sz);
            stack_esp();
            osz(sz);
            if (n & 1) {
                B(0x6A);
                I8(val(8));
            } else {
                B(0x68);
                Iz(sz, val(sz));
            }
            emit();
        }
        /* FF /6 PUSH r/m, 8F /0 POP r/m */
        for (int pop = 0; pop < 2; pop++) {
            for (int n = 0; n < 400; n++) {
                vbegin(pop ? "pop" : "push", sz);
                stack_esp();
                osz(sz);
                B(pop ? 0x8F : 0xFF);
                if (n & 1) {
                    int t = modrm_mem(pop ? 0 : 6, 0, WIN - 8, 0);
                    wput(t, sz / 8, val(sz));
                } else {
                    RM o = rm_op(pop ? 0 : 6, sz, 0);
                    rm_set(&o, val(sz));
                }
                emit();
            }
        }
        /* C9 LEAVE: EBP in the window */
        for (int n = 0; n < 300; n++) {
            vbegin("leave", sz);
            osz(sz);
            B(0xC9);
            V.r[EBP] = DATA + (rnd(4) ? 4 * rnd(63) : rnd(253));
            emit();
        }
        /* C8 iw ib ENTER, nesting levels 0..3 */
        for (int lvl = 0; lvl < 4; lvl++) {
            for (int n = 0; n < 120; n++) {
                vbegin("enter", sz);
                osz(sz);
                B(0xC8);
                /* ENTER probes the final ESP (ESP - frame size): keep it inside a mapped page */
                V.r[ESP] = DATA + 0x90 + (rnd(2) ? 4 * rnd(8) : rnd(32));
                u32 k = rnd(4), pushes = (u32)(sz / 8 * (lvl + 1));
                u32 lo = V.r[ESP] - pushes - 0x10fff; /* smallest size whose final ESP is in the code page */
                I16(k == 0 ? 0xffff - rnd(0xffff - lo + 1) : k == 1 ? rnd(V.r[ESP] - DATA - pushes + 1) : rnd(64));
                I8((u32)lvl);
                V.r[EBP] = DATA + 0x40 + (rnd(2) ? 4 * rnd(16) : rnd(64));
                /* levels 0 and 1 never read through EBP: let a 16-bit ENTER show what it does to EBP's upper half */
                if (sz == 16 && lvl < 2 && rnd(2)) V.r[EBP] ^= rnd32() & 0xffff0000u;
                emit();
            }
        }
    }
    group_end();
}

/* ---- MOVS CMPS STOS LODS SCAS with and without REP/REPE/REPNE ---- */
static void gen_string(void) {
    group_begin("string");
    static const struct { const char *m; u8 op; int src, dst; } S[5] = {
        {"movs", 0xA4, 1, 1}, {"cmps", 0xA6, 1, 1}, {"stos", 0xAA, 0, 1}, {"lods", 0xAC, 1, 0}, {"scas", 0xAE, 0, 1},
    };
    char m[20];
    for (int s = 0; s < 5; s++) {
        for (int si = 0; si < 3; si++) {
            int sz = SZ[si], bytes = sz / 8;
            for (int pfx = 0; pfx < 3; pfx++) {
                int cmp = S[s].op == 0xA6 || S[s].op == 0xAE;
                if (pfx == 2 && !cmp) continue;
                int reps = pfx == 0 ? 300 : 180;
                for (int n = 0; n < reps; n++) {
                    int df = n & 1;
                    u32 count = pfx ? (u32)(n / 2) % 9 : 1;
                    const char *pp = pfx == 0 ? "" : pfx == 2 ? "repne_" : cmp ? "repe_" : "rep_";
                    int k = 0;
                    while (*pp) m[k++] = *pp++;
                    for (const char *q = S[s].m; *q;) m[k++] = *q++;
                    m[k] = 0;
                    vbegin(m, sz);
                    V.efl = (V.efl & ~DF) | (df ? DF : 0);
                    /* prefixes in either order */
                    int first66 = rnd(2);
                    if (sz == 16 && first66) B(0x66);
                    if (pfx == 1) B(0xF3);
                    if (pfx == 2) B(0xF2);
                    if (sz == 16 && !first66) B(0x66);
                    B((u32)(S[s].op + (sz == 8 ? 0 : 1)));
                    if (pfx) V.r[ECX] = count;
                    u32 span = (count ? count : 1) * (u32)bytes;
                    /* start offsets so the whole run stays inside the window */
                    u32 lo = df ? span - (u32)bytes : 0, hi = df ? WIN - (u32)bytes : WIN - span;
                    u32 so = lo + rnd(hi - lo + 1), dof = lo + rnd(hi - lo + 1);
                    V.r[ESI] = S[s].src ? DATA + so : V.r[ESI];
                    V.r[EDI] = S[s].dst ? DATA + dof : V.r[EDI];
                    if (cmp && rnd(3)) {
                        /* make the compared data mostly equal so REPE/REPNE stop at interesting places */
                        u32 acc = val(sz);
                        setr(EAX, sz, acc);
                        for (u32 i = 0; i < (count ? count : 1); i++) {
                            u32 step = df ? (u32)(-(s32)(i * (u32)bytes)) : i * (u32)bytes;
                            int d = (int)(dof + step);
                            if (S[s].op == 0xA6) {
                                int sidx = (int)(so + step);
                                if (pfx == 2) {
                                    if (rnd(3) == 0) wput(d, bytes, wget(sidx, bytes));
                                } else if (rnd(5)) {
                                    wput(d, bytes, wget(sidx, bytes));
                                }
                            } else {
                                if (pfx == 2 ? rnd(4) == 0 : rnd(5) != 0) wput(d, bytes, getr(EAX, sz));
                            }
                        }
                    } else {
                        setr(EAX, sz, val(sz));
                    }
                    emit();
                }
            }
        }
    }
    group_end();
}

/* ------------------------------------------------------------ main */
struct ksigaction {
    void (*handler)(void);
    u32 flags;
    void (*restorer)(void);
    u32 mask[2];
};

static u8 altstack[65536];

int cmain(u32 *sp) {
    int argc = (int)sp[0];
    char **argv = (char **)(sp + 1);
    if (argc < 2) die("usage: oracle OUTDIR [group...]");
    int n = slen(argv[1]);
    if (n > 200) die("OUTDIR too long");
    for (int i = 0; i <= n; i++) outdir[i] = argv[1][i];

    /* PROT_READ|WRITE|EXEC, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED */
    if ((u32)sys6(SYS_mmap2, (int)CODE, 4096, 7, 0x32, -1, 0) != CODE) die("mmap code page at 0x10000 failed");
    if ((u32)sys6(SYS_mmap2, (int)DATA, 4096, 3, 0x32, -1, 0) != DATA) die("mmap data page at 0x20000 failed");

    struct { void *sp; int flags; u32 size; } ss = {altstack, 0, sizeof altstack};
    if (sys6(SYS_sigaltstack, (int)&ss, 0, 0, 0, 0, 0) != 0) die("sigaltstack failed");
    struct ksigaction sa;
    sa.handler = fault_handler;
    sa.flags = 4 | 0x08000000u | 0x40000000u; /* SA_SIGINFO | SA_ONSTACK | SA_NODEFER */
    sa.restorer = 0;
    sa.mask[0] = sa.mask[1] = 0;
    static const int SIGS[] = {4, 5, 7, 8, 11}; /* ILL TRAP BUS FPE SEGV */
    for (int i = 0; i < NE(SIGS); i++) {
        if (sys6(SYS_rt_sigaction, SIGS[i], (int)&sa, 0, 8, 0, 0) != 0) die("rt_sigaction failed");
    }

    static const struct { const char *name; void (*fn)(void); } G[] = {
        {"alu", gen_alu}, {"unary", gen_unary}, {"muldiv", gen_muldiv}, {"shift", gen_shift},
        {"shld", gen_shld}, {"bit", gen_bit}, {"mov", gen_mov}, {"lea", gen_lea}, {"xchg", gen_xchg},
        {"cond", gen_cond}, {"misc", gen_misc}, {"stack", gen_stack}, {"string", gen_string},
    };
    for (int g = 0; g < NE(G); g++) {
        int want = argc == 2;
        for (int a = 2; a < argc; a++) {
            const char *x = argv[a], *y = G[g].name;
            while (*x && *x == *y) { x++; y++; }
            if (!*x && !*y) want = 1;
        }
        /* every group starts from its own generator seed, so groups are independent */
        rs = 0x2545F4914F6CDD1Dull ^ ((u64)(g + 1) * 0x9E3779B97F4A7C15ull);
        if (want) G[g].fn();
    }
    e_s("total ");
    e_dec(total_count);
    e_s(" vectors, ");
    e_dec(total_faults);
    e_s(" faulted (dropped), ");
    e_dec(total_inconsistent);
    e_s(" inconsistent between two runs (dropped)");
    e_end();
    return total_inconsistent ? 1 : 0;
}
