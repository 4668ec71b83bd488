/*
 * tests/strings.c - every libc string and memory function, including
 * overlapping memmove in both directions and all alignments, plus printf /
 * snprintf formatting edge cases, strtol & co, and ctype.
 */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stddef.h>

char buf[256];
char big[300];
/* int arguments for %hh and %h (formats not literal: no -Wformat complaint) */
int wide[] = { 200, 0x1234, -129, 40000, 0x123456, -32769 };
char hh_format[] = "  hh: %hhd %hhu %hhx %hhd\n";
char h_format[] = "  h: %hd %hu %hx %hd\n";
char *null_str;               /* NULL, hidden from -Wformat */
char odd_format[] = "printf odd directives: [%y] [%5%] [%-w] [%d\n";

/* Print a buffer with non-printing bytes escaped. */
void show(const char *label, const char *p, size_t n)
{
    size_t i;

    printf("  %s [", label);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 32 && c < 127)
            printf("%c", c);
        else
            printf("\\x%02x", c);
    }
    printf("]\n");
}

int sign(int x) { return x < 0 ? -1 : x > 0 ? 1 : 0; }

void test_mem(void)
{
    int i, j;
    unsigned sum;

    printf("memset/memcpy/memcmp/memchr:\n");
    for (i = 0; i < 12; i++) {
        memset(big, '.', 40);
        memset(big + i, 'a' + i, (size_t)(i * 2 + 1));
        show("memset", big, 30);
    }
    for (i = 0; i < 8; i++) {
        for (j = 0; j < 4; j++) {
            memset(big, '-', 48);
            memcpy(big + j, &"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"[i], (size_t)(i * 5));
            if (i == 3 || j == 1)
                show("memcpy", big, 44);
        }
    }
    printf("  memcmp: %d %d %d %d %d\n", sign(memcmp("abc", "abd", 3)),
           sign(memcmp("abc", "abc", 3)), sign(memcmp("b", "a", 1)),
           sign(memcmp("\x80", "\x7f", 1)), memcmp("xyz", "abc", 0));
    {
        const char *h = "hello";
        printf("  memchr: %d %d %s\n", (int)((const char *)memchr(h, 'l', 5) - h),
               memchr(h, 'z', 5) == NULL, (char *)memchr("a\0b\0c", 'c', 5));
    }

    printf("memmove overlapping:\n");
    for (i = -5; i <= 5; i++) {
        for (j = 0; j < 26; j++)
            big[j] = (char)('A' + j);
        memmove(big + 8 + i, big + 8, 10);
        show(i < 0 ? "down" : "up  ", big, 26);
    }
    sum = 0;
    for (i = 0; i < 8; i++)               /* every alignment of src and dst */
        for (j = 0; j < 8; j++) {
            int k, n = 37 + i + j;
            for (k = 0; k < 120; k++)
                big[k] = (char)(k * 7 + 1);
            memmove(big + 20 + j, big + 20 + i, (size_t)n);
            for (k = 0; k < 120; k++)
                sum = sum * 33 + (unsigned char)big[k];
        }
    printf("  alignment checksum %08x\n", sum);
}

void test_str(void)
{
    char a[64], *tok, *save;
    const char *hay = "the quick brown fox jumps over the lazy dog";
    static const char *const needles[] = { "the", "fox", "dog", "cat", "", "lazy dog",
                                            "g", "the quick brown fox jumps over the lazy dogs" };
    static const char *const words[] = { "", "a", "abc", "abd", "ab", "b", "ABC", "\xff" };
    unsigned i, j;

    printf("strlen/strnlen:\n");
    for (i = 0; i < 8; i++)
        printf("  strlen(\"%s\")=%u strnlen(,2)=%u\n", words[i], (unsigned)strlen(words[i]),
               (unsigned)strnlen(words[i], 2));

    printf("strcmp/strncmp:\n");
    for (i = 0; i < 8; i++) {
        printf("  %-5s:", words[i]);
        for (j = 0; j < 8; j++)
            printf(" %2d/%2d", sign(strcmp(words[i], words[j])),
                   sign(strncmp(words[i], words[j], 1)));
        printf("\n");
    }

    printf("strcpy/strncpy/strcat/strncat:\n");
    memset(a, 'X', sizeof a);
    strcpy(a, "start");
    show("strcpy", a, 8);
    strcat(a, "+more");
    show("strcat", a, 12);
    strncat(a, "123456", 3);
    show("strncat", a, 16);
    memset(a, 'X', sizeof a);
    strncpy(a, "abc", 6);
    show("strncpy pad", a, 8);
    strncpy(a, "abcdefgh", 4);
    show("strncpy cut", a, 8);

    printf("strchr/strrchr/strstr:\n");
    printf("  strchr o: %s\n", strchr(hay, 'o'));
    printf("  strrchr o: %s\n", strrchr(hay, 'o'));
    printf("  strchr NUL at %d\n", (int)(strchr(hay, '\0') - hay));
    printf("  strchr z: %s, strchr Q: %s\n", strchr(hay, 'z'), strchr(hay, 'Q') ? "found" : "null");
    for (i = 0; i < 8; i++) {
        const char *p = strstr(hay, needles[i]);
        printf("  strstr(\"%s\") = %d\n", needles[i], p ? (int)(p - hay) : -1);
    }

    printf("strspn/strcspn/strpbrk/strtok:\n");
    printf("  spn=%u cspn=%u pbrk=%s\n", (unsigned)strspn("aabbcdab", "ab"),
           (unsigned)strcspn("hello, world", ",; "), strpbrk("key=value;x", "=;"));
    strcpy(a, "  alpha, beta;;gamma ,delta  ");
    for (tok = strtok(a, " ,;"); tok; tok = strtok(NULL, " ,;"))
        printf("  token <%s>\n", tok);
    strcpy(a, "x=1&y=22&&z=333");
    for (tok = strtok_r(a, "&", &save); tok; tok = strtok_r(NULL, "&", &save))
        printf("  pair <%s>\n", tok);
}

