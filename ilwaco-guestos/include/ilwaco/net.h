/*
 * ilwaco/net.h - the network stack itself, beyond sockets (net/netif.c,
 * net/arp.c, net/icmp.c).
 *
 * The stack is one network thread (netd) and one lock.  netd sleeps until
 * the NIC's receive interrupt or a stack timer (ARP expiry, TCP
 * retransmission, delayed ACK, TIME_WAIT) wakes it; with nothing to do the
 * VM idles and runs no instructions.  Addresses are the VM's own, from the
 * virtual registers (IPV4, NETMASK, GATEWAY, MAC); a zero NETMASK means
 * every address is on the link.  Addresses here are in network byte order.
 * When the VMM changes them (a VM cloned from a snapshot) the stack takes
 * them up before it handles its next frame or call.
 */
#ifndef ILWACO_NET_H
#define ILWACO_NET_H
#include <stdint.h>

/* Start the stack (idempotent; socket() calls it).  0, or -ENOSYS when the
 * VM has no NIC, -EAGAIN/-ENOMEM when netd cannot be created.  A VM answers
 * ARP and ping only once its stack has started. */
int net_start(void);

/* This VM's IPv4 address (network order), as the virtual registers hold
 * it now; 0 without a NIC. */
uint32_t net_local_ip(void);

/* Send an ICMP echo request with payload_len bytes to dst and wait for the
 * reply: the round-trip time in ns (> 0), or -ETIMEDOUT, -EHOSTUNREACH (ARP
 * got no answer), -ENOSYS (no NIC). */
int64_t net_ping(uint32_t dst, uint16_t seq, uint32_t payload_len, uint64_t timeout_ns);

/* The MAC the ARP cache holds for ip (6 bytes to mac): 1 if resolved and
 * not expired, else 0. */
int net_arp_lookup(uint32_t ip, uint8_t mac[6]);

/* What the stack has counted since it started.  Every frame or segment the
 * stack drops is counted in one of these. */
struct net_stats {
    uint32_t rx_frames, tx_frames;
    uint32_t tx_full;            /* NIC_SEND refused: TX queue full */
    uint32_t rx_bad;             /* malformed or bad checksum, any layer */
    uint32_t rx_not_for_us;      /* wrong MAC/IP, unknown ethertype/protocol */
    uint32_t ip_fragments;       /* fragments refused */
    uint32_t arp_requests, arp_replies, arp_timeouts, arp_queue_drops;
    uint32_t icmp_echo_in, icmp_echo_out;
    uint32_t udp_in, udp_out, udp_no_port, udp_queue_drops;
    uint32_t tcp_in, tcp_out, tcp_retransmits, tcp_fast_retransmits;
    uint32_t tcp_dup_in, tcp_ooo_in, tcp_rst_out, tcp_backlog_drops;
    uint32_t tcp_conns_open;     /* connections not CLOSED (TIME_WAIT included) */
    uint32_t tcp_time_wait;      /* of those, in TIME_WAIT now: at most TCP_TIME_WAIT_MAX (64) */
    uint32_t tcp_time_wait_recycled; /* TIME_WAIT connections ended early, oldest first, to
                                    make room for a newer one beyond that bound */
    uint32_t loop_drops;         /* loopback queue full (127.0.0.0/8, our own address) */
    uint32_t tcp_drops;          /* other segments (or their data) TCP could not
                                    take: outside the window, no buffer memory,
                                    out-of-order ranges full, unexpected flags */
    uint32_t identity_changes;   /* new MAC/address/netmask/gateway taken from the
                                    virtual registers (a VM cloned from a snapshot) */
    uint32_t arp_gleaned;        /* on-link senders resolved from their datagrams'
                                    source MAC, without asking (net/arp.c) */
};
void net_get_stats(struct net_stats *out);

#endif /* ILWACO_NET_H */
