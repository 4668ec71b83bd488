/*
 * tests/algo.c - small classic programs mixing everything: sieve of
 * Eratosthenes, heap sort, binary search, FNV/CRC-style hashing, a hash
 * table with open addressing, big-number factorial in base 10^4, variadic
 * functions (va_arg of int, long long, pointers), variable-length arrays
 * and __builtin_alloca (run-time stack adjustment), static locals and
 * global tables.
 */
#include <stdio.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#define SIEVE_N 30000
unsigned char composite[SIEVE_N + 1];
int heap[500];

int sieve(void)
{
    int i, j, count = 0;

    for (i = 2; i * i <= SIEVE_N; i++)
        if (!composite[i])
            for (j = i * i; j <= SIEVE_N; j += i)
                composite[j] = 1;
    for (i = 2; i <= SIEVE_N; i++)
        count += !composite[i];
    return count;
}

void sift_down(int *a, int start, int end)
{
    int root = start;

    while (2 * root + 1 <= end) {
        int child = 2 * root + 1, swap = root;
        if (a[swap] < a[child])
            swap = child;
        if (child + 1 <= end && a[swap] < a[child + 1])
            swap = child + 1;
        if (swap == root)
            return;
        int t = a[root]; a[root] = a[swap]; a[swap] = t;
        root = swap;
    }
}

void heap_sort(int *a, int n)
{
    int start, end;

    for (start = (n - 2) / 2; start >= 0; start--)
        sift_down(a, start, n - 1);
    for (end = n - 1; end > 0; end--) {
        int t = a[end]; a[end] = a[0]; a[0] = t;
        sift_down(a, 0, end - 1);
    }
}

int bin_search(const int *a, int n, int key)
{
    int lo = 0, hi = n - 1;

    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (a[mid] == key)
            return mid;
        if (a[mid] < key)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -(lo + 1);
}

uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;

    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

uint32_t adler32(const unsigned char *p, int n)
{
    uint32_t a = 1, b = 0;

    while (n-- > 0) {
        a = (a + *p++) % 65521;
        b = (b + a) % 65521;
    }
    return (b << 16) | a;
}

#define TABLE 64
struct entry { const char *key; int value; };
struct entry table[TABLE];

int probes;

void put(const char *key, int value)
{
    uint32_t i = fnv1a(key) % TABLE;

    while (table[i].key && strcmp(table[i].key, key) != 0) {
        i = (i + 1) % TABLE;
        probes++;
    }
    table[i].key = key;
    table[i].value = value;
}

int get(const char *key, int dflt)
{
    uint32_t i = fnv1a(key) % TABLE;

    while (table[i].key) {
        if (strcmp(table[i].key, key) == 0)
            return table[i].value;
        i = (i + 1) % TABLE;
    }
    return dflt;
}

/* n! in base 10000 limbs, printed as a decimal string. */
void factorial(int n)
{
    static uint32_t limb[200];
    int len = 1, i, j;

    limb[0] = 1;
    for (i = 2; i <= n; i++) {
        uint32_t carry = 0;
        for (j = 0; j < len; j++) {
            uint32_t v = limb[j] * (uint32_t)i + carry;
            limb[j] = v % 10000;
            carry = v / 10000;
        }
        while (carry) {
            limb[len++] = carry % 10000;
            carry /= 10000;
        }
    }
    printf("  %d! = %u", n, limb[len - 1]);
    for (j = len - 2; j >= 0; j--)
        printf("%04u", limb[j]);
    printf(" (%d limbs)\n", len);
}

/* Variadic: a format of 'i' (int), 'L' (long long), 's' (string), 'c' (char). */
long long vsum(const char *types, ...)
{
    va_list ap;
    long long total = 0;

    va_start(ap, types);
    for (; *types; types++) {
        switch (*types) {
        case 'i': total += va_arg(ap, int); break;
        case 'L': total += va_arg(ap, long long); break;
        case 's': total += (long long)strlen(va_arg(ap, const char *)); break;
        case 'c': total += (char)va_arg(ap, int); break;
        }
    }
    va_end(ap);
    return total;
}

int my_printf(const char *fmt, ...)
{
    char line[128];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    printf("  [%2d] %s\n", n, line);
    return n;
}

int vla_sum(int n)
{
    int v[n], i, s = 0;               /* variable-length array */
    int *w = __builtin_alloca((unsigned)n * sizeof(int));

    for (i = 0; i < n; i++) {
        v[i] = i * i;
        w[i] = v[i] - i;
    }
    for (i = 0; i < n; i++)
        s += v[n - 1 - i] ^ w[i];
    return s;
}

int counter(void)
{
    static int calls = 100;
    return calls++;
}

const char *const months[12] = { "jan", "feb", "mar", "apr", "may", "jun",
                                 "jul", "aug", "sep", "oct", "nov", "dec" };

int main(void)
{
    int i, primes;
    unsigned seed = 2024;

    printf("sieve:\n");
    primes = sieve();
    printf("  %d primes below %d; last ones:", primes, SIEVE_N);
    for (i = SIEVE_N; i > SIEVE_N - 200; i--)
        if (!composite[i])
            printf(" %d", i);
    printf("\n");

    printf("heap sort and binary search:\n");
    for (i = 0; i < 500; i++) {
        seed = seed * 1103515245u + 12345u;
        heap[i] = (int)((seed >> 8) % 100000) - 50000;
    }
    heap_sort(heap, 500);
    printf("  min %d max %d median %d\n", heap[0], heap[499], heap[250]);
    for (i = 1; i < 500; i++)
        if (heap[i - 1] > heap[i])
            printf("  NOT SORTED at %d\n", i);
    for (i = -50000; i <= 50000; i += 12500)
        printf("  search %d -> %d\n", i, bin_search(heap, 500, i));
    printf("  search heap[123] -> %d\n", bin_search(heap, 500, heap[123]) >= 0);

    printf("hashes:\n");
    for (i = 0; i < 12; i++)
        printf("  fnv1a(%s) = %08x adler32 = %08x\n", months[i], fnv1a(months[i]),
               adler32((const unsigned char *)months[i], 3));
    printf("  adler32(sieve) = %08x\n", adler32(composite, SIEVE_N));

    printf("hash table:\n");
    for (i = 0; i < 12; i++)
        put(months[i], i + 1);
    put("feb", 28);
    put("smarch", 13);
    for (i = 0; i < 12; i++)
        printf("  %s=%d", months[i], get(months[i], -1));
    printf("\n  smarch=%d nope=%d probes=%d\n", get("smarch", -1), get("nope", -1), probes);

    printf("factorials:\n");
    factorial(10);
    factorial(25);
    factorial(52);
    factorial(100);

    printf("varargs:\n");
    printf("  vsum = %lld\n", vsum("iLsci", 1, 10000000000LL, "hello", 'A', -7));
    printf("  vsum = %lld\n", vsum("LLLL", -1LL, -2LL, 0x100000000LL, 5LL));
    my_printf("%s has %d days", months[1], 28);
    my_printf("%-6s|%6s|%06d|%x", "ab", "cd", -42, 0xC0FFEE);
    my_printf("%lld %llu %c", -9000000000LL, 9000000000ULL, 'Z');

    printf("variable-length arrays and alloca:\n");
    for (i = 1; i <= 65; i += 16)
        printf("  vla_sum(%d) = %d\n", i, vla_sum(i));

    printf("static locals:\n");
    for (i = 0; i < 3; i++)
        printf("  counter -> %d\n", counter());
    return 0;
}
