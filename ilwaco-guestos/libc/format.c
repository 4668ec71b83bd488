/*
 * libc/format.c - the printf engine shared by printf, snprintf and friends.
 *
 * ilwaco_vformat() walks the format and hands runs of output to a sink
 * (console or string buffer), returning the total length it produced.
 *
 *   %[flags][width][.precision][length]conversion
 *   flags       - + space # 0
 *   width/prec  digits or * (from the arguments)
 *   length      hh h l ll j z t
 *   conversion  d i u o x X c s p %
 *
 * Integers are converted with 32-bit division when the value fits, so the
 * 64-bit helpers (__udivmoddi4) run only for genuinely 64-bit values.
 * %p prints 0x followed by lower-case hex, "(nil)" for NULL; %s of NULL
 * prints "(null)"; an unknown conversion is printed as written.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "format.h"

#define F_MINUS 0x01
#define F_PLUS  0x02
#define F_SPACE 0x04
#define F_HASH  0x08
#define F_ZERO  0x10

enum length { L_NONE, L_HH, L_H, L_L, L_LL, L_J, L_Z, L_T };

struct out {
    format_sink sink;
    void *ctx;
    int total;
};

static void emit(struct out *o, const char *s, size_t n)
{
    if (n > 0) {
        o->sink(o->ctx, s, n);
        o->total += (int)n;
    }
}

static void pad(struct out *o, char c, int n)
{
    static const char spaces[16] = "                ";
    static const char zeros[16] = "0000000000000000";
    const char *src = c == '0' ? zeros : spaces;

    while (n > 0) {
        int k = n < 16 ? n : 16;
        emit(o, src, (size_t)k);
        n -= k;
    }
}

/* Digits of v in base, written backwards ending at end; returns the start. */
static char *to_digits(char *end, uint64_t v, unsigned base, int upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    uint32_t v32;

    while (v > 0xFFFFFFFFu) {
        *--end = digits[v % base];
        v /= base;
    }
    for (v32 = (uint32_t)v; v32 != 0; v32 /= base)
        *--end = digits[v32 % base];
    return end;
}

/* Emit one converted integer: sign, prefix, zero padding, digits. */
static void put_int(struct out *o, uint64_t mag, int negative, int signed_conv,
                    char conv, int flags, int width, int prec)
{
    char buf[24];
    char *end = buf + sizeof buf;
    const char *prefix = "";
    char sign = 0;
    unsigned base = conv == 'o' ? 8 : (conv == 'x' || conv == 'X' || conv == 'p') ? 16 : 10;
    char *digits = to_digits(end, mag, base, conv == 'X');
    int ndigits = (int)(end - digits);
    int nzeros, len;

    if (signed_conv) {
        if (negative)
            sign = '-';
        else if (flags & F_PLUS)
            sign = '+';
        else if (flags & F_SPACE)
            sign = ' ';
    }
    if (conv == 'p' || ((flags & F_HASH) && mag != 0 && base == 16))
        prefix = conv == 'X' ? "0X" : "0x";

    if (prec >= 0)
        flags &= ~F_ZERO;          /* a precision overrides the 0 flag */
    else
        prec = 1;
    nzeros = prec > ndigits ? prec - ndigits : 0;
    if ((flags & F_HASH) && base == 8 && nzeros == 0 && (ndigits == 0 || *digits != '0'))
        nzeros = 1;                /* # with octal: a leading zero */

    len = (sign != 0) + (int)strlen(prefix) + nzeros + ndigits;
    if ((flags & F_ZERO) && !(flags & F_MINUS) && width > len) {
        nzeros += width - len;
        len = width;
    }
    if (!(flags & F_MINUS))
        pad(o, ' ', width - len);
    if (sign)
        emit(o, &sign, 1);
    emit(o, prefix, strlen(prefix));
    pad(o, '0', nzeros);
    emit(o, digits, (size_t)ndigits);
    if (flags & F_MINUS)
        pad(o, ' ', width - len);
}

static void put_str(struct out *o, const char *s, size_t n, int flags, int width)
{
    int padding = width - (int)n;

    if (!(flags & F_MINUS))
        pad(o, ' ', padding);
    emit(o, s, n);
    if (flags & F_MINUS)
        pad(o, ' ', padding);
}

