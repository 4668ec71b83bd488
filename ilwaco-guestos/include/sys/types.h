/* sys/types.h - the POSIX types the socket headers use. */
#ifndef _SYS_TYPES_H
#define _SYS_TYPES_H
#include <stddef.h>
#include <stdint.h>

typedef int32_t ssize_t;
typedef uint32_t socklen_t;
typedef uint16_t sa_family_t;
typedef uint16_t in_port_t;
typedef uint32_t in_addr_t;

#endif /* _SYS_TYPES_H */
