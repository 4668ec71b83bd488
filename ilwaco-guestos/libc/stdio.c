/*
 * libc/stdio.c - printf and friends on top of the console and the engine.
 *
 * Console functions append to the console buffer (kern/console.c) and end
 * with console_end(), which flushes when the call wrote a newline.  stdout
 * and stderr are the same console.  The string functions (snprintf, ...)
 * write into the caller's buffer, always NUL-terminated when size > 0, and
 * return the length the full output would have had.  printf and puts hold
 * the console lock (interrupts masked) for the whole call, so lines printed
 * by different threads never interleave.
 */
#include <stdio.h>
#include <string.h>
#include <ilwaco.h>
#include "format.h"

struct ilwaco_file { int fd; };

static struct ilwaco_file out_file = { 1 }, err_file = { 2 };
FILE *const stdout = &out_file;
FILE *const stderr = &err_file;

static void console_sink(void *ctx, const char *s, size_t n)
{
    console_put(s, n);
}

int vprintf(const char *fmt, va_list ap)
{
    uint32_t lock = console_lock();     /* one thread's line stays whole */
    int n = ilwaco_vformat(console_sink, NULL, fmt, ap);

    console_end();
    console_unlock(lock);
    return n;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

int vfprintf(FILE *f, const char *fmt, va_list ap)
{
    return vprintf(fmt, ap);
}

int fprintf(FILE *f, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

struct strbuf {
    char *buf;
    size_t size;        /* capacity including the NUL; 0 = count only */
    size_t len;         /* bytes produced so far */
};

static void string_sink(void *ctx, const char *s, size_t n)
{
    struct strbuf *sb = ctx;

    if (sb->len + 1 < sb->size) {
        size_t room = sb->size - 1 - sb->len;
        memcpy(sb->buf + sb->len, s, n < room ? n : room);
    }
    sb->len += n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct strbuf sb = { buf, size, 0 };
    int n = ilwaco_vformat(string_sink, &sb, fmt, ap);

    if (size > 0)
        buf[sb.len < size ? sb.len : size - 1] = '\0';
    return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int vsprintf(char *buf, const char *fmt, va_list ap)
{
    return vsnprintf(buf, (size_t)-1 / 2, fmt, ap);
}

int sprintf(char *buf, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsprintf(buf, fmt, ap);
    va_end(ap);
    return n;
}

int fputs(const char *s, FILE *f)
{
    console_write(s, strlen(s));
    return 0;
}

int puts(const char *s)
{
    uint32_t lock = console_lock();

    console_put(s, strlen(s));
    console_put("\n", 1);
    console_end();
    console_unlock(lock);
    return 0;
}

int fputc(int c, FILE *f)
{
    char ch = (char)c;

    console_write(&ch, 1);
    return (unsigned char)ch;
}

int putc(int c, FILE *f)
{
    return fputc(c, f);
}

int putchar(int c)
{
    return fputc(c, stdout);
}

size_t fwrite(const void *p, size_t size, size_t n, FILE *f)
{
    console_write(p, size * n);
    return n;
}

int fflush(FILE *f)
{
    console_flush();
    return 0;
}
