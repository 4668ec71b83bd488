/*
 * tests/structs.c - aggregates: struct assignment (inline moves or
 * memcpy/rep movs for large ones), passing and returning structs by value
 * (hidden return pointer on i386), arrays of structs, nested structs,
 * bitfields (signed and unsigned, read-modify-write), unions, packed
 * structs with misaligned members, and compound literals.
 */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

struct point { int x, y; };
struct rect { struct point lo, hi; char name[12]; };
struct big { uint32_t words[40]; uint8_t tail[3]; };
struct tiny { char c; };
struct mixed { char c; short s; int i; long long ll; unsigned char uc; };

struct flags {
    unsigned ready : 1;
    unsigned mode : 3;
    signed level : 5;
    unsigned count : 12;
    signed delta : 11;
};

struct __attribute__((packed)) wire {
    uint8_t kind;
    uint32_t id;
    uint16_t len;
    int64_t stamp;
};

union word {
    uint32_t u;
    int32_t i;
    uint16_t half[2];
    uint8_t byte[4];
};

struct point make_point(int x, int y)
{
    struct point p = { x, y };
    return p;
}

struct point add_points(struct point a, struct point b)
{
    a.x += b.x;
    a.y += b.y;
    return a;
}

struct rect grow(struct rect r, int by)
{
    r.lo.x -= by;
    r.lo.y -= by;
    r.hi.x += by;
    r.hi.y += by;
    strcat(r.name, "+");
    return r;
}

int area(const struct rect *r)
{
    return (r->hi.x - r->lo.x) * (r->hi.y - r->lo.y);
}

struct big fill_big(uint32_t seed)
{
    struct big b;
    int i;

    for (i = 0; i < 40; i++) {
        seed = seed * 1664525u + 1013904223u;
        b.words[i] = seed;
    }
    b.tail[0] = (uint8_t)seed;
    b.tail[1] = (uint8_t)(seed >> 8);
    b.tail[2] = (uint8_t)(seed >> 16);
    return b;
}

uint32_t sum_big(struct big b)
{
    uint32_t s = 0;
    int i;

    for (i = 0; i < 40; i++)
        s = s * 31 + b.words[i];
    return s + b.tail[0] + b.tail[1] + b.tail[2];
}

struct tiny next_tiny(struct tiny t)
{
    t.c++;
    return t;
}

struct mixed make_mixed(int k)
{
    struct mixed m;

    m.c = (char)('A' + k);
    m.s = (short)(-1000 * k);
    m.i = 100000 * k;
    m.ll = (long long)k * -123456789012LL;
    m.uc = (unsigned char)(250 + k);
    return m;
}

void print_rect(const char *label, struct rect r)
{
    printf("  %s: %s (%d,%d)-(%d,%d) area %d\n", label, r.name, r.lo.x, r.lo.y,
           r.hi.x, r.hi.y, area(&r));
}

void print_flags(struct flags f)
{
    printf("  ready=%u mode=%u level=%d count=%u delta=%d\n", f.ready, f.mode,
           f.level, f.count, f.delta);
}

struct rect rects[5];
struct point path[8];

