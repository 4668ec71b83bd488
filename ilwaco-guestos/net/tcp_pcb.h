/*
 * net/tcp_pcb.h - TCP's connection block and what the tcp*.c files share.
 *
 *   tcp.c        the socket calls (tcp_open ... tcp_getname), the table of
 *                connections, ports, opening and tearing down a pcb
 *   tcp_in.c     segment arrival (RFC 9293 3.10.7): handshake, RST/SYN
 *                checks, ACK processing, NewReno, reassembly, FIN
 *   tcp_out.c    what to send and sending it: SYN, data, FIN, ACK, RST,
 *                windows (sender and receiver silly-window avoidance)
 *   tcp_timer.c  retransmission (RFC 6298), persist, delayed ACK,
 *                TIME_WAIT and the orphan FIN_WAIT_2 timeout
 *
 * Everything here runs with net_lock held.  Sequence numbers are host
 * order uint32_t compared with SEQ_LT & co (modulo 2^32).
 */
#ifndef ILWACO_NET_TCP_PCB_H
#define ILWACO_NET_TCP_PCB_H
#include "net.h"

/* ---- constants ------------------------------------------------------------ */
#define TCP_SNDBUF        (16 * 1024)       /* send buffer per connection */
#define TCP_RCVBUF        (16 * 1024)       /* receive buffer = largest window we offer */
#define TCP_DEFAULT_MSS   536               /* peer sent no MSS option (RFC 9293 3.7.1) */
#define TCP_MSL_NS        (30ull * 1000000000)  /* TIME_WAIT lasts 2 * MSL = 60 s */
#define TCP_TIME_WAIT_MAX 64                /* pcbs in TIME_WAIT at most: one more ends the oldest
                                               (Linux's tcp_max_tw_buckets); at least 1 */
#define TCP_RTO_INIT_NS   (1000ull * 1000000)   /* before any RTT sample (RFC 6298 2.1) */
#define TCP_RTO_MIN_NS    (200ull * 1000000)
#define TCP_RTO_MAX_NS    (60ull * 1000000000)
#define TCP_DELACK_NS     (40ull * 1000000)     /* delayed ACK */
#define TCP_FIN_WAIT_2_NS (60ull * 1000000000)  /* closed socket waiting for the peer's FIN */
#define TCP_SYN_RETRIES   5                 /* SYN: 1+2+4+8+16+32 s, then ETIMEDOUT */
#define TCP_DATA_RETRIES  10                /* data, FIN, probes: then ETIMEDOUT */
#define TCP_OOO_MAX       8                 /* out-of-order ranges held per connection */
#define TCP_HASH_SIZE     128               /* connection hash buckets */
#define TCP_PORT_LO       49152             /* ephemeral ports */
#define TCP_PORT_HI       65535

/* ---- header ---------------------------------------------------------------- */
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20

#define SEQ_LT(a, b)  ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b)  ((int32_t)((uint32_t)(a) - (uint32_t)(b)) > 0)
#define SEQ_GEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) >= 0)

enum tcp_state {
    TCP_CLOSED, TCP_LISTEN, TCP_SYN_SENT, TCP_SYN_RCVD, TCP_ESTABLISHED,
    TCP_FIN_WAIT_1, TCP_FIN_WAIT_2, TCP_CLOSE_WAIT, TCP_CLOSING,
    TCP_LAST_ACK, TCP_TIME_WAIT
};

/* pcb->flags */
#define TF_ACKNOW     0x0001    /* send an ACK at the next tcp_output */
#define TF_DELACK     0x0002    /* an ACK is owed; the dack timer runs */
#define TF_FIN_QUEUED 0x0004    /* the user is done sending: FIN after the data */
#define TF_RCVD_FIN   0x0008    /* the peer's FIN has arrived (EOF after rbuf) */
#define TF_SHUT_RD    0x0010    /* shutdown(SHUT_RD): discard what arrives */
#define TF_HASHED     0x0020    /* in the connection hash */
#define TF_COMPLETED  0x0040    /* child on its listener's accept queue */
#define TF_TIMING     0x0080    /* an RTT sample is running (rtt_seq) */
#define TF_RECOVERY   0x0100    /* NewReno fast recovery */
#define TF_FORCE      0x0200    /* send one byte beyond the window (probe) */
#define TF_BOUND      0x0400    /* has a local port */
#define TF_PASSIVE    0x0800    /* came from a listener */
#define TF_CONNECTED  0x1000    /* was synchronized once (for poll, ENOTCONN) */

/* What pcb->rexmt is timing. */
enum tcp_tmode { TM_NONE, TM_REXMT, TM_PERSIST, TM_TIME_WAIT, TM_FIN_WAIT_2 };

struct tcp_range {                      /* [start, end) received out of order */
    uint32_t start, end;
};

struct tcp_pcb {
    struct tcp_pcb *next;               /* every pcb (tcp.c's list) */
    struct tcp_pcb *hnext;              /* hash chain (connections) */
    struct tcp_pcb *listener;           /* child not yet accepted: its listener */
    struct tcp_pcb *qnext;              /* listener: its children, oldest first */
    struct tcp_pcb *tw_prev, *tw_next;  /* TIME_WAIT: tcp.c's list, in the order pcbs entered it */
    struct socket *so;                  /* NULL once closed (orphan) or before accept */
    uint8_t state;
    uint8_t tmode;                      /* enum tcp_tmode */
    uint8_t retries;                    /* timeouts in a row (persist: backoff) */
    uint8_t probes;                     /* window probes the peer did not answer */
    uint8_t dupacks;
    uint16_t flags;
    uint16_t mss;                       /* segment size: min(ours, the peer's) */
    int err;                            /* positive errno once reset / timed out */
    uint16_t backlog, qlen;             /* listener: limit, children held */
    uint16_t lport, rport;
    uint32_t lip, rip;

    /* send side (RFC 9293 3.3.1) */
    uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2;
    uint32_t max_sndwnd;                /* largest window the peer offered */
    uint32_t cwnd, ssthresh, recover;   /* RFC 5681 / 6582 */
    uint8_t *sbuf;                      /* TCP_SNDBUF ring, allocated on first send */
    uint32_t sb_seq;                    /* sequence number of sbuf[sb_start] */
    uint16_t sb_start, sb_len;

    /* receive side */
    uint32_t irs, rcv_nxt, rcv_adv;     /* rcv_adv: right edge we advertised */
    uint32_t rcv_acked;                 /* rcv_nxt in the last segment sent */
    uint8_t *rbuf;                      /* TCP_RCVBUF ring, allocated on first data */
    uint16_t rb_start, rb_len;          /* unread in-order bytes */
    uint8_t nooo;
    struct tcp_range ooo[TCP_OOO_MAX];  /* sorted, disjoint, above rcv_nxt */

    /* RTT (RFC 6298), ns */
    uint64_t srtt, rttvar, rto, rtt_start;
    uint32_t rtt_seq;

    struct net_timer rexmt;             /* retransmit / persist / TIME_WAIT / FIN_WAIT_2 */
    struct net_timer dack;              /* delayed ACK */
};

/* tcp.c */
struct tcp_pcb *tcp_lookup(uint32_t lip, uint16_t lport, uint32_t rip, uint16_t rport);
struct tcp_pcb *tcp_lookup_listener(uint32_t lip, uint16_t lport);
struct tcp_pcb *tcp_pcb_new(void);                   /* NULL: no memory */
void tcp_hash_insert(struct tcp_pcb *pcb);
void tcp_set_state(struct tcp_pcb *pcb, int state);
uint32_t tcp_new_iss(const struct tcp_pcb *pcb);
/* The connection is over (err: 0 or positive errno for the socket): it
 * leaves the hash, its timers stop, and the pcb is freed unless a socket
 * still holds it.  The caller must not touch pcb afterwards. */
void tcp_drop(struct tcp_pcb *pcb, int err);
/* Enter TIME_WAIT (buffers freed, 2 * MSL timer).  If TCP_TIME_WAIT_MAX
 * pcbs are in TIME_WAIT already, the one that entered it first is dropped
 * first (tcp_time_wait_recycled). */
void tcp_time_wait(struct tcp_pcb *pcb);
/* Readiness changed: wake the socket (or a child's listener). */
void tcp_wakeup(struct tcp_pcb *pcb);
/* Unread data or out-of-order data is held. */
int tcp_has_unread(const struct tcp_pcb *pcb);
void tcp_free_rbuf(struct tcp_pcb *pcb);

/* tcp_out.c */
void tcp_output(struct tcp_pcb *pcb);                /* send what can be sent */
void tcp_retransmit_first(struct tcp_pcb *pcb);      /* one segment at snd_una */
void tcp_send_rst(struct tcp_pcb *pcb);              /* RST at snd_nxt, for aborts */
void tcp_send_challenge_ack(struct tcp_pcb *pcb);
/* RST in answer to a segment nobody wants (RFC 9293 3.10.7.1). */
void tcp_reset_reply(const struct ip_info *ip, const uint8_t *th, uint32_t seglen);
uint32_t tcp_rcv_window(struct tcp_pcb *pcb);        /* what to advertise now */

/* tcp_timer.c */
void tcp_timers_init(struct tcp_pcb *pcb);
void tcp_timers_stop(struct tcp_pcb *pcb);
void tcp_rexmt_arm(struct tcp_pcb *pcb);             /* (re)start at now + rto */
void tcp_rexmt_stop(struct tcp_pcb *pcb);
void tcp_persist_arm(struct tcp_pcb *pcb);
void tcp_delack(struct tcp_pcb *pcb);                /* owe an ACK: at most TCP_DELACK_NS */
void tcp_rtt_sample(struct tcp_pcb *pcb, uint64_t rtt_ns);

#endif /* ILWACO_NET_TCP_PCB_H */
