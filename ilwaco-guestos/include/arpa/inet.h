/* arpa/inet.h - dotted-quad text and IPv4 addresses (net/inet.c). */
#ifndef _ARPA_INET_H
#define _ARPA_INET_H
#include <netinet/in.h>

#define INET_ADDRSTRLEN 16

/* "a.b.c.d" to network order; INADDR_NONE if malformed. */
in_addr_t inet_addr(const char *text);
/* 1 on success, 0 if malformed, -1 (EAFNOSUPPORT) if af is not AF_INET. */
int inet_pton(int af, const char *text, void *dst);
/* dst or NULL (ENOSPC when size < INET_ADDRSTRLEN is too small). */
const char *inet_ntop(int af, const void *src, char *dst, socklen_t size);

#endif /* _ARPA_INET_H */
