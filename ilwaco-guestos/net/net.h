/*
 * net/net.h - how the layers of Ilwaco's network stack call each other.
 *
 *   socket.c   descriptors, BSD calls, poll          -> udp.c / tcp.c
 *   tcp.c      RFC 9293 connections                   -> ip.c
 *   udp.c      datagrams                              -> ip.c
 *   icmp.c     echo, port unreachable                 -> ip.c
 *   ip.c       IPv4 in/out, routing, loopback         -> arp.c, eth.c
 *   arp.c      cache with expiry, pending datagrams   -> eth.c
 *   eth.c      Ethernet framing                       -> nic.c
 *   nic.c      the NIC driver: NIC_SEND / NIC_RECV, the RX interrupt
 *   netif.c    net_start, netd (the network thread), net_lock, net timers,
 *              the VM's addresses, the counters
 *   inet.c     checksums, byte order, inet_addr/pton/ntop
 *
 * Locking: one mutex, net_lock, guards every structure of the stack.  netd
 * holds it while it handles received frames and due net timers; a socket
 * call holds it while it runs and sleeps on its socket's cond with it
 * (cond_wait(&so->cond, &net_lock)).  Functions below that say "lock held"
 * must be called with net_lock held; none of them blocks except where it
 * says so.  Interrupt handlers and kern/timer.c callbacks never take it: a
 * net timer's callback runs on netd, under the lock (see net_timer_*).
 *
 * Addresses are uint32_t in network byte order throughout; ports are
 * uint16_t in host order below socket.c.
 */
#ifndef ILWACO_NET_NET_H
#define ILWACO_NET_NET_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <ilwaco/net.h>
#include <ilwaco/thread.h>
#include <ilwaco/timer.h>

/* ---- sizes ------------------------------------------------------------- */
#define NET_ETH_HLEN     14
#define NET_MTU          1500                       /* IPv4 datagram, bytes */
#define NET_FRAME_MAX    (NET_ETH_HLEN + NET_MTU)   /* 1514 */
#define NET_IP_HLEN      20                         /* we send no options */
#define NET_TCP_HLEN     20
#define NET_UDP_HLEN     8
#define NET_TCP_MSS      (NET_MTU - NET_IP_HLEN - NET_TCP_HLEN)   /* 1460 */

#define IP_PROTO_ICMP 1
#define IP_PROTO_TCP  6
#define IP_PROTO_UDP  17

/* ---- big-endian loads and stores at any alignment (inet.c) --------------- */
static inline uint16_t net_get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t net_get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void net_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void net_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* ---- checksums (inet.c) ---------------------------------------------------
 * A scatter list; the pieces are summed as one byte string (an odd-length
 * piece is handled across the boundary). */
struct net_iov {
    const void *base;
    size_t len;
};
/* The 32-bit running one's-complement sum of the pieces, starting at sum. */
uint32_t net_csum_add(uint32_t sum, const struct net_iov *iov, int n);
/* The TCP/UDP pseudo-header (src, dst, protocol, length) as a running sum. */
uint32_t net_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len);
/* Fold and complement: the value to store in a checksum field; a received
 * header (checksum field included) is correct when this gives 0. */
uint16_t net_csum_fold(uint32_t sum);

/* ---- netif.c: the stack's lock, thread, addresses and counters --------- */
extern mutex_t net_lock;
extern struct net_stats net_stats;      /* lock held to update */

struct net_config {
    uint8_t mac[6];
    uint32_t ip, netmask, gateway;      /* network order; netmask 0: all on-link */
};
extern struct net_config net_cfg;       /* filled by net_start, kept equal to the vregs */

/* mutex_lock(&net_lock) for a call from a program (release it with
 * mutex_unlock): it also takes up a changed identity (net_identity_check),
 * so the call never sends from an address the VM no longer has. */
