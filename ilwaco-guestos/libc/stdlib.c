/*
 * libc/stdlib.c - number parsing (strto*, ato*), abs/div, qsort, bsearch.
 *
 * All strto* share parse(): optional white space and sign, base 0 (decimal,
 * 0x hex, 0 octal), 2..36, or 16 with an optional 0x.  Out-of-range values
 * clamp to the type's limit and set errno = ERANGE, as the C standard says;
 * *end points just past the last digit used, or at the input when there was
 * no number.
 */
#include <stdlib.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>

static int digit_value(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'z') return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
    return 99;
}

/* Parse the magnitude; *neg is the sign, *ovf is set when it exceeded 64 bits. */
static uint64_t parse(const char *s, char **end, int base, int *neg, int *ovf)
{
    const char *p = s;
    uint64_t v = 0;
    int any = 0;

    *neg = 0;
    *ovf = 0;
    if (base < 0 || base == 1 || base > 36) {
        errno = EINVAL;
        if (end)
            *end = (char *)s;
        return 0;
    }
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '+' || *p == '-')
        *neg = *p++ == '-';
    if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')
        && digit_value((unsigned char)p[2]) < 16) {
        p += 2;
        base = 16;
    } else if (base == 0) {
        base = p[0] == '0' ? 8 : 10;
    }
    for (;; p++) {
        int d = digit_value((unsigned char)*p);
        if (d >= base)
            break;
        any = 1;
        if (v > (UINT64_MAX - (unsigned)d) / (unsigned)base)
            *ovf = 1;
        v = v * (unsigned)base + (unsigned)d;
    }
    if (end)
        *end = (char *)(any ? p : s);
    return v;
}

unsigned long long strtoull(const char *restrict s, char **restrict end, int base)
{
    int neg, ovf;
    uint64_t v = parse(s, end, base, &neg, &ovf);

    if (ovf) {
        errno = ERANGE;
        return ULLONG_MAX;
    }
    return neg ? 0 - v : v;
}

long long strtoll(const char *restrict s, char **restrict end, int base)
{
    int neg, ovf;
    uint64_t v = parse(s, end, base, &neg, &ovf);
    uint64_t limit = neg ? (uint64_t)LLONG_MAX + 1 : (uint64_t)LLONG_MAX;

    if (ovf || v > limit) {
        errno = ERANGE;
        return neg ? LLONG_MIN : LLONG_MAX;
    }
    return neg ? (long long)(0 - v) : (long long)v;
}

unsigned long strtoul(const char *restrict s, char **restrict end, int base)
{
    int neg, ovf;
    uint64_t v = parse(s, end, base, &neg, &ovf);

    if (ovf || v > ULONG_MAX) {
        errno = ERANGE;
        return ULONG_MAX;
    }
    return neg ? 0 - (unsigned long)v : (unsigned long)v;
}

long strtol(const char *restrict s, char **restrict end, int base)
{
    int neg, ovf;
    uint64_t v = parse(s, end, base, &neg, &ovf);
    uint64_t limit = neg ? (uint64_t)LONG_MAX + 1 : (uint64_t)LONG_MAX;

    if (ovf || v > limit) {
        errno = ERANGE;
        return neg ? LONG_MIN : LONG_MAX;
    }
    return neg ? (long)(0 - (unsigned long)v) : (long)v;
}

int atoi(const char *s) { return (int)strtol(s, NULL, 10); }
long atol(const char *s) { return strtol(s, NULL, 10); }
long long atoll(const char *s) { return strtoll(s, NULL, 10); }

int abs(int x) { return x < 0 ? -x : x; }
long labs(long x) { return x < 0 ? -x : x; }
long long llabs(long long x) { return x < 0 ? -x : x; }

div_t div(int num, int den) { div_t r = { num / den, num % den }; return r; }
ldiv_t ldiv(long num, long den) { ldiv_t r = { num / den, num % den }; return r; }
lldiv_t lldiv(long long num, long long den)
{
    lldiv_t r = { num / den, num % den };
    return r;
}

/* Swap two elements byte by byte (elements may be any size). */
static void swap_bytes(char *a, char *b, size_t size)
{
    while (size-- > 0) {
        char t = *a;
        *a++ = *b;
        *b++ = t;
    }
}

/*
 * Shell sort with Ciura's gap sequence extended by x2.25: no recursion, no
 * allocation, O(n^1.3)-ish; not stable (neither is qsort required to be).
 */
void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    static const size_t ciura[] = { 1, 4, 10, 23, 57, 132, 301, 701, 1750 };
    char *a = base;
    size_t gaps[32];
    int ngaps = 0, g;

    for (g = 0; g < 9 && ciura[g] < n; g++)
        gaps[ngaps++] = ciura[g];
    while (ngaps > 0 && ngaps < 32 && gaps[ngaps - 1] * 9 / 4 < n && ngaps >= 9)
        gaps[ngaps] = gaps[ngaps - 1] * 9 / 4, ngaps++;

    for (g = ngaps - 1; g >= 0; g--) {
        size_t gap = gaps[g], i;
        for (i = gap; i < n; i++) {
            size_t j = i;
            while (j >= gap && cmp(a + (j - gap) * size, a + j * size) > 0) {
                swap_bytes(a + (j - gap) * size, a + j * size, size);
                j -= gap;
            }
        }
    }
}

void *bsearch(const void *key, const void *base, size_t n, size_t size,
              int (*cmp)(const void *, const void *))
{
    const char *a = base;
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp(key, a + mid * size);
        if (c == 0)
            return (void *)(a + mid * size);
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}