int main(void)
{
    int i;

    printf("points:\n");
    {
        struct point a = make_point(3, 4), b = make_point(-10, 20);
        struct point c = add_points(a, b);
        struct point d = c;
        d.x *= 2;
        printf("  a=(%d,%d) b=(%d,%d) c=(%d,%d) d=(%d,%d)\n", a.x, a.y, b.x, b.y,
               c.x, c.y, d.x, d.y);
        for (i = 0; i < 8; i++)
            path[i] = i == 0 ? make_point(0, 0) : add_points(path[i - 1], make_point(i, -i * i));
        for (i = 0; i < 8; i++)
            printf("  path[%d] = (%d,%d)\n", i, path[i].x, path[i].y);
    }

    printf("rects:\n");
    for (i = 0; i < 5; i++) {
        struct rect r = { { i, -i }, { 10 + i * i, 5 + 3 * i }, "r" };
        r.name[1] = (char)('0' + i);
        rects[i] = r;
    }
    for (i = 0; i < 5; i++) {
        struct rect g = grow(rects[i], i + 1);
        print_rect("orig", rects[i]);
        print_rect("grown", g);
    }
    {
        struct rect tmp = rects[0];
        rects[0] = rects[4];
        rects[4] = tmp;
        print_rect("swapped0", rects[0]);
        print_rect("swapped4", rects[4]);
    }

    printf("big structs:\n");
    {
        struct big b1 = fill_big(1), b2 = fill_big(2), b3;
        printf("  sum1=%08x sum2=%08x\n", sum_big(b1), sum_big(b2));
        b3 = b1;
        b3.words[39] ^= 0xFFFFFFFFu;
        printf("  copy: %08x %08x words[0]=%08x tail=%u,%u,%u\n", sum_big(b3),
               sum_big(b1), b3.words[0], b3.tail[0], b3.tail[1], b3.tail[2]);
        printf("  sizeof big=%u rect=%u mixed=%u flags=%u wire=%u\n",
               (unsigned)sizeof(struct big), (unsigned)sizeof(struct rect),
               (unsigned)sizeof(struct mixed), (unsigned)sizeof(struct flags),
               (unsigned)sizeof(struct wire));
    }

    printf("tiny and mixed:\n");
    {
        struct tiny t = { 'a' };
        for (i = 0; i < 5; i++)
            t = next_tiny(t);
        printf("  tiny=%c\n", t.c);
        for (i = 0; i < 4; i++) {
            struct mixed m = make_mixed(i);
            printf("  mixed %c %d %d %lld %u\n", m.c, m.s, m.i, m.ll, m.uc);
        }
    }

    printf("bitfields:\n");
    {
        struct flags f;
        memset(&f, 0, sizeof f);
        print_flags(f);
        f.ready = 1;
        f.mode = 5;
        f.level = -9;
        f.count = 4000;
        f.delta = -1024;
        print_flags(f);
        for (i = 0; i < 6; i++) {
            f.mode++;           /* wraps at 8 */
            f.level += 7;       /* wraps within -16..15 (gcc: modulo) */
            f.count += 100;
            f.delta = (signed)(f.delta / 2);
            f.ready = !f.ready;
            print_flags(f);
        }
    }

    printf("packed:\n");
    {
        struct wire w[3];
        unsigned char *raw = (unsigned char *)w;
        for (i = 0; i < 3; i++) {
            w[i].kind = (uint8_t)(i + 1);
            w[i].id = 0x01020304u * (uint32_t)(i + 1);
            w[i].len = (uint16_t)(0xABCD + i);
            w[i].stamp = -1 - (int64_t)i * 0x100000000LL;
        }
        for (i = 0; i < 3; i++)
            printf("  wire[%d] kind=%u id=%08x len=%04x stamp=%lld\n", i, w[i].kind,
                   w[i].id, w[i].len, (long long)w[i].stamp);
        printf("  raw:");
        for (i = 0; i < (int)sizeof w; i++)
            printf("%s%02x", i % 15 == 0 ? " | " : " ", raw[i]);
        printf("\n");
    }

    printf("unions:\n");
    {
        union word wd;
        wd.u = 0x80FF7F01u;
        printf("  u=%08x i=%d half=%04x,%04x bytes=%02x,%02x,%02x,%02x\n", wd.u, wd.i,
               wd.half[0], wd.half[1], wd.byte[0], wd.byte[1], wd.byte[2], wd.byte[3]);
        wd.byte[3] = 0x12;
        wd.half[0] = 0xBEEF;
        printf("  u=%08x i=%d\n", wd.u, wd.i);
    }

    printf("compound literals and designated initialisers:\n");
    {
        struct rect r = { .name = "lit", .hi = { .y = 9, .x = 7 } };
        struct point *pp = (struct point[]){ { 1, 2 }, { 3, 4 }, [4] = { 9, 9 } };
        print_rect("designated", r);
        for (i = 0; i < 5; i++)
            printf("  lit[%d] = (%d,%d)\n", i, pp[i].x, pp[i].y);
        r = (struct rect){ { -1, -1 }, { 1, 1 }, "unit" };
        print_rect("compound", r);
    }
    return 0;
}