static int64_t signed_arg(va_list *ap, enum length len)
{
    switch (len) {
    case L_HH: return (signed char)va_arg(*ap, int);
    case L_H:  return (short)va_arg(*ap, int);
    case L_L:  return va_arg(*ap, long);
    case L_LL:
    case L_J:  return va_arg(*ap, long long);
    case L_Z:  return (ptrdiff_t)va_arg(*ap, size_t);
    case L_T:  return va_arg(*ap, ptrdiff_t);
    default:   return va_arg(*ap, int);
    }
}

static uint64_t unsigned_arg(va_list *ap, enum length len)
{
    switch (len) {
    case L_HH: return (unsigned char)va_arg(*ap, unsigned);
    case L_H:  return (unsigned short)va_arg(*ap, unsigned);
    case L_L:  return va_arg(*ap, unsigned long);
    case L_LL:
    case L_J:  return va_arg(*ap, unsigned long long);
    case L_Z:  return va_arg(*ap, size_t);
    case L_T:  return (size_t)va_arg(*ap, ptrdiff_t);
    default:   return va_arg(*ap, unsigned);
    }
}

int ilwaco_vformat(format_sink sink, void *ctx, const char *fmt, va_list ap_in)
{
    struct out o = { sink, ctx, 0 };
    va_list ap;

    va_copy(ap, ap_in);
    while (*fmt) {
        const char *start = fmt;
        int flags = 0, width = 0, prec = -1;
        enum length len = L_NONE;
        char conv;

        while (*fmt && *fmt != '%')
            fmt++;
        emit(&o, start, (size_t)(fmt - start));
        if (*fmt == '\0')
            break;
        start = fmt++;             /* at '%' */

        for (;; fmt++) {
            if (*fmt == '-') flags |= F_MINUS;
            else if (*fmt == '+') flags |= F_PLUS;
            else if (*fmt == ' ') flags |= F_SPACE;
            else if (*fmt == '#') flags |= F_HASH;
            else if (*fmt == '0') flags |= F_ZERO;
            else break;
        }
        if (*fmt == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                flags |= F_MINUS;
                width = -width;
            }
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9')
                width = width * 10 + (*fmt++ - '0');
        }
        if (*fmt == '.') {
            fmt++;
            prec = 0;
            if (*fmt == '*') {
                prec = va_arg(ap, int);
                if (prec < 0)
                    prec = -1;     /* negative precision: as if omitted */
                fmt++;
            } else {
                while (*fmt >= '0' && *fmt <= '9')
                    prec = prec * 10 + (*fmt++ - '0');
            }
        }
        switch (*fmt) {
        case 'h': len = L_H; if (*++fmt == 'h') { len = L_HH; fmt++; } break;
        case 'l': len = L_L; if (*++fmt == 'l') { len = L_LL; fmt++; } break;
        case 'j': len = L_J; fmt++; break;
        case 'z': len = L_Z; fmt++; break;
        case 't': len = L_T; fmt++; break;
        default: break;
        }

        conv = *fmt;
        if (conv == '\0') {         /* truncated directive: print it as is */
            emit(&o, start, (size_t)(fmt - start));
            break;
        }
        fmt++;
        switch (conv) {
        case 'd':
        case 'i': {
            int64_t v = signed_arg(&ap, len);
            uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
            put_int(&o, mag, v < 0, 1, conv, flags, width, prec);
            break;
        }
        case 'u':
        case 'o':
        case 'x':
        case 'X':
            put_int(&o, unsigned_arg(&ap, len), 0, 0, conv, flags, width, prec);
            break;
        case 'p': {
            void *p = va_arg(ap, void *);
            if (p == NULL)
                put_str(&o, "(nil)", 5, flags, width);
            else
                put_int(&o, (uintptr_t)p, 0, 0, 'p', flags, width, prec);
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            put_str(&o, &c, 1, flags, width);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (s == NULL)
                s = "(null)";
            put_str(&o, s, prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s), flags, width);
            break;
        }
        case '%':
            emit(&o, "%", 1);
            break;
        default:                    /* unknown: print the directive */
            emit(&o, start, (size_t)(fmt - start));
            break;
        }
    }
    va_end(ap);
    return o.total;
}
