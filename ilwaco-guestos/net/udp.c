/*
 * net/udp.c - UDP (RFC 768): protocol control blocks, the receive queues,
 * checksums, ephemeral ports.
 *
 * Each socket has a pcb on one list.  A received datagram goes to the pcb
 * connected to its sender if there is one, else to the one bound to its
 * port (and to its address, or to any); none: udp_no_port and ICMP port
 * unreachable.  Each pcb queues at most UDP_RCVQ_MAX datagrams and
 * UDP_RCVQ_BYTES bytes, copied into malloc'ed blocks freed as they are
 * read; a datagram that does not fit is dropped and counted
 * (udp_queue_drops).  Checksums are verified when present and always sent.
 * A connected socket learns of ICMP unreachable replies as a pending error
 * (ECONNREFUSED for port unreachable) returned by its next call.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "lower.h"

#define UDP_RCVQ_MAX     32
#define UDP_RCVQ_BYTES   32768
#define UDP_MAX_PAYLOAD  (NET_MTU - NET_IP_HLEN - NET_UDP_HLEN)
#define EPHEMERAL_LO     49152
#define EPHEMERAL_N      16384

struct udp_dgram {
    struct udp_dgram *next;
    uint32_t ip;
    uint16_t port;
    uint16_t len;
    uint8_t data[];
};

struct udp_pcb {
    struct udp_pcb *next;
    struct socket *so;
    uint32_t lip, rip;                  /* rip/rport: connected peer, or 0 */
    uint16_t lport, rport;
    uint8_t shut_rd, shut_wr;
    struct udp_dgram *head, *tail;
    int count;
    size_t bytes;
};

static struct udp_pcb *pcbs;
static uint16_t next_ephemeral;

static struct udp_pcb *pcb_of(struct socket *so)
{
    return so->pcb;
}

int udp_open(struct socket *so)
{
    struct udp_pcb *pcb = calloc(1, sizeof *pcb);

    if (!pcb)
        return -ENOMEM;
    pcb->so = so;
    pcb->next = pcbs;
    pcbs = pcb;
    so->pcb = pcb;
    return 0;
}

void udp_close(struct socket *so)
{
    struct udp_pcb *pcb = pcb_of(so);

    if (!pcb)
        return;
    for (struct udp_pcb **p = &pcbs; *p; p = &(*p)->next) {
        if (*p == pcb) {
            *p = pcb->next;
            break;
        }
    }
    while (pcb->head) {
        struct udp_dgram *d = pcb->head;
        pcb->head = d->next;
        free(d);
    }
    free(pcb);
    so->pcb = 0;
}

/* ---- ports ----------------------------------------------------------------------- */

static int port_in_use(uint16_t port, uint32_t ip)
{
    for (struct udp_pcb *p = pcbs; p; p = p->next)
        if (p->lport == port && (p->lip == 0 || ip == 0 || p->lip == ip))
            return 1;
    return 0;
}

static int ephemeral(uint32_t ip)
{
    for (int i = 0; i < EPHEMERAL_N; i++) {
        uint16_t port = (uint16_t)(EPHEMERAL_LO + next_ephemeral++ % EPHEMERAL_N);
        if (!port_in_use(port, ip))
            return port;
    }
    return -EADDRINUSE;
}

int udp_bind(struct socket *so, uint32_t ip, uint16_t port)
{
    struct udp_pcb *pcb = pcb_of(so);
    int p = port;

    if (pcb->lport)
        return -EINVAL;
    if (ip != 0 && !ip_is_local(ip))
        return -EADDRNOTAVAIL;
    if (port == 0)
        p = ephemeral(ip);
    else if (port_in_use(port, ip))
        p = -EADDRINUSE;
    if (p < 0)
        return p;
    pcb->lip = ip;
    pcb->lport = (uint16_t)p;
    return 0;
}

static int autobind(struct udp_pcb *pcb)
{
    return pcb->lport ? 0 : udp_bind(pcb->so, 0, 0);
}

int udp_connect(struct socket *so, uint32_t ip, uint16_t port)
{
    struct udp_pcb *pcb = pcb_of(so);
    int r;

    if (ip == 0 && port == 0) {         /* AF_UNSPEC: dissolve the association */
        pcb->rip = 0;
        pcb->rport = 0;
        return 0;
    }
    if (port == 0)
        return -EINVAL;
    if ((r = autobind(pcb)) != 0)
        return r;
    pcb->rip = ip ? ip : NET_IP_LOOPBACK;
    pcb->rport = port;
    so->error = 0;
    return 0;
}

