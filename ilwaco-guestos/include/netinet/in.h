/* netinet/in.h - IPv4 socket addresses and byte order (net/inet.c). */
#ifndef _NETINET_IN_H
#define _NETINET_IN_H
#include <sys/socket.h>

#define IPPROTO_IP   0
#define IPPROTO_ICMP 1
#define IPPROTO_TCP  6
#define IPPROTO_UDP  17

#define TCP_NODELAY  1       /* setsockopt(IPPROTO_TCP): accepted */

#define INADDR_ANY       ((in_addr_t)0x00000000)
#define INADDR_BROADCAST ((in_addr_t)0xffffffff)
#define INADDR_LOOPBACK  ((in_addr_t)0x7f000001)   /* host order, as POSIX */
#define INADDR_NONE      ((in_addr_t)0xffffffff)

struct in_addr {
    in_addr_t s_addr;        /* network byte order */
};

struct sockaddr_in {
    sa_family_t sin_family;  /* AF_INET */
    in_port_t sin_port;      /* network byte order */
    struct in_addr sin_addr;
    char sin_zero[8];
};

static inline uint16_t htons(uint16_t x) { return (uint16_t)((x << 8) | (x >> 8)); }
static inline uint16_t ntohs(uint16_t x) { return htons(x); }
static inline uint32_t htonl(uint32_t x)
{
    return (x << 24) | ((x & 0xff00u) << 8) | ((x >> 8) & 0xff00u) | (x >> 24);
}
static inline uint32_t ntohl(uint32_t x) { return htonl(x); }

#endif /* _NETINET_IN_H */