void test_printf(void)
{
    int n;
    static const int ints[] = { 0, 1, -1, 42, -42, 12345, INT_MAX, INT_MIN };
    unsigned i;

    printf("printf integers:\n");
    for (i = 0; i < 8; i++) {
        int v = ints[i];
        printf("  [%d] [%i] [%5d] [%-5d] [%05d] [%+d] [% d] [%.3d] [%8.4d] [%-+8.3d]\n",
               v, v, v, v, v, v, v, v, v, v);
        printf("  [%u] [%x] [%X] [%o] [%#x] [%#X] [%#o] [%08x] [%-10x] [%#012x]\n",
               (unsigned)v, (unsigned)v, (unsigned)v, (unsigned)v, (unsigned)v, (unsigned)v,
               (unsigned)v, (unsigned)v, (unsigned)v, (unsigned)v);
    }
    printf("printf lengths:\n");
    printf(hh_format, wide[0], wide[0], wide[1], wide[2]);
    printf(h_format, wide[3], wide[3], wide[4], wide[5]);
    printf("  l: %ld %lu %lx\n", -123456789L, 4000000000UL, 0xDEADBEEFUL);
    printf("  ll: %lld %llu %llx %llX %llo\n", LLONG_MIN, ULLONG_MAX, 0x123456789ABCDEFULL,
           0xFEDCBA9876543210ULL, 01777777777777777777777ULL);
    printf("  ll: %+lld %020lld %-20lld| %.25lld\n", 42LL, -42LL, LLONG_MAX, 7LL);
    printf("  z: %zu %zd %zx\n", sizeof(buf), (size_t)-5 > 0 ? -5 : 5, (size_t)0xABC);
    printf("  j t: %jd %td\n", (intmax_t)-99, (ptrdiff_t)(&buf[10] - &buf[3]));
    printf("printf precision zero:\n");
    printf("  [%.0d] [%.0x] [%#.0x] [%#.0o] [%5.0d] [%-3.0u|] [%.0d]\n", 0, 0, 0, 0, 0, 0u, 7);
    printf("printf chars and strings:\n");
    printf("  [%c] [%3c] [%-3c] [%c%c%c]\n", 'x', 'y', 'z', 'a', 'b', 'c');
    printf("  [%s] [%10s] [%-10s] [%.2s] [%10.3s] [%-6.1s] [%.0s] [%s]\n", "hello", "hi",
           "left", "trunc", "abcdef", "xyz", "gone", "");
    printf("  [%s] [%8s] [%.3s]\n", null_str, null_str, "ab");
    printf("printf star:\n");
    printf("  [%*d] [%-*d] [%*d] [%.*d] [%*.*d] [%.*s] [%.*d]\n", 6, 42, 6, 42, -6, 42,
           5, 42, 8, 3, 7, 2, "abcdef", -1, 9);
    printf("printf pointers and percent:\n");
    printf("  [%p] [%p] [%12p] [%-12p] [%%] [100%%]\n", (void *)0x1000, (void *)0xdeadbeef,
           (void *)0xab, (void *)0xab);
    printf("  [%p]\n", (void *)0);
    printf(odd_format, 1);      /* not a literal: no -Wformat complaint */

    printf("snprintf:\n");
    for (i = 0; i < 12; i += 3) {
        memset(buf, '#', 32);
        n = snprintf(buf, i, "%s-%d-%x", "abc", -123, 0xfeed);
        show("snprintf", buf, 16);
        printf("  returned %d for size %u\n", n, i);
    }
    n = snprintf(NULL, 0, "%d %s %llx", 12345, "count me", 0xFFFFFFFFFFULL);
    printf("  measure only: %d\n", n);
    n = sprintf(buf, "%05d|%-4s|%c", 42, "ab", '!');
    printf("  sprintf: %s (%d)\n", buf, n);
    n = snprintf(buf, sizeof buf, "%s", "");
    printf("  empty: [%s] (%d)\n", buf, n);

    printf("puts/putchar/fputs/fprintf:\n");
    puts("  puts line");
    putchar(' ');
    putchar(' ');
    putchar('c');
    putchar('\n');
    fputs("  fputs line\n", stdout);
    fprintf(stderr, "  fprintf to stderr goes to the console too: %d\n", 7);
    n = printf("  printf returns the length");
    printf(" = %d\n", n);
}

