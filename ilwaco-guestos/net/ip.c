/*
 * net/ip.c - IPv4 (RFC 791): checking and handing up received datagrams,
 * building, routing and sending ours, and loopback.
 *
 * Received datagrams are checked (version, header length, total length,
 * header checksum; rx_bad), refused if they are fragments (ip_fragments:
 * we never reassemble and always send with DF), and must be addressed to
 * us (our address or the broadcast address; rx_not_for_us).  Options are
 * skipped.  Unknown protocols are counted and answered with ICMP protocol
 * unreachable.
 *
 * Routing: with a zero NETMASK every address is on the link; otherwise an
 * address outside our subnet goes to GATEWAY (no gateway: ENETUNREACH).
 * Datagrams to our own address or 127.0.0.0/8 are copied onto the loopback
 * queue (at most IP_LOOP_MAX, then dropped and counted in loop_drops),
 * which netd drains: ip_output never calls back into the sender.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lower.h"

#define IP_TTL       64
#define IP_DF        0x4000
#define IP_MF        0x2000
#define IP_OFFMASK   0x1fff
#define IP_LOOP_MAX  64

struct loop_dgram {
    struct loop_dgram *next;
    size_t len;
    uint8_t data[];
};

static struct loop_dgram *loop_head, *loop_tail;
static int loop_count;
static uint16_t next_id;
static const uint8_t *cur_dgram;
static size_t cur_len;

uint32_t ip_select_src(uint32_t dst)
{
    return net_ip_is_loopback(dst) ? NET_IP_LOOPBACK : net_cfg.ip;
}

int ip_is_local(uint32_t ip)
{
    return ip == net_cfg.ip || net_ip_is_loopback(ip);
}

int ip_is_broadcast(uint32_t ip)
{
    return ip == NET_IP_BROADCAST || (net_cfg.netmask && ip == (net_cfg.ip | ~net_cfg.netmask));
}

uint32_t ip_next_hop(uint32_t dst)
{
    uint32_t mask = net_cfg.netmask;

    if (ip_is_broadcast(dst) || mask == 0 || ((dst ^ net_cfg.ip) & mask) == 0)
        return dst;
    return net_cfg.gateway;
}

const uint8_t *ip_current(size_t *len)
{
    *len = cur_len;
    return cur_dgram;
}

/* ---- sending ------------------------------------------------------------- */

static void build(uint8_t *d, size_t total, uint32_t src, uint32_t dst, uint8_t proto,
                  const struct net_iov *iov, int n)
{
    size_t off = NET_IP_HLEN;

    d[0] = 0x45;
    d[1] = 0;
    net_put16(d + 2, (uint16_t)total);
    net_put16(d + 4, next_id++);
    net_put16(d + 6, IP_DF);
    d[8] = IP_TTL;
    d[9] = proto;
    net_put16(d + 10, 0);
    memcpy(d + 12, &src, 4);
    memcpy(d + 16, &dst, 4);
    struct net_iov h = {d, NET_IP_HLEN};
    net_put16(d + 10, net_csum_fold(net_csum_add(0, &h, 1)));
    for (int i = 0; i < n; i++) {
        memcpy(d + off, iov[i].base, iov[i].len);
        off += iov[i].len;
    }
}

static int loop_output(uint32_t src, uint32_t dst, uint8_t proto, const struct net_iov *iov, int n, size_t total)
{
    struct loop_dgram *l = 0;

    if (loop_count < IP_LOOP_MAX)
        l = malloc(sizeof *l + total);
    if (!l) {
        net_stats.loop_drops++;
        return -ENOBUFS;
    }
    build(l->data, total, src, dst, proto, iov, n);
    l->len = total;
    l->next = 0;
    if (loop_tail)
        loop_tail->next = l;
    else
        loop_head = l;
    loop_tail = l;
    loop_count++;
    netd_kick_loop();
    return 0;
}

int ip_output(uint32_t src, uint32_t dst, uint8_t proto, const struct net_iov *iov, int n)
{
    size_t total = NET_IP_HLEN;
    uint32_t hop;

    for (int i = 0; i < n; i++)
        total += iov[i].len;
    if (total > NET_MTU)
        return -EMSGSIZE;
    if (!net_started())
        return -ENETUNREACH;
    if (!src)
        src = ip_select_src(dst);
    if (ip_is_local(dst))
        return loop_output(src, dst, proto, iov, n, total);
    hop = ip_next_hop(dst);
    if (!hop || dst == 0)
        return -ENETUNREACH;
    build(eth_tx_payload(), total, src, dst, proto, iov, n);
    return arp_output(hop, eth_tx_payload(), total);
}

/* ---- receiving ---------------------------------------------------------------- */

static void deliver(const struct ip_info *info, const uint8_t *d, size_t hl, size_t total)
{
    const uint8_t *payload = d + hl;
    size_t len = total - hl;

    cur_dgram = d;
    cur_len = total;
    switch (info->proto) {
    case IP_PROTO_ICMP:
        icmp_input(info, payload, len);
        break;
    case IP_PROTO_UDP:
        udp_input(info, payload, len);
        break;
    case IP_PROTO_TCP:
        tcp_input(info, payload, len);
        break;
    default:
        net_stats.rx_not_for_us++;
        icmp_send_unreach(ICMP_UNREACH_PROTO);
    }
    cur_dgram = 0;
    cur_len = 0;
}

/* Is a datagram from src to dst ours to take?  From the wire nothing may
 * claim 127.0.0.0/8; looped back, only our own addresses are possible. */
static int accept_addr(uint32_t src, uint32_t dst, int looped)
{
    if (looped)
        return ip_is_local(dst);
    if (net_ip_is_loopback(src) || net_ip_is_loopback(dst))
        return 0;
    return dst == net_cfg.ip || ip_is_broadcast(dst);
}

static void receive(const uint8_t *d, size_t len, const uint8_t *src_mac)
{
    size_t hl, total;
    uint16_t frag;
    struct ip_info info;

    if (len < NET_IP_HLEN || d[0] >> 4 != 4) {
        net_stats.rx_bad++;
        return;
    }
    hl = (size_t)(d[0] & 0xf) * 4;
    total = net_get16(d + 2);
    struct net_iov h = {d, hl};
    if (hl < NET_IP_HLEN || hl > len || total < hl || total > len
        || net_csum_fold(net_csum_add(0, &h, 1)) != 0) {
        net_stats.rx_bad++;
        return;
    }
    frag = net_get16(d + 6);
    if ((frag & IP_MF) || (frag & IP_OFFMASK)) {
        net_stats.ip_fragments++;
        return;
    }
    memcpy(&info.src, d + 12, 4);
    memcpy(&info.dst, d + 16, 4);
    info.proto = d[9];
    info.ttl = d[8];
    if (!accept_addr(info.src, info.dst, src_mac == 0)) {
        net_stats.rx_not_for_us++;
        return;
    }
    if (src_mac && info.dst == net_cfg.ip)
        arp_glean(info.src, src_mac);
    deliver(&info, d, hl, total);
}

void ip_input(const uint8_t *datagram, size_t len, const uint8_t src_mac[6])
{
    receive(datagram, len, src_mac);
}

int ip_loop_pending(void)
{
    return loop_head != 0;
}

int ip_loop_drain(int max)
{
    for (int i = 0; i < max && loop_head; i++) {
        struct loop_dgram *l = loop_head;
        loop_head = l->next;
        if (!loop_head)
            loop_tail = 0;
        loop_count--;
        receive(l->data, l->len, 0);       /* looped: no Ethernet sender */
        free(l);
    }
    return loop_head != 0;
}
