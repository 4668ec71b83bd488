/*
 * net/icmp.c - ICMP (RFC 792): echo, destination unreachable, net_ping.
 *
 * Echo requests to our address are answered with the same identifier,
 * sequence number and data.  Destination unreachable messages about a
 * datagram we sent are passed to its transport (tcp_icmp_error,
 * udp_icmp_error).  We send port unreachable for UDP to a closed port and
 * protocol unreachable for an unknown protocol, never about a broadcast or
 * about an ICMP error.
 *
 * net_ping registers a pinger (on the caller's stack) that an echo reply
 * with its identifier, sequence number and data completes.
 *
 * Counters: icmp_echo_in counts echo requests and replies received,
 * icmp_echo_out those sent; malformed messages are rx_bad, unknown types
 * and replies nobody waits for rx_not_for_us.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lower.h"

#define ICMP_ECHO_REPLY   0
#define ICMP_UNREACH      3
#define ICMP_ECHO_REQUEST 8
#define ICMP_HLEN         8

struct pinger {
    struct pinger *next;
    uint32_t dst;
    uint16_t id, seq;
    const uint8_t *data;
    uint32_t len;
    uint64_t got_ns;            /* the reply's arrival, 0: none yet */
};

static struct pinger *pingers;
static cond_t ping_cond = COND_INITIALIZER;
static uint16_t next_ping_id = 0x4c57;

static int send_icmp(uint32_t src, uint32_t dst, uint8_t *hdr, const void *data, size_t len)
{
    struct net_iov iov[2] = {{hdr, ICMP_HLEN}, {data, len}};
    int r;

    net_put16(hdr + 2, 0);
    net_put16(hdr + 2, net_csum_fold(net_csum_add(0, iov, 2)));
    r = ip_output(src, dst, IP_PROTO_ICMP, iov, 2);
    if (r == 0 && (hdr[0] == ICMP_ECHO_REPLY || hdr[0] == ICMP_ECHO_REQUEST))
        net_stats.icmp_echo_out++;
    return r;
}

static void echo_request(const struct ip_info *ip, const uint8_t *m, size_t len)
{
    uint8_t hdr[ICMP_HLEN];

    if (ip_is_broadcast(ip->dst)) {
        net_stats.rx_not_for_us++;
        return;
    }
    memcpy(hdr, m, ICMP_HLEN);
    hdr[0] = ICMP_ECHO_REPLY;
    hdr[1] = 0;
    send_icmp(ip->dst, ip->src, hdr, m + ICMP_HLEN, len - ICMP_HLEN);
}

static void echo_reply(const struct ip_info *ip, const uint8_t *m, size_t len)
{
    uint16_t id = net_get16(m + 4), seq = net_get16(m + 6);

    for (struct pinger *p = pingers; p; p = p->next) {
        if (p->got_ns || p->id != id || p->seq != seq || p->dst != ip->src || p->len != len - ICMP_HLEN
            || memcmp(p->data, m + ICMP_HLEN, p->len) != 0)
            continue;
        p->got_ns = net_now();
        cond_broadcast(&ping_cond);
        return;
    }
    net_stats.rx_not_for_us++;
}

/* A destination unreachable quoting one of our datagrams. */
static void unreachable(uint8_t code, const uint8_t *m, size_t len)
{
    const uint8_t *q = m + ICMP_HLEN;
    size_t qlen = len - ICMP_HLEN;

    if (qlen < NET_IP_HLEN || q[0] >> 4 != 4 || (size_t)(q[0] & 0xf) * 4 > qlen) {
        net_stats.rx_bad++;
        return;
    }
    if (q[9] == IP_PROTO_TCP)
        tcp_icmp_error(ICMP_UNREACH, code, q, qlen);
    else if (q[9] == IP_PROTO_UDP)
        udp_icmp_error(ICMP_UNREACH, code, q, qlen);
    else
        net_stats.rx_not_for_us++;
}

