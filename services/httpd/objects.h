/*
 * services/httpd/objects.h - the static objects httpd serves.
 *
 * Every object but the index is a deterministic printable pattern, built
 * into .rodata by the assembler at compile time (objects.c), so it costs
 * no heap and its pages are shared by every VM running the image.  Byte i
 * of the object at path P is httpd_pattern_byte(httpd_pattern_seed(P), i):
 * 63 printable characters and a newline per 64-byte line.  A client can
 * check any byte of any response from the path and the offset alone (the
 * test guests include this header for that).
 */
#ifndef HTTPD_OBJECTS_H
#define HTTPD_OBJECTS_H
#include <stddef.h>
#include <stdint.h>

struct httpd_object {
    const char *path;           /* "/large" */
    const char *type;           /* Content-Type */
    const char *data;
    uint32_t len;
};

/* The objects, ended by an entry with path NULL. */
extern const struct httpd_object httpd_objects[];

/* The object at exactly this path (len bytes, no query), or NULL. */
const struct httpd_object *httpd_object_find(const char *path, size_t len);

/* The pattern's seed for a path: the sum of its bytes modulo 94. */
static inline uint32_t httpd_pattern_seed(const char *path)
{
    uint32_t sum = 0;
    while (*path)
        sum += (uint8_t)*path++;
    return sum % 94;
}

/* Byte i of a pattern object with this seed (objects.c's HTTPD_PATTERN
 * macro computes the same in assembler expressions). */
static inline char httpd_pattern_byte(uint32_t seed, uint32_t i)
{
    if (i % 64 == 63)
        return '\n';
    return (char)(33 + ((i / 64) * 7 + (i % 64) * 3 + seed * 11) % 94);
}

#endif /* HTTPD_OBJECTS_H */
