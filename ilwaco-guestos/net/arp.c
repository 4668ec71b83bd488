/*
 * net/arp.c - ARP for IPv4 over Ethernet (RFC 826): the cache, requests and
 * replies, and the datagrams waiting for an answer.
 *
 * The cache is a fixed table.  A resolved entry lives ARP_TTL_NS; expiry is
 * checked when the entry is looked up, so a quiet cache needs no timer.  An
 * unresolved address holds one datagram (the newest: an older one is
 * dropped and counted) while up to ARP_TRIES requests go out ARP_RETRY_NS
 * apart; then the datagram is dropped (arp_timeouts, arp_queue_drops), the
 * entry is marked failed and pings through it give up.  An expired entry
 * that is used again is refreshed the same way, but datagrams keep going to
 * the MAC it had meanwhile (a busy connection loses nothing every
 * ARP_TTL_NS); only if the refresh gets no answer does the entry fail.  The
 * one retry timer is armed only while some address is being resolved.
 *
 * Learning: a request for our address creates or refreshes its sender's
 * entry (we are about to talk to it); any other request or reply, including
 * gratuitous and unsolicited ones, only refreshes an entry we already have.
 * Gleaning: an IPv4 datagram for us from an on-link sender we have no
 * entry for (or are still asking for) resolves it from the frame's source
 * MAC (arp_glean), so answering a peer that opened a connection to us (a
 * SYN from the gateway, say) needs no ARP round trip first.  Like the rule
 * above it only ever adds what a peer talking to us told us; a resolved
 * entry is left alone, so a datagram cannot redirect an address in use.
 *
 * Counters: arp_requests are requests we sent, arp_replies replies we sent.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lower.h"

#define ARP_ENTRIES   64
#define ARP_TTL_NS    (60ull * 1000000000ull)
#define ARP_RETRY_NS  (1000000000ull)
#define ARP_TRIES     3
#define ARP_LEN       28

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP  0x0806
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY   2

enum { ARP_FREE, ARP_PENDING, ARP_RESOLVED, ARP_FAILED };

struct arp_entry {
    uint32_t ip;
    uint8_t mac[6];
    uint8_t state;
    uint8_t tries;              /* requests sent (PENDING) */
    uint8_t stale;              /* PENDING: refreshing an expired entry; mac still used */
    uint64_t when;              /* RESOLVED: expiry; PENDING: next request; FAILED: when */
    uint8_t *held;              /* PENDING: the datagram waiting (malloc) */
    uint16_t held_len;
};

static struct arp_entry cache[ARP_ENTRIES];
static struct net_timer retry_timer;
static int timer_ready;

static struct arp_entry *find(uint32_t ip)
{
    for (int i = 0; i < ARP_ENTRIES; i++)
        if (cache[i].state != ARP_FREE && cache[i].ip == ip)
            return &cache[i];
    return 0;
}

static void drop_held(struct arp_entry *e)
{
    if (e->held) {
        free(e->held);
        e->held = 0;
        net_stats.arp_queue_drops++;
    }
}

/* A free entry, else the oldest failed, else the resolved one that expires
 * first, else (all are being resolved) the pending one asked longest ago. */
static struct arp_entry *take_entry(uint32_t ip)
{
    struct arp_entry *best = 0;
    static const uint8_t rank[] = {[ARP_FREE] = 0, [ARP_FAILED] = 1, [ARP_RESOLVED] = 2, [ARP_PENDING] = 3};

    for (int i = 0; i < ARP_ENTRIES; i++) {
        struct arp_entry *e = &cache[i];
        if (!best || rank[e->state] < rank[best->state]
            || (rank[e->state] == rank[best->state] && e->when < best->when))
            best = e;
        if (e->state == ARP_FREE)
            break;
    }
    drop_held(best);
    memset(best, 0, sizeof *best);
    best->ip = ip;
    return best;
}