void icmp_input(const struct ip_info *ip, const uint8_t *m, size_t len)
{
    struct net_iov iov = {m, len};

    if (len < ICMP_HLEN || net_csum_fold(net_csum_add(0, &iov, 1)) != 0) {
        net_stats.rx_bad++;
        return;
    }
    switch (m[0]) {
    case ICMP_ECHO_REQUEST:
        net_stats.icmp_echo_in++;
        echo_request(ip, m, len);
        break;
    case ICMP_ECHO_REPLY:
        net_stats.icmp_echo_in++;
        echo_reply(ip, m, len);
        break;
    case ICMP_UNREACH:
        unreachable(m[1], m, len);
        break;
    default:
        net_stats.rx_not_for_us++;
    }
}

void icmp_send_unreach(uint8_t code)
{
    size_t len, hl;
    const uint8_t *d = ip_current(&len);
    uint32_t src, dst;
    uint8_t hdr[ICMP_HLEN] = {ICMP_UNREACH, code};

    if (!d)
        return;
    hl = (size_t)(d[0] & 0xf) * 4;
    memcpy(&src, d + 12, 4);
    memcpy(&dst, d + 16, 4);
    if (ip_is_broadcast(dst) || src == 0 || ip_is_broadcast(src))
        return;
    if (d[9] == IP_PROTO_ICMP && (len <= hl || (d[hl] != ICMP_ECHO_REQUEST && d[hl] != ICMP_ECHO_REPLY)))
        return;                 /* never an error about an error */
    if (len > hl + 8)
        len = hl + 8;           /* the header and 64 bits of data (RFC 792) */
    send_icmp(dst, src, hdr, d, len);
}

void icmp_arp_failed(uint32_t next_hop)
{
    cond_broadcast(&ping_cond);
}

/* ---- net_ping ------------------------------------------------------------- */

static int64_t ping_wait(struct pinger *p, uint32_t hop, uint64_t start, uint64_t deadline)
{
    while (!p->got_ns) {
        if (hop && arp_failed_since(hop, start))
            return -EHOSTUNREACH;
        if (net_now() >= deadline || cond_timedwait(&ping_cond, &net_lock, deadline) != 0)
            return p->got_ns ? 0 : -ETIMEDOUT;
    }
    return 0;
}

int64_t net_ping(uint32_t dst, uint16_t seq, uint32_t payload_len, uint64_t timeout_ns)
{
    struct pinger p = {0};
    uint8_t hdr[ICMP_HLEN] = {ICMP_ECHO_REQUEST, 0};
    uint8_t *data;
    uint64_t start;
    int64_t r;
    uint32_t hop;

    if ((r = net_start()) != 0)
        return r;
    if (payload_len > NET_MTU - NET_IP_HLEN - ICMP_HLEN)
        return -EMSGSIZE;
    data = malloc(payload_len ? payload_len : 1);
    if (!data)
        return -ENOMEM;
    for (uint32_t i = 0; i < payload_len; i++)
        data[i] = (uint8_t)(i + seq);
    net_lock_take();
    p.dst = dst;
    p.id = next_ping_id++;
    p.seq = seq;
    p.data = data;
    p.len = payload_len;
    p.next = pingers;
    pingers = &p;
    net_put16(hdr + 4, p.id);
    net_put16(hdr + 6, seq);
    hop = ip_is_local(dst) ? 0 : ip_next_hop(dst);
    start = net_now();
    r = send_icmp(0, dst, hdr, data, payload_len);
    if (r == 0 || r == -ENOBUFS)        /* a full queue is a lost request */
        r = ping_wait(&p, hop, start, start + timeout_ns);
    for (struct pinger **pp = &pingers; *pp; pp = &(*pp)->next) {
        if (*pp == &p) {
            *pp = p.next;
            break;
        }
    }
    mutex_unlock(&net_lock);
    free(data);
    if (r < 0)
        return r;
    return p.got_ns > start ? (int64_t)(p.got_ns - start) : 1;
}