int udp_shutdown(struct socket *so, int how)
{
    struct udp_pcb *pcb = pcb_of(so);

    if (!pcb->rport)
        return -ENOTCONN;
    if (how == SHUT_RD || how == SHUT_RDWR)
        pcb->shut_rd = 1;
    if (how == SHUT_WR || how == SHUT_RDWR)
        pcb->shut_wr = 1;
    sock_wakeup(so);
    return 0;
}

int udp_getname(struct socket *so, int peer, uint32_t *ip, uint16_t *port)
{
    struct udp_pcb *pcb = pcb_of(so);

    if (peer) {
        if (!pcb->rport)
            return -ENOTCONN;
        *ip = pcb->rip;
        *port = pcb->rport;
        return 0;
    }
    *ip = pcb->lip ? pcb->lip : pcb->rport ? ip_select_src(pcb->rip) : 0;
    *port = pcb->lport;
    return 0;
}

static int take_error(struct socket *so)
{
    int e = so->error;

    so->error = 0;
    return -e;
}

/* A socket bound to the VM's old address was bound to this VM: it follows
 * the VM to its new address (a service in a clone keeps serving), and so
 * does one connected to the VM itself by that address.  UDP keeps no other
 * state with a peer; datagrams already queued were delivered and stay. */
void udp_identity_changed(uint32_t old_ip, uint32_t new_ip)
{
    if (old_ip == new_ip || old_ip == 0 || new_ip == 0)
        return;                 /* 0 is "any address", never the VM's own */
    for (struct udp_pcb *p = pcbs; p; p = p->next) {
        if (p->lip == old_ip)
            p->lip = new_ip;
        if (p->rip == old_ip)
            p->rip = new_ip;
    }
}

/* ---- sending ------------------------------------------------------------------------- */

ssize_t udp_sendto(struct socket *so, const void *buf, size_t len, int flags, uint32_t ip, uint16_t port)
{
    struct udp_pcb *pcb = pcb_of(so);
    uint8_t h[NET_UDP_HLEN];
    uint32_t src;
    int r;

    if (so->error)
        return take_error(so);
    if (pcb->shut_wr)
        return -EPIPE;
    if (ip == 0) {
        if (!pcb->rport)
            return -EDESTADDRREQ;
        ip = pcb->rip;
        port = pcb->rport;
    } else if (port == 0) {
        return -EINVAL;
    }
    if (len > UDP_MAX_PAYLOAD)
        return -EMSGSIZE;
    if (len > 0 && !buf)
        return -EFAULT;
    if ((r = autobind(pcb)) != 0)
        return r;
    src = pcb->lip ? pcb->lip : ip_select_src(ip);
    net_put16(h, pcb->lport);
    net_put16(h + 2, port);
    net_put16(h + 4, (uint16_t)(NET_UDP_HLEN + len));
    net_put16(h + 6, 0);
    struct net_iov iov[2] = {{h, NET_UDP_HLEN}, {buf, len}};
    uint16_t c = net_csum_fold(net_csum_add(net_csum_pseudo(src, ip, IP_PROTO_UDP, (uint16_t)(NET_UDP_HLEN + len)), iov, 2));
    net_put16(h + 6, c ? c : 0xffff);
    r = ip_output(src, ip, IP_PROTO_UDP, iov, 2);
    if (r == -ENOBUFS)
        r = 0;                          /* lost on the way, and counted there */
    if (r < 0)
        return r;
    net_stats.udp_out++;
    return (ssize_t)len;
}

/* ---- receiving ---------------------------------------------------------------------- */

static struct udp_pcb *lookup(uint32_t dst, uint16_t dport, uint32_t src, uint16_t sport)
{
    struct udp_pcb *bound = 0;

    for (struct udp_pcb *p = pcbs; p; p = p->next) {
        if (p->lport != dport || (p->lip != 0 && p->lip != dst))
            continue;
        if (p->rport == 0)
            bound = bound ? bound : p;
        else if (p->rip == src && p->rport == sport)
            return p;
    }
    return bound;
}

