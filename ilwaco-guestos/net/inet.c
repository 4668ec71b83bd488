/*
 * net/inet.c - the Internet checksum (RFC 1071) and dotted-quad text.
 *
 * The checksum is summed over little-endian 32-bit words in a 64-bit
 * accumulator (two instructions per 4 bytes on i386) and byte-swapped once
 * at the end: the one's-complement sum does not care about byte order as
 * long as it is folded before the swap (RFC 1071 section 2(B)).
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include "net.h"

typedef uint32_t __attribute__((may_alias, aligned(1))) u32_ua;
typedef uint16_t __attribute__((may_alias, aligned(1))) u16_ua;

/* Sum of the little-endian 16-bit words of p[0..len), len even. */
static uint64_t sum_le(const uint8_t *p, size_t len)
{
    uint64_t s = 0;

    while (len >= 16) {
        s += *(const u32_ua *)p;
        s += *(const u32_ua *)(p + 4);
        s += *(const u32_ua *)(p + 8);
        s += *(const u32_ua *)(p + 12);
        p += 16;
        len -= 16;
    }
    while (len >= 4) {
        s += *(const u32_ua *)p;
        p += 4;
        len -= 4;
    }
    if (len >= 2)
        s += *(const u16_ua *)p;
    return s;
}

static uint32_t fold16(uint64_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint32_t)s;
}

uint32_t net_csum_add(uint32_t sum, const struct net_iov *iov, int n)
{
    uint64_t s = 0;             /* little-endian domain */
    int odd = 0;                /* the byte string so far has odd length */

    for (int i = 0; i < n; i++) {
        const uint8_t *p = iov[i].base;
        size_t len = iov[i].len;

        if (odd && len) {       /* the low byte of a word begun before */
            s += (uint32_t)*p++ << 8;
            len--;
            odd = 0;
        }
        s += sum_le(p, len & ~(size_t)1);
        if (len & 1) {
            s += p[len - 1];
            odd = 1;
        }
    }
    uint32_t le = fold16(s);
    return sum + ((le >> 8) | (le & 0xff) << 8);
}

uint32_t net_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
    uint32_t s = ntohl(src), d = ntohl(dst);

    return (s >> 16) + (s & 0xffff) + (d >> 16) + (d & 0xffff) + proto + len;
}

uint16_t net_csum_fold(uint32_t sum)
{
    return (uint16_t)~fold16(sum);
}

/* ---- text ----------------------------------------------------------------- */

/* "a.b.c.d", four decimal parts 0..255; leading zeros only if lenient. */
static int parse_quad(const char *t, uint32_t *out, int lenient)
{
    uint8_t b[4];

    for (int part = 0; part < 4; part++) {
        unsigned v = 0;
        int digits = 0;

        if (part > 0 && *t++ != '.')
            return 0;
        while (*t >= '0' && *t <= '9') {
            if (digits > 0 && v == 0 && !lenient)
                return 0;
            v = v * 10 + (unsigned)(*t++ - '0');
            if (++digits > 3 || v > 255)
                return 0;
        }
        if (digits == 0)
            return 0;
        b[part] = (uint8_t)v;
    }
    if (*t != '\0')
        return 0;
    memcpy(out, b, 4);
    return 1;
}

in_addr_t inet_addr(const char *text)
{
    uint32_t a;

    return text && parse_quad(text, &a, 1) ? a : INADDR_NONE;
}

int inet_pton(int af, const char *text, void *dst)
{
    uint32_t a;

    if (af != AF_INET) {
        errno = EAFNOSUPPORT;
        return -1;
    }
    if (!text || !parse_quad(text, &a, 0))
        return 0;
    memcpy(dst, &a, 4);
    return 1;
}

static char *put_dec(char *p, unsigned v)
{
    if (v >= 100)
        *p++ = (char)('0' + v / 100);
    if (v >= 10)
        *p++ = (char)('0' + v / 10 % 10);
    *p++ = (char)('0' + v % 10);
    return p;
}

const char *inet_ntop(int af, const void *src, char *dst, socklen_t size)
{
    const uint8_t *b = src;
    char tmp[INET_ADDRSTRLEN], *p = tmp;

    if (af != AF_INET) {
        errno = EAFNOSUPPORT;
        return NULL;
    }
    for (int i = 0; i < 4; i++) {
        if (i)
            *p++ = '.';
        p = put_dec(p, b[i]);
    }
    *p++ = '\0';
    if ((socklen_t)(p - tmp) > size) {
        errno = ENOSPC;
        return NULL;
    }
    memcpy(dst, tmp, (size_t)(p - tmp));
    return dst;
}