void net_lock_take(void);
/* Lock held.  If the virtual registers hold another MAC, address, netmask
 * or gateway than net_cfg (a clone of a snapshot has woken with its own),
 * take them up: net_cfg is reloaded, the ARP cache flushed, and UDP and TCP
 * told (udp_identity_changed, tcp_identity_changed); counted in
 * identity_changes.  Otherwise a few loads and compares.  netd calls it
 * after every wake, before anything else. */
void net_identity_check(void);

/* The VM's clock (denali_time_ns). */
uint64_t net_now(void);

/* Net timers: kern/timer.c timers whose callback runs on netd under
 * net_lock, so it may do anything a lock holder may (send, wake sockets),
 * except block.  The owner embeds one in its object.  Arming an armed timer
 * moves it; cancel is exact: after net_timer_cancel returns (lock held) the
 * callback will not run. */
struct net_timer;
typedef void (*net_timer_fn)(struct net_timer *t, void *arg);
struct net_timer {
    struct timer timer;                 /* kern/timer.c part */
    net_timer_fn fn;
    void *arg;
    struct net_timer *next_due;         /* on netd's due list */
    uint8_t due;                        /* fired, waiting for netd */
};
void net_timer_init(struct net_timer *t, net_timer_fn fn, void *arg);
void net_timer_arm(struct net_timer *t, uint64_t deadline_ns);  /* lock held */
void net_timer_cancel(struct net_timer *t);                     /* lock held */
int net_timer_armed(const struct net_timer *t);                 /* armed or due */

/* ---- ip.c ----------------------------------------------------------------- */
/* Send one IPv4 datagram whose payload is the pieces of iov (a transport
 * header, then data) from src (0: the VM's address) to dst.  ip.c builds
 * the header (TTL 64, DF, a fresh id, checksum), routes on-link or via the
 * gateway, and hands it to arp.c; a datagram to the VM's own address or to
 * 127.0.0.0/8 loops back through a bounded queue that netd drains, never
 * re-entering the caller.  Lock held.  0 when sent, queued on ARP or looped
 * back; -EMSGSIZE over NET_MTU; -ENETUNREACH no NIC or no route;
 * -ENOBUFS queue full (dropped and counted: transports treat it as loss). */
int ip_output(uint32_t src, uint32_t dst, uint8_t proto, const struct net_iov *iov, int n);

/* Received datagram handed up by ip.c (header and checksum verified, not a
 * fragment, addressed to us): payload of len bytes.  Lock held, on netd. */
struct ip_info {
    uint32_t src, dst;
    uint8_t proto, ttl;
};
void tcp_input(const struct ip_info *ip, const uint8_t *seg, size_t len);
void udp_input(const struct ip_info *ip, const uint8_t *dgram, size_t len);
void icmp_input(const struct ip_info *ip, const uint8_t *msg, size_t len);
/* An ICMP destination unreachable (port, host, ...) arrived about a
 * datagram we sent; quoted is its IP header and first payload bytes. */
void tcp_icmp_error(uint8_t type, uint8_t code, const uint8_t *quoted, size_t len);

/* ---- sockets (socket.c owns struct socket; tcp.c and udp.c fill pcb) ---- */
struct socket {
    int fd;
    int type;                   /* SOCK_STREAM or SOCK_DGRAM */
    int nonblock;               /* O_NONBLOCK */
    int error;                  /* pending error for SO_ERROR (positive errno) */
    uint64_t rcvtimeo_ns;       /* 0: wait forever */
    uint64_t sndtimeo_ns;
    cond_t cond;                /* broadcast by sock_wakeup */
    void *pcb;                  /* struct tcp_pcb * or struct udp_pcb * */
};
/* The socket's readiness may have changed (data, space, connection, error,
 * close): wake its blocked callers and any poll() watching it.  Lock held. */
void sock_wakeup(struct socket *so);
/* Block in a socket call until sock_wakeup or deadline_ns (0: none):
 * 0 when woken, -ETIMEDOUT, or -EBADF when another thread closed the
 * descriptor meanwhile (return at once; socket.c makes the call fail with
 * EBADF).  Lock held (it is released while asleep). */
