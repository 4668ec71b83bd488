/*
 * net/tcp_absent.c - TEMPORARY: TCP is not here yet.
 *
 * Stand-ins for the tcp_* functions of net/net.h so that the stack links
 * before net/tcp.c exists: SOCK_STREAM sockets fail with EPROTONOSUPPORT and
 * TCP segments are counted as not for us.  The Makefile leaves this file
 * out as soon as net/tcp.c exists; delete it when TCP lands.
 */
#include <errno.h>
#include <poll.h>
#include "lower.h"

int tcp_open(struct socket *so) { return -EPROTONOSUPPORT; }
int tcp_bind(struct socket *so, uint32_t ip, uint16_t port) { return -EPROTONOSUPPORT; }
int tcp_listen(struct socket *so, int backlog) { return -EPROTONOSUPPORT; }
int tcp_accept(struct socket *so, struct socket *newso, uint32_t *ip, uint16_t *port) { return -EPROTONOSUPPORT; }
int tcp_connect(struct socket *so, uint32_t ip, uint16_t port) { return -EPROTONOSUPPORT; }
ssize_t tcp_send(struct socket *so, const void *buf, size_t len, int flags) { return -EPROTONOSUPPORT; }
ssize_t tcp_recv(struct socket *so, void *buf, size_t len, int flags) { return -EPROTONOSUPPORT; }
int tcp_shutdown(struct socket *so, int how) { return -EPROTONOSUPPORT; }
void tcp_close(struct socket *so) { }
int tcp_poll(struct socket *so) { return POLLERR; }
int tcp_getname(struct socket *so, int peer, uint32_t *ip, uint16_t *port) { return -EPROTONOSUPPORT; }

void tcp_input(const struct ip_info *ip, const uint8_t *seg, size_t len)
{
    net_stats.rx_not_for_us++;
}

void tcp_icmp_error(uint8_t type, uint8_t code, const uint8_t *quoted, size_t len)
{
}