static int send_arp(uint16_t op, const uint8_t dst_mac[6], const uint8_t target_mac[6], uint32_t target_ip)
{
    uint8_t m[ARP_LEN];

    net_put16(m, 1);                    /* Ethernet */
    net_put16(m + 2, ETHERTYPE_IPV4);
    m[4] = 6;
    m[5] = 4;
    net_put16(m + 6, op);
    memcpy(m + 8, net_cfg.mac, 6);
    memcpy(m + 14, &net_cfg.ip, 4);
    memcpy(m + 18, target_mac, 6);
    memcpy(m + 24, &target_ip, 4);
    struct net_iov iov = {m, ARP_LEN};
    return eth_output(dst_mac, ETHERTYPE_ARP, &iov, 1);
}

static void send_request(struct arp_entry *e, uint64_t now)
{
    static const uint8_t zero[6];

    e->tries++;
    e->when = now + ARP_RETRY_NS;
    net_stats.arp_requests++;
    send_arp(ARP_OP_REQUEST, eth_broadcast, zero, e->ip);
}

/* Arm the retry timer for the earliest pending request, or leave it idle. */
static void arm_retry(void)
{
    uint64_t next = UINT64_MAX;

    for (int i = 0; i < ARP_ENTRIES; i++)
        if (cache[i].state == ARP_PENDING && cache[i].when < next)
            next = cache[i].when;
    if (next == UINT64_MAX)
        net_timer_cancel(&retry_timer);
    else
        net_timer_arm(&retry_timer, next);
}

static void retry(struct net_timer *t, void *arg)
{
    uint64_t now = net_now();

    for (int i = 0; i < ARP_ENTRIES; i++) {
        struct arp_entry *e = &cache[i];
        if (e->state != ARP_PENDING || e->when > now)
            continue;
        if (e->tries < ARP_TRIES) {
            send_request(e, now);
            continue;
        }
        drop_held(e);
        net_stats.arp_timeouts++;
        e->state = ARP_FAILED;
        e->stale = 0;
        e->when = now;
        icmp_arp_failed(e->ip);
    }
    arm_retry();
}

/* Keep a copy of the datagram (the newest) and ask, if not asking already. */
static int hold(struct arp_entry *e, const uint8_t *datagram, size_t len)
{
    uint8_t *copy = malloc(len);

    drop_held(e);
    if (copy) {
        memcpy(copy, datagram, len);
        e->held = copy;
        e->held_len = (uint16_t)len;
    } else {
        net_stats.arp_queue_drops++;
    }
    if (e->state != ARP_PENDING) {
        e->state = ARP_PENDING;
        e->tries = 0;
        send_request(e, net_now());     /* overwrites the TX buffer: after the copy */
        arm_retry();
    }
    return copy ? 0 : -ENOBUFS;
}

static int send_to(const uint8_t mac[6], const uint8_t *datagram, size_t len)
{
    if (datagram == eth_tx_payload())
        return eth_send_built(mac, ETHERTYPE_IPV4, len);
    struct net_iov iov = {datagram, len};
    return eth_output(mac, ETHERTYPE_IPV4, &iov, 1);
}

/* An expired entry in use: send to the MAC it had, and ask again (once). */
static int refresh(struct arp_entry *e, const uint8_t *datagram, size_t len)
{
    int r = send_to(e->mac, datagram, len);

    if (e->state == ARP_RESOLVED) {
        e->state = ARP_PENDING;
        e->stale = 1;
        e->tries = 0;
        send_request(e, net_now());     /* after the datagram: it reuses the TX buffer */
        arm_retry();
    }
    return r;
}

