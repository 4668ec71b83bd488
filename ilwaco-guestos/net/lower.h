/*
 * net/lower.h - what the files below the transports tell each other (netif,
 * nic, eth, arp, ip, icmp, udp, socket).  Not a contract for tcp.c (that is
 * net/net.h), except ip_select_src, which any transport may use.
 *
 * Every function here is called with net_lock held unless it says otherwise.
 */
#ifndef ILWACO_NET_LOWER_H
#define ILWACO_NET_LOWER_H
#include "net.h"

/* IPv4 addresses in network byte order, whatever the host's order. */
#define NET_IP4(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define NET_IP_LOOPBACK   NET_IP4(127, 0, 0, 1)
#define NET_IP_BROADCAST  0xffffffffu
static inline int net_ip_is_loopback(uint32_t ip) { return (ip & 0xff) == 127; }

/* ---- netif.c ------------------------------------------------------------ */
int net_started(void);                  /* net_start succeeded (any thread) */
/* Interrupts masked, any stack: frames wait in the NIC; wake netd. */
void netd_kick_rx(void);
/* A datagram was queued for loopback: netd will drain it. */
void netd_kick_loop(void);

/* ---- nic.c ---------------------------------------------------------------- */
void nic_start(void);                   /* install the RX interrupt handler */
/* On netd: take frames with NIC_RECV and hand each to eth_input, at most
 * max of them; 1 if frames may still wait, else 0. */
int nic_poll(int max);
/* Hand one frame to the NIC: 0, -ENOBUFS (TX queue full, counted), -EIO. */
int nic_send(const uint8_t *frame, size_t len);

/* ---- eth.c ---------------------------------------------------------------- */
/* The one transmit frame buffer: ip.c builds its datagram in place at
 * eth_tx_payload() and sends it with eth_send_built (no copy). */
uint8_t *eth_tx_payload(void);
int eth_send_built(const uint8_t dst_mac[6], uint16_t ethertype, size_t payload_len);
extern const uint8_t eth_broadcast[6];

/* ---- arp.c ---------------------------------------------------------------- */
/* 1 when ARP gave up on ip since time since_ns (its last resolution failed). */
int arp_failed_since(uint32_t ip, uint64_t since_ns);
void arp_glean(uint32_t ip, const uint8_t mac[6]); /* a datagram for us came from ip at mac */
int arp_lookup(uint32_t ip, uint8_t mac[6]);       /* resolved and fresh: 1 */
/* Forget every entry, dropping held datagrams (the identity changed). */
void arp_flush(void);

/* ---- ip.c ------------------------------------------------------------------- */
/* The source address a datagram to dst should carry: 127.0.0.1 for
 * 127.0.0.0/8, else the VM's address. */
uint32_t ip_select_src(uint32_t dst);
/* The address ARP must resolve to reach dst, or 0 when there is no route
 * (dst is then unreachable); dst itself when on-link. */
uint32_t ip_next_hop(uint32_t dst);
/* 1 for 255.255.255.255 and our subnet's broadcast address. */
int ip_is_broadcast(uint32_t ip);
/* 1 when ip is one of this VM's addresses (its own, 127.0.0.0/8). */
int ip_is_local(uint32_t ip);
/* On netd: deliver up to max looped-back datagrams; 1 if more wait. */
int ip_loop_drain(int max);
int ip_loop_pending(void);
/* The datagram being handed up right now (for ICMP errors that quote it). */
const uint8_t *ip_current(size_t *len);

/* ---- icmp.c ------------------------------------------------------------------ */
/* Send destination unreachable (type 3, code) quoting the datagram being
 * handed up (ip_current); nothing for broadcasts. */
void icmp_send_unreach(uint8_t code);
/* ARP gave up on next_hop: pings routed through it fail now. */
void icmp_arp_failed(uint32_t next_hop);
#define ICMP_UNREACH_NET   0
#define ICMP_UNREACH_HOST  1
#define ICMP_UNREACH_PROTO 2
#define ICMP_UNREACH_PORT  3

/* ---- udp.c ----------------------------------------------------------------- */
/* ICMP destination unreachable about a UDP datagram we sent. */
void udp_icmp_error(uint8_t type, uint8_t code, const uint8_t *quoted, size_t len);
/* The VM's address went from old_ip to new_ip: sockets holding the old
 * one (bound to it, or connected to this VM by it) get the new one. */
void udp_identity_changed(uint32_t old_ip, uint32_t new_ip);
/* shutdown(2) on a UDP socket: -ENOTCONN unless connected. */
int udp_shutdown(struct socket *so, int how);

/* ---- socket.c --------------------------------------------------------------- */
/* 1 when so's descriptor has been closed while a call was using it. */
int sock_closed(const struct socket *so);

#endif /* ILWACO_NET_LOWER_H */