void test_conv(void)
{
    static const char *const in[] = {
        "0", "42", "-42", "+7", "   123abc", "0x1F", "0X1f", "017", "08", "0x",
        "2147483647", "2147483648", "-2147483648", "-2147483649", "4294967295",
        "4294967296", "-1", "99999999999999999999", "9223372036854775807",
        "-9223372036854775808", "18446744073709551615", "18446744073709551616",
        "", "  ", "abc", "-", "  -0x10", "\t\n+0",
    };
    static const int bases[] = { 10, 0, 16, 8, 2, 36 };
    unsigned i, b;
    char *end;

    printf("strtol/strtoul/strtoll/strtoull:\n");
    for (i = 0; i < sizeof in / sizeof in[0]; i++) {
        long l;
        unsigned long ul;
        long long ll;
        unsigned long long ull;
        int e1, e2, e3, e4;

        errno = 0; l = strtol(in[i], &end, 0); e1 = errno;
        int used = (int)(end - in[i]);
        errno = 0; ul = strtoul(in[i], NULL, 0); e2 = errno;
        errno = 0; ll = strtoll(in[i], NULL, 0); e3 = errno;
        errno = 0; ull = strtoull(in[i], NULL, 0); e4 = errno;
        printf("  \"%s\": l=%ld(%d,used %d) ul=%lu(%d) ll=%lld(%d) ull=%llu(%d)\n",
               in[i][0] == '\t' ? "\\t\\n+0" : in[i], l, e1 == ERANGE, used, ul, e2 == ERANGE,
               ll, e3 == ERANGE, ull, e4 == ERANGE);
    }
    printf("bases:\n");
    for (b = 0; b < sizeof bases / sizeof bases[0]; b++) {
        const char *s = "1010zZ";
        long v = strtol(s, &end, bases[b]);
        printf("  base %d: %ld, rest \"%s\"\n", bases[b], v, end);
    }
    printf("  strtol(\"ff\", 16)=%ld strtoul(\"-0x10\", 16)=%lu strtol(\"z\", 36)=%ld\n",
           strtol("ff", NULL, 16), strtoul("-0x10", NULL, 16), strtol("z", NULL, 36));
    printf("atoi/atol/atoll:\n");
    printf("  %d %d %d %ld %lld\n", atoi("  -17xyz"), atoi("0"), atoi("+2147483647"),
           atol("-99"), atoll("-123456789012345"));
    printf("abs/div:\n");
    {
        div_t d = div(-17, 5);
        ldiv_t ld = ldiv(17L, -5L);
        lldiv_t lld = lldiv(-100000000000LL, 7LL);
        printf("  abs %d %ld %lld; div %d %d; ldiv %ld %ld; lldiv %lld %lld\n", abs(-5),
               labs(-70000L), llabs(-5000000000LL), d.quot, d.rem, ld.quot, ld.rem,
               lld.quot, lld.rem);
    }
}

void test_ctype(void)
{
    int c;
    static const char *const names[] = { "alnum", "alpha", "blank", "cntrl", "digit",
                                         "graph", "lower", "print", "punct", "space",
                                         "upper", "xdigit" };
    int (*const fns[])(int) = { isalnum, isalpha, isblank, iscntrl, isdigit, isgraph,
                                islower, isprint, ispunct, isspace, isupper, isxdigit };
    unsigned f;

    printf("ctype (chars 0..127 per class):\n");
    for (f = 0; f < 12; f++) {
        unsigned count = 0, hash = 0;
        for (c = 0; c < 128; c++)
            if (fns[f](c)) {
                count++;
                hash = hash * 131 + (unsigned)c;
            }
        printf("  %-6s %3u %08x\n", names[f], count, hash);
    }
    {
        unsigned up = 0, low = 0;
        for (c = 0; c < 256; c++) {
            up = up * 7 + (unsigned)toupper(c);
            low = low * 7 + (unsigned)tolower(c);
        }
        printf("  toupper %08x tolower %08x; %c%c%c%c\n", up, low, toupper('a'),
               tolower('Q'), toupper('5'), tolower('!'));
    }
}

int main(void)
{
    test_mem();
    test_str();
    test_printf();
    test_conv();
    test_ctype();
    return 0;
}
