/*
 * net/tcp_timer.c - TCP's clocks: retransmission, persist, delayed ACK,
 * TIME_WAIT, and the FIN_WAIT_2 limit of a closed socket.
 *
 * Each connection has two net timers (callbacks on netd, net_lock held):
 * dack for a delayed ACK, and rexmt, whose meaning is pcb->tmode:
 *
 *   TM_REXMT       data, SYN or FIN unacknowledged: RTO per RFC 6298
 *                  (SRTT/RTTVAR from one timed segment at a time, Karn's
 *                  rule, RTO in [TCP_RTO_MIN_NS, TCP_RTO_MAX_NS], doubled
 *                  at each expiry).  An expiry resends from snd_una with
 *                  cwnd = 1 MSS (RFC 5681 3.1); after TCP_SYN_RETRIES /
 *                  TCP_DATA_RETRIES expiries in a row the connection
 *                  fails with ETIMEDOUT.
 *   TM_PERSIST     the peer's window is closed (or too small to use) and
 *                  nothing is in flight: probe with one byte, backing off
 *                  like the RTO up to 60 s; TCP_DATA_RETRIES probes nobody
 *                  answers end the connection with ETIMEDOUT (after the
 *                  socket is closed, TCP_DATA_RETRIES probes at all).
 *   TM_TIME_WAIT   2 * MSL after entering TIME_WAIT: the pcb goes (unless
 *                  tcp_time_wait recycled it earlier: TCP_TIME_WAIT_MAX).
 *   TM_FIN_WAIT_2  a closed socket's connection waited TCP_FIN_WAIT_2_NS
 *                  for the peer's FIN: reset it.
 */
#include <errno.h>
#include "tcp_pcb.h"

static void rexmt_fire(struct net_timer *t, void *arg);
static void dack_fire(struct net_timer *t, void *arg);

void tcp_timers_init(struct tcp_pcb *pcb)
{
    net_timer_init(&pcb->rexmt, rexmt_fire, pcb);
    net_timer_init(&pcb->dack, dack_fire, pcb);
}

void tcp_timers_stop(struct tcp_pcb *pcb)
{
    net_timer_cancel(&pcb->rexmt);
    net_timer_cancel(&pcb->dack);
    pcb->tmode = TM_NONE;
}

void tcp_rexmt_arm(struct tcp_pcb *pcb)
{
    pcb->tmode = TM_REXMT;
    net_timer_arm(&pcb->rexmt, net_now() + pcb->rto);
}

void tcp_rexmt_stop(struct tcp_pcb *pcb)
{
    if (pcb->tmode == TM_REXMT || pcb->tmode == TM_PERSIST) {
        net_timer_cancel(&pcb->rexmt);
        pcb->tmode = TM_NONE;
    }
}

void tcp_persist_arm(struct tcp_pcb *pcb)
{
    uint64_t t = pcb->rto < TCP_RTO_MIN_NS ? TCP_RTO_MIN_NS : pcb->rto;
    unsigned i;

    for (i = 0; i < pcb->retries && t < TCP_RTO_MAX_NS; i++)
        t <<= 1;
    if (t > TCP_RTO_MAX_NS)
        t = TCP_RTO_MAX_NS;
    pcb->tmode = TM_PERSIST;
    net_timer_arm(&pcb->rexmt, net_now() + t);
}

void tcp_delack(struct tcp_pcb *pcb)
{
    if (!(pcb->flags & TF_DELACK)) {
        pcb->flags |= TF_DELACK;
        net_timer_arm(&pcb->dack, net_now() + TCP_DELACK_NS);
    }
}

void tcp_rtt_sample(struct tcp_pcb *pcb, uint64_t r)
{
    uint64_t delta, rto;

    if (pcb->srtt == 0) {
        pcb->srtt = r ? r : 1;
        pcb->rttvar = r / 2;
    } else {
        delta = pcb->srtt > r ? pcb->srtt - r : r - pcb->srtt;
        pcb->rttvar = pcb->rttvar - pcb->rttvar / 4 + delta / 4;
        pcb->srtt = pcb->srtt - pcb->srtt / 8 + r / 8;
    }
    rto = pcb->srtt + 4 * pcb->rttvar;
    if (rto < TCP_RTO_MIN_NS)
        rto = TCP_RTO_MIN_NS;
    if (rto > TCP_RTO_MAX_NS)
        rto = TCP_RTO_MAX_NS;
    pcb->rto = rto;
}

static void dack_fire(struct net_timer *t, void *arg)
{
    struct tcp_pcb *pcb = arg;

    if (pcb->flags & TF_DELACK) {
        pcb->flags |= TF_ACKNOW;
        tcp_output(pcb);
    }
}

static void timed_out(struct tcp_pcb *pcb)
{
    tcp_send_rst(pcb);
    tcp_drop(pcb, ETIMEDOUT);
}

static void persist_fire(struct tcp_pcb *pcb)
{
    if (++pcb->probes > TCP_DATA_RETRIES) {
        timed_out(pcb);
        return;
    }
    if (pcb->retries < 255)
        pcb->retries++;
    pcb->snd_nxt = pcb->snd_una;        /* probe with the byte at snd_una */
    pcb->flags |= TF_FORCE;
    tcp_output(pcb);
    pcb->flags &= ~TF_FORCE;
    if (pcb->snd_wnd == 0)
        tcp_persist_arm(pcb);
    else
        tcp_rexmt_arm(pcb);             /* the forced segment is in flight */
}

static void rexmt_timeout(struct tcp_pcb *pcb)
{
    int syn = pcb->state == TCP_SYN_SENT || pcb->state == TCP_SYN_RCVD;
    uint32_t flight = pcb->snd_max - pcb->snd_una, half = flight / 2;

    if (pcb->snd_una == pcb->snd_max)
        return;                         /* everything was acknowledged */
    if (++pcb->retries > (syn ? TCP_SYN_RETRIES : TCP_DATA_RETRIES)) {
        timed_out(pcb);
        return;
    }
    pcb->rto = pcb->rto * 2 > TCP_RTO_MAX_NS ? TCP_RTO_MAX_NS : pcb->rto * 2;
    pcb->ssthresh = half > 2u * pcb->mss ? half : 2u * pcb->mss;
    pcb->cwnd = pcb->mss;
    pcb->dupacks = 0;
    pcb->recover = pcb->snd_max;
    pcb->flags &= ~(TF_RECOVERY | TF_TIMING);
    pcb->snd_nxt = pcb->snd_una;        /* go back: resend from the oldest */
    tcp_output(pcb);
    if (pcb->state != TCP_CLOSED && pcb->tmode == TM_NONE && pcb->snd_una != pcb->snd_max)
        tcp_rexmt_arm(pcb);
}

static void rexmt_fire(struct net_timer *t, void *arg)
{
    struct tcp_pcb *pcb = arg;
    int mode = pcb->tmode;

    pcb->tmode = TM_NONE;
    switch (mode) {
    case TM_REXMT:
        rexmt_timeout(pcb);
        break;
    case TM_PERSIST:
        pcb->tmode = TM_PERSIST;        /* a probe must not start the RTO */
        persist_fire(pcb);
        break;
    case TM_TIME_WAIT:
        tcp_drop(pcb, 0);
        break;
    case TM_FIN_WAIT_2:
        tcp_send_rst(pcb);
        tcp_drop(pcb, 0);
        break;
    default:
        break;
    }
}
