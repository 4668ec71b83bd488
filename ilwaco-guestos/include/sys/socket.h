/*
 * sys/socket.h - BSD sockets over Ilwaco's TCP/IP stack (net/socket.c).
 *
 * AF_INET only: SOCK_STREAM (TCP, net/tcp.c) and SOCK_DGRAM (UDP,
 * net/udp.c).  A socket is a small int descriptor (>= 3); calls return -1
 * and set errno on error, as POSIX says.  Sockets block the calling thread
 * only (other threads run meanwhile) unless O_NONBLOCK is set with fcntl
 * or MSG_DONTWAIT is passed.  SO_RCVTIMEO / SO_SNDTIMEO (struct timeval)
 * bound blocking calls (EAGAIN when they expire).  The first socket() starts
 * the stack (net_start in ilwaco/net.h).  Every call is thread-safe.
 */
#ifndef _SYS_SOCKET_H
#define _SYS_SOCKET_H
#include <sys/types.h>

#define AF_UNSPEC   0
#define AF_INET     2
#define PF_INET     AF_INET

#define SOCK_STREAM 1
#define SOCK_DGRAM  2

#define SOL_SOCKET   1
#define SO_REUSEADDR 2      /* accepted; binding over TIME_WAIT is always allowed */
#define SO_ERROR     4      /* getsockopt: the pending error, then cleared */
#define SO_KEEPALIVE 9      /* accepted, no effect */
#define SO_SNDBUF    7      /* getsockopt only */
#define SO_RCVBUF    8      /* getsockopt only */
#define SO_RCVTIMEO  20
#define SO_SNDTIMEO  21

#define MSG_PEEK     0x02
#define MSG_DONTWAIT 0x40
#define MSG_WAITALL  0x100
#define MSG_NOSIGNAL 0x4000 /* accepted; there are no signals */

#define SHUT_RD   0
#define SHUT_WR   1
#define SHUT_RDWR 2

#define SOMAXCONN 128

struct sockaddr {
    sa_family_t sa_family;
    char sa_data[14];
};

struct timeval {
    int32_t tv_sec;
    int32_t tv_usec;
};

int socket(int domain, int type, int protocol);
int bind(int fd, const struct sockaddr *addr, socklen_t len);
int listen(int fd, int backlog);
int accept(int fd, struct sockaddr *addr, socklen_t *len);
int connect(int fd, const struct sockaddr *addr, socklen_t len);
ssize_t send(int fd, const void *buf, size_t len, int flags);
ssize_t recv(int fd, void *buf, size_t len, int flags);
ssize_t sendto(int fd, const void *buf, size_t len, int flags,
               const struct sockaddr *to, socklen_t tolen);
ssize_t recvfrom(int fd, void *buf, size_t len, int flags,
                 struct sockaddr *from, socklen_t *fromlen);
int shutdown(int fd, int how);
int setsockopt(int fd, int level, int name, const void *val, socklen_t len);
int getsockopt(int fd, int level, int name, void *val, socklen_t *len);
int getsockname(int fd, struct sockaddr *addr, socklen_t *len);
int getpeername(int fd, struct sockaddr *addr, socklen_t *len);

#endif /* _SYS_SOCKET_H */
