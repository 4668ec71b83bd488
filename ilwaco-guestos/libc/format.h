/* libc/format.h - internal interface of the printf engine (libc/format.c). */
#ifndef ILWACO_FORMAT_H
#define ILWACO_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*format_sink)(void *ctx, const char *s, size_t n);

int ilwaco_vformat(format_sink sink, void *ctx, const char *fmt, va_list ap);

#endif