void udp_input(const struct ip_info *ip, const uint8_t *d, size_t len)
{
    uint16_t ulen, sport, dport;
    struct udp_pcb *pcb;
    struct udp_dgram *dg;

    ulen = len >= NET_UDP_HLEN ? net_get16(d + 4) : 0;
    if (ulen < NET_UDP_HLEN || ulen > len) {
        net_stats.rx_bad++;
        return;
    }
    struct net_iov iov = {d, ulen};
    if (net_get16(d + 6) != 0
        && net_csum_fold(net_csum_add(net_csum_pseudo(ip->src, ip->dst, IP_PROTO_UDP, ulen), &iov, 1)) != 0) {
        net_stats.rx_bad++;
        return;
    }
    sport = net_get16(d);
    dport = net_get16(d + 2);
    pcb = lookup(ip->dst, dport, ip->src, sport);
    if (!pcb) {
        net_stats.udp_no_port++;
        icmp_send_unreach(ICMP_UNREACH_PORT);
        return;
    }
    ulen -= NET_UDP_HLEN;
    dg = 0;
    if (!pcb->shut_rd && pcb->count < UDP_RCVQ_MAX && pcb->bytes + ulen <= UDP_RCVQ_BYTES)
        dg = malloc(sizeof *dg + ulen);
    if (!dg) {
        net_stats.udp_queue_drops++;
        return;
    }
    dg->next = 0;
    dg->ip = ip->src;
    dg->port = sport;
    dg->len = ulen;
    memcpy(dg->data, d + NET_UDP_HLEN, ulen);
    if (pcb->tail)
        pcb->tail->next = dg;
    else
        pcb->head = dg;
    pcb->tail = dg;
    pcb->count++;
    pcb->bytes += ulen;
    net_stats.udp_in++;
    sock_wakeup(pcb->so);
}

ssize_t udp_recvfrom(struct socket *so, void *buf, size_t len, int flags, uint32_t *ip, uint16_t *port)
{
    struct udp_pcb *pcb = pcb_of(so);
    uint64_t deadline = sock_deadline(so, 0);
    struct udp_dgram *dg;
    size_t n;
    int r;

    for (;;) {
        if (so->error)
            return take_error(so);
        if (pcb->head)
            break;
        if (pcb->shut_rd)
            return 0;
        if (so->nonblock || (flags & MSG_DONTWAIT))
            return -EAGAIN;
        r = sock_wait(so, deadline);
        if (r)
            return r == -ETIMEDOUT ? -EAGAIN : r;
    }
    dg = pcb->head;
    n = len < dg->len ? len : dg->len;
    if (n > 0 && !buf)
        return -EFAULT;
    memcpy(buf, dg->data, n);
    *ip = dg->ip;
    *port = dg->port;
    if (!(flags & MSG_PEEK)) {
        pcb->head = dg->next;
        if (!pcb->head)
            pcb->tail = 0;
        pcb->count--;
        pcb->bytes -= dg->len;
        free(dg);
    }
    return (ssize_t)n;
}

int udp_poll(struct socket *so)
{
    struct udp_pcb *pcb = pcb_of(so);
    int bits = pcb->shut_wr ? 0 : POLLOUT;

    if (pcb->head || pcb->shut_rd)
        bits |= POLLIN;
    if (so->error)
        bits |= POLLERR;
    return bits;
}

void udp_icmp_error(uint8_t type, uint8_t code, const uint8_t *q, size_t len)
{
    size_t hl = (size_t)(q[0] & 0xf) * 4;
    uint32_t src, dst;
    uint16_t sport, dport;

    if (len < hl + NET_UDP_HLEN)
        return;
    memcpy(&src, q + 12, 4);
    memcpy(&dst, q + 16, 4);
    sport = net_get16(q + hl);
    dport = net_get16(q + hl + 2);
    for (struct udp_pcb *p = pcbs; p; p = p->next) {
        if (p->lport != sport || p->rport != dport || p->rip != dst)
            continue;
        p->so->error = code == ICMP_UNREACH_PORT ? ECONNREFUSED
                     : code == ICMP_UNREACH_NET ? ENETUNREACH : EHOSTUNREACH;
        sock_wakeup(p->so);
        return;
    }
}