int sock_wait(struct socket *so, uint64_t deadline_ns);
/* The deadline a blocking call on so should use now: 0 (none) or
 * now + timeout; MSG_DONTWAIT / O_NONBLOCK are the caller's to check. */
uint64_t sock_deadline(const struct socket *so, int sending);

/* TCP (tcp.c).  Called by socket.c with the lock held; return 0 or a
 * non-negative count, or -errno.  The blocking ones (accept, connect, send,
 * recv) wait with sock_wait, honour so->nonblock / MSG_DONTWAIT (-EAGAIN,
 * connect: -EINPROGRESS) and the socket's timeouts (-EAGAIN). */
int tcp_open(struct socket *so);                               /* new pcb: -ENOMEM */
int tcp_bind(struct socket *so, uint32_t ip, uint16_t port);   /* port 0: ephemeral */
int tcp_listen(struct socket *so, int backlog);
/* newso is a fresh socket (no pcb yet) that gets the connection. */
int tcp_accept(struct socket *so, struct socket *newso, uint32_t *ip, uint16_t *port);
int tcp_connect(struct socket *so, uint32_t ip, uint16_t port);
ssize_t tcp_send(struct socket *so, const void *buf, size_t len, int flags);
ssize_t tcp_recv(struct socket *so, void *buf, size_t len, int flags);
int tcp_shutdown(struct socket *so, int how);
/* The descriptor is closed: the connection finishes on its own (FIN,
 * TIME_WAIT) or is reset if unread data remains; so is freed by socket.c
 * right after, so tcp.c must drop every pointer to it. */
void tcp_close(struct socket *so);
int tcp_poll(struct socket *so);                               /* POLL* bits now */
int tcp_getname(struct socket *so, int peer, uint32_t *ip, uint16_t *port);
/* The VM's identity changed (net_identity_check) and its address went from
 * old_ip to new_ip (maybe the same, if only the MAC changed): end the
 * connections on old_ip, move what was bound to it, and draw a new ISN key. */
void tcp_identity_changed(uint32_t old_ip, uint32_t new_ip);
/* Connections that still have data or a FIN the peer has not acknowledged
 * (closed sockets included): what exit() waits for (netif.c, net_linger). */
int tcp_unsent(void);
#define NET_LINGER_NS      (2000ull * 1000000)
#define NET_LINGER_STEP_NS (10ull * 1000000)

/* UDP (udp.c), same conventions. */
int udp_open(struct socket *so);
int udp_bind(struct socket *so, uint32_t ip, uint16_t port);
int udp_connect(struct socket *so, uint32_t ip, uint16_t port);
ssize_t udp_sendto(struct socket *so, const void *buf, size_t len, int flags,
                   uint32_t ip, uint16_t port);    /* ip 0: the connected peer */
ssize_t udp_recvfrom(struct socket *so, void *buf, size_t len, int flags,
                     uint32_t *ip, uint16_t *port);
void udp_close(struct socket *so);
int udp_poll(struct socket *so);
int udp_getname(struct socket *so, int peer, uint32_t *ip, uint16_t *port);

/* ---- arp.c / eth.c / nic.c ------------------------------------------------ */
/* Send an IPv4 datagram (header included) to the next hop: resolved at
 * once, or held (one datagram per unresolved address, newest kept) while
 * ARP asks; dropped and counted after 3 unanswered requests, 1 s apart. */
int arp_output(uint32_t next_hop, const uint8_t *datagram, size_t len);
void arp_input(const uint8_t *msg, size_t len);
/* Frame the payload with our MAC and ethertype and send it.  0, or
 * -ENOBUFS when the NIC's TX queue is full (counted in tx_full). */
int eth_output(const uint8_t dst_mac[6], uint16_t ethertype, const struct net_iov *iov, int n);
void eth_input(const uint8_t *frame, size_t len);
void ip_input(const uint8_t *datagram, size_t len, const uint8_t src_mac[6]);

#endif /* ILWACO_NET_NET_H */