int arp_output(uint32_t next_hop, const uint8_t *datagram, size_t len)
{
    struct arp_entry *e;

    if (!timer_ready) {
        net_timer_init(&retry_timer, retry, 0);
        timer_ready = 1;
    }
    if (ip_is_broadcast(next_hop))
        return send_to(eth_broadcast, datagram, len);
    e = find(next_hop);
    if (e && e->state == ARP_RESOLVED && net_now() < e->when)
        return send_to(e->mac, datagram, len);
    if (e && (e->state == ARP_RESOLVED || e->stale))
        return refresh(e, datagram, len);
    if (!e)
        e = take_entry(next_hop);
    return hold(e, datagram, len);
}

/* The sender's address is known now: record it, send what waited. */
static void learn(struct arp_entry *e, const uint8_t mac[6])
{
    memcpy(e->mac, mac, 6);
    e->state = ARP_RESOLVED;
    e->stale = 0;
    e->when = net_now() + ARP_TTL_NS;
    if (e->held) {
        uint8_t *d = e->held;
        e->held = 0;
        send_to(e->mac, d, e->held_len);
        free(d);
    }
}

void arp_glean(uint32_t ip, const uint8_t mac[6])
{
    struct arp_entry *e;

    if (ip == 0 || ip_is_broadcast(ip) || (mac[0] & 1) || ip_next_hop(ip) != ip)
        return;                         /* not a unicast on-link sender */
    e = find(ip);
    if (e && e->state == ARP_RESOLVED)
        return;
    if (!e)
        e = take_entry(ip);
    int was_pending = e->state == ARP_PENDING;
    learn(e, mac);
    net_stats.arp_gleaned++;
    if (was_pending)
        arm_retry();
}

void arp_input(const uint8_t *m, size_t len)
{
    uint32_t spa, tpa;
    uint16_t op;
    struct arp_entry *e;

    if (len < ARP_LEN || net_get16(m) != 1 || net_get16(m + 2) != ETHERTYPE_IPV4 || m[4] != 6 || m[5] != 4) {
        net_stats.rx_bad++;
        return;
    }
    op = net_get16(m + 6);
    memcpy(&spa, m + 14, 4);
    memcpy(&tpa, m + 24, 4);
    if ((op != ARP_OP_REQUEST && op != ARP_OP_REPLY) || spa == 0 || ip_is_broadcast(spa)) {
        net_stats.rx_bad++;
        return;
    }
    e = find(spa);
    if (!e && op == ARP_OP_REQUEST && tpa == net_cfg.ip)
        e = take_entry(spa);
    if (e) {
        int was_pending = e->state == ARP_PENDING;
        learn(e, m + 8);
        if (was_pending)
            arm_retry();
    }
    if (tpa != net_cfg.ip) {
        if (!e)
            net_stats.rx_not_for_us++;
        return;
    }
    if (op == ARP_OP_REQUEST) {
        net_stats.arp_replies++;
        send_arp(ARP_OP_REPLY, m + 8, m + 8, spa);
    }
}

/* The identity changed: what was learnt may be of another LAN, and held
 * datagrams carry the old source address, so all of it goes (held ones
 * counted in arp_queue_drops) and the retry timer stops. */
void arp_flush(void)
{
    for (int i = 0; i < ARP_ENTRIES; i++) {
        drop_held(&cache[i]);
        memset(&cache[i], 0, sizeof cache[i]);         /* ARP_FREE */
    }
    if (timer_ready)
        net_timer_cancel(&retry_timer);
}

int arp_lookup(uint32_t ip, uint8_t mac[6])
{
    struct arp_entry *e = find(ip);

    if (!e || e->state != ARP_RESOLVED || net_now() >= e->when)
        return 0;
    memcpy(mac, e->mac, 6);
    return 1;
}

int arp_failed_since(uint32_t ip, uint64_t since_ns)
{
    struct arp_entry *e = find(ip);

    return e && e->state == ARP_FAILED && e->when >= since_ns;
}

int net_arp_lookup(uint32_t ip, uint8_t mac[6])
{
    int r;

    net_lock_take();
    r = arp_lookup(ip, mac);
    mutex_unlock(&net_lock);
    return r;
}
