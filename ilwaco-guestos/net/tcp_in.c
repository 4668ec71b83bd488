/*
 * net/tcp_in.c - TCP segment arrival (RFC 9293 3.10.7), on netd with
 * net_lock held.
 *
 *   tcp_input        checksum, lookup: connection, else listener, else RST
 *   listen_input     SYN -> a child in SYN_RCVD (within the backlog)
 *   syn_sent_input   SYN-ACK -> ESTABLISHED; SYN -> simultaneous open
 *   conn_input       every other state, in the RFC's order: RST (RFC 5961
 *                    checks), trim to the window, SYN (challenge ACK), ACK
 *                    (RFC 5681 congestion control, RFC 6582 NewReno), data
 *                    (in order, or kept out of order in the receive ring),
 *                    FIN.
 *
 * Out-of-order data is written straight into the receive ring at its final
 * place; pcb->ooo remembers which ranges are there (TCP_OOO_MAX of them),
 * so reassembly is only moving rcv_nxt.  What arrives twice is dropped and
 * counted in tcp_dup_in; what cannot be kept in tcp_drops.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "tcp_pcb.h"

struct seg {
    uint32_t seq, ack;
    uint16_t wnd, mss;                  /* mss: the option, 0 if absent */
    uint8_t flags;
    const uint8_t *data;
    uint32_t len;                       /* data bytes */
};

static uint16_t parse_mss(const uint8_t *opt, size_t n)
{
    size_t i = 0;

    while (i < n) {
        uint8_t kind = opt[i], l;

        if (kind == 0)
            break;
        if (kind == 1) {
            i++;
            continue;
        }
        if (i + 1 >= n || (l = opt[i + 1]) < 2 || i + l > n)
            break;
        if (kind == 2 && l == 4)
            return net_get16(opt + i + 2);
        i += l;
    }
    return 0;
}

static uint16_t eff_mss(uint16_t peer)
{
    if (peer == 0)
        peer = TCP_DEFAULT_MSS;
    return peer < NET_TCP_MSS ? peer : NET_TCP_MSS;
}

/* RFC 5681 3.1: the initial window; one segment if the SYN was resent. */
static uint32_t initial_cwnd(const struct tcp_pcb *pcb)
{
    uint32_t mss = pcb->mss, w = 2 * mss > 4380 ? 2 * mss : 4380;

    if (pcb->retries)
        return mss;
    return 4 * mss < w ? 4 * mss : w;
}

/* RFC 9293 3.10.7.2 and 3.10.7.3: what the peer's SYN sets, opening
 * passively (LISTEN) or actively (SYN_SENT): IRS and RCV.NXT, our window's
 * right edge, the MSS, SND.WND and SND.WL1. */
static void take_syn(struct tcp_pcb *pcb, const struct seg *s)
{
    pcb->irs = s->seq;
    pcb->rcv_nxt = s->seq + 1;
    pcb->rcv_adv = pcb->rcv_nxt + TCP_RCVBUF;
    pcb->mss = eff_mss(s->mss);
    pcb->snd_wnd = pcb->max_sndwnd = s->wnd;
    pcb->snd_wl1 = s->seq;
}

static void drop_count(void)
{
    net_stats.tcp_drops++;
}

/* ---- LISTEN --------------------------------------------------------------- */

static void listen_input(struct tcp_pcb *l, const struct ip_info *ip, const uint8_t *th,
                         const struct seg *s)
{
    struct tcp_pcb *c, **tail;

    if (s->flags & TH_RST) {
        drop_count();
        return;
    }
    if (s->flags & TH_ACK) {
        tcp_reset_reply(ip, th, s->len);
        return;
    }
    if (!(s->flags & TH_SYN)) {
        drop_count();
        return;
    }
    if (l->qlen >= l->backlog) {
        net_stats.tcp_backlog_drops++;
        return;
    }
    if (!(c = tcp_pcb_new())) {
        drop_count();
        return;
    }
    if (s->len)
        drop_count();                   /* data on a SYN: the peer sends it again */
    c->lip = ip->dst;
    c->lport = l->lport;
    c->rip = ip->src;
    c->rport = net_get16(th);
    c->flags = TF_BOUND | TF_PASSIVE;
    c->listener = l;
    for (tail = &l->qnext; *tail; tail = &(*tail)->qnext)
        ;
    *tail = c;
    l->qlen++;
    take_syn(c, s);
    c->iss = tcp_new_iss(c);
    c->snd_una = c->snd_nxt = c->snd_max = c->recover = c->iss;
    c->snd_wl2 = c->iss;
    c->sb_seq = c->iss + 1;
    c->cwnd = initial_cwnd(c);
    tcp_set_state(c, TCP_SYN_RCVD);
    tcp_hash_insert(c);
    tcp_output(c);
}

/* ---- SYN_SENT --------------------------------------------------------------- */

static void established(struct tcp_pcb *pcb)
{
    tcp_set_state(pcb, TCP_ESTABLISHED);
    pcb->flags |= TF_CONNECTED;
    pcb->cwnd = initial_cwnd(pcb);
    if (pcb->listener) {
        pcb->flags |= TF_COMPLETED;
        if (pcb->listener->so)
            sock_wakeup(pcb->listener->so);
    }
    tcp_wakeup(pcb);
}

static void syn_sent_input(struct tcp_pcb *pcb, const struct ip_info *ip, const uint8_t *th,
                           const struct seg *s)
{
    if ((s->flags & TH_ACK) && (SEQ_LEQ(s->ack, pcb->iss) || SEQ_GT(s->ack, pcb->snd_max))) {
        if (!(s->flags & TH_RST))
            tcp_reset_reply(ip, th, s->len);
        else
            drop_count();
        return;
    }
    if (s->flags & TH_RST) {
        if (s->flags & TH_ACK)
            tcp_drop(pcb, ECONNREFUSED);
        else
            drop_count();
        return;
    }
    if (!(s->flags & TH_SYN)) {
        drop_count();
        return;
    }
    take_syn(pcb, s);
    pcb->snd_wl2 = s->ack;
    if (s->len)
        drop_count();                   /* data on a SYN: the peer sends it again */
    if (!(s->flags & TH_ACK)) {
        tcp_set_state(pcb, TCP_SYN_RCVD);   /* simultaneous open */
        pcb->snd_nxt = pcb->iss;            /* our SYN again, now with the ACK */
        tcp_output(pcb);
        return;
    }
    pcb->snd_una = s->ack;
    if ((pcb->flags & TF_TIMING) && SEQ_GT(s->ack, pcb->rtt_seq)) {
        pcb->flags &= ~TF_TIMING;
        tcp_rtt_sample(pcb, net_now() - pcb->rtt_start);
    }
    tcp_rexmt_stop(pcb);
    established(pcb);
    pcb->retries = 0;
    pcb->flags |= TF_ACKNOW;
    tcp_output(pcb);
}

/* ---- ACK processing ------------------------------------------------------------ */

static int fin_acked(const struct tcp_pcb *pcb)
{
    return (pcb->flags & TF_FIN_QUEUED) && SEQ_GT(pcb->snd_una, pcb->sb_seq + pcb->sb_len);
}

static void grow_cwnd(struct tcp_pcb *pcb, uint32_t acked)
{
    uint32_t mss = pcb->mss;

    if (pcb->cwnd < pcb->ssthresh)
        pcb->cwnd += acked < mss ? acked : mss;     /* slow start */
    else
        pcb->cwnd += mss * mss / pcb->cwnd ? mss * mss / pcb->cwnd : 1;
    if (pcb->cwnd > (1u << 20))
        pcb->cwnd = 1u << 20;
}

/* ack is in (snd_una, snd_max]: new data (or our SYN / FIN) acknowledged. */
static void new_ack(struct tcp_pcb *pcb, uint32_t ack)
{
    uint32_t acked = ack - pcb->snd_una;

    if (SEQ_GT(ack, pcb->sb_seq)) {
        uint32_t n = ack - pcb->sb_seq < pcb->sb_len ? ack - pcb->sb_seq : pcb->sb_len;

        pcb->sb_start = (uint16_t)((pcb->sb_start + n) % TCP_SNDBUF);
        pcb->sb_len = (uint16_t)(pcb->sb_len - n);
        pcb->sb_seq += n;
        if (pcb->sb_len == 0)
            pcb->sb_start = 0;
    }
    pcb->snd_una = ack;
    if (SEQ_LT(pcb->snd_nxt, ack))
        pcb->snd_nxt = ack;
    if ((pcb->flags & TF_TIMING) && SEQ_GT(ack, pcb->rtt_seq)) {
        pcb->flags &= ~TF_TIMING;
        tcp_rtt_sample(pcb, net_now() - pcb->rtt_start);
    }
    pcb->retries = 0;
    if (pcb->flags & TF_RECOVERY) {
        if (SEQ_GEQ(ack, pcb->recover)) {           /* full ACK: recovery is over */
            uint32_t flight = pcb->snd_max - ack;

            flight = flight > pcb->mss ? flight : pcb->mss;
            pcb->cwnd = pcb->ssthresh < flight + pcb->mss ? pcb->ssthresh : flight + pcb->mss;
            pcb->flags &= ~TF_RECOVERY;
        } else {                                    /* partial ACK: the next hole */
            tcp_retransmit_first(pcb);
            pcb->cwnd = pcb->cwnd > acked ? pcb->cwnd - acked : 0;
            if (acked >= pcb->mss)
                pcb->cwnd += pcb->mss;
            if (pcb->cwnd < pcb->mss)
                pcb->cwnd = pcb->mss;
        }
    } else {
        grow_cwnd(pcb, acked);
    }
    pcb->dupacks = 0;
    if (pcb->snd_una == pcb->snd_max)
        tcp_rexmt_stop(pcb);
    else if (pcb->tmode != TM_PERSIST)
        tcp_rexmt_arm(pcb);
    tcp_wakeup(pcb);
}

/* RFC 5681 3.2 / RFC 6582 3.2: a duplicate ACK. */
static void dup_ack(struct tcp_pcb *pcb)
{
    uint32_t flight, half;

    if (pcb->flags & TF_RECOVERY) {
        pcb->cwnd += pcb->mss;
        return;
    }
    if (++pcb->dupacks != 3)
        return;
    if (!SEQ_GT(pcb->snd_una, pcb->recover) && pcb->cwnd <= pcb->mss)
        return;                         /* left over from before the last timeout */
    flight = pcb->snd_max - pcb->snd_una;
    half = flight / 2;
    pcb->ssthresh = half > 2u * pcb->mss ? half : 2u * pcb->mss;
    pcb->recover = pcb->snd_max;
    pcb->flags |= TF_RECOVERY;
    pcb->flags &= ~TF_TIMING;
    tcp_retransmit_first(pcb);
    pcb->cwnd = pcb->ssthresh + 3u * pcb->mss;
}

/* The ACK field of an acceptable segment: 0, or -1 when the segment must
 * be dropped here (pcb may be gone). */
static int ack_input(struct tcp_pcb *pcb, const struct seg *s)
{
    int dup;

    if (pcb->state == TCP_SYN_RCVD) {
        if (SEQ_LEQ(s->ack, pcb->snd_una) || SEQ_GT(s->ack, pcb->snd_max)) {
            return -2;                  /* caller answers with a RST */
        }
        pcb->snd_wnd = s->wnd;
        pcb->snd_wl1 = s->seq;
        pcb->snd_wl2 = s->ack;
        if (s->wnd > pcb->max_sndwnd)
            pcb->max_sndwnd = s->wnd;
        established(pcb);
    }
    if (SEQ_GT(s->ack, pcb->snd_max)) {
        pcb->flags |= TF_ACKNOW;        /* acknowledges what we never sent */
        drop_count();
        tcp_output(pcb);
        return -1;
    }
    dup = s->ack == pcb->snd_una && s->len == 0 && !(s->flags & (TH_SYN | TH_FIN))
          && pcb->snd_max != pcb->snd_una && s->wnd == pcb->snd_wnd && pcb->snd_wnd != 0
          && pcb->tmode != TM_PERSIST;
    if (pcb->tmode == TM_PERSIST && pcb->so)
        pcb->probes = 0;                /* the peer is alive (a closed socket's
                                           connection gives up all the same) */
    if (SEQ_GEQ(s->ack, pcb->snd_una)
        && (SEQ_LT(pcb->snd_wl1, s->seq) || (pcb->snd_wl1 == s->seq && SEQ_LEQ(pcb->snd_wl2, s->ack)))) {
        pcb->snd_wnd = s->wnd;
        pcb->snd_wl1 = s->seq;
        pcb->snd_wl2 = s->ack;
        if (s->wnd > pcb->max_sndwnd)
            pcb->max_sndwnd = s->wnd;
        if (pcb->tmode == TM_PERSIST && s->wnd > 0) {
            tcp_rexmt_stop(pcb);        /* the window opened: resend the probe byte */
            pcb->snd_nxt = pcb->snd_una;
            pcb->retries = 0;
        }
    }
    if (SEQ_GT(s->ack, pcb->snd_una))
        new_ack(pcb, s->ack);
    else if (dup)
        dup_ack(pcb);

    switch (pcb->state) {
    case TCP_FIN_WAIT_1:
        if (fin_acked(pcb)) {
            tcp_set_state(pcb, TCP_FIN_WAIT_2);
            if (!pcb->so && pcb->tmode == TM_NONE) {
                pcb->tmode = TM_FIN_WAIT_2;
                net_timer_arm(&pcb->rexmt, net_now() + TCP_FIN_WAIT_2_NS);
            }
        }
        break;
    case TCP_CLOSING:
        if (fin_acked(pcb))
            tcp_time_wait(pcb);
        break;
    case TCP_LAST_ACK:
        if (fin_acked(pcb)) {
            tcp_drop(pcb, 0);
            return -1;
        }
        break;
    default:
        break;
    }
    return 0;
}

/* ---- data ------------------------------------------------------------------------ */

/* Record [s, e) as held out of order: 0 new, 1 already held, -1 no room. */
static int ooo_add(struct tcp_pcb *pcb, uint32_t s, uint32_t e)
{
    struct tcp_range *r = pcb->ooo;
    int n = pcb->nooo, i = 0, j, k;

    while (i < n && SEQ_LT(r[i].end, s))
        i++;
    if (i < n && SEQ_LEQ(r[i].start, s) && SEQ_GEQ(r[i].end, e))
        return 1;
    for (j = i; j < n && SEQ_LEQ(r[j].start, e); j++) {
        if (SEQ_LT(r[j].start, s))
            s = r[j].start;
        if (SEQ_GT(r[j].end, e))
            e = r[j].end;
    }
    if (j == i) {                       /* touches nothing: a new range at i */
        if (n == TCP_OOO_MAX)
            return -1;
        for (k = n; k > i; k--)
            r[k] = r[k - 1];
        pcb->nooo++;
    } else {                            /* ranges i..j-1 become one */
        for (k = 0; j + k < n; k++)
            r[i + 1 + k] = r[j + k];
        pcb->nooo = (uint8_t)(n - (j - i) + 1);
    }
    r[i].start = s;
    r[i].end = e;
    return 0;
}

/* Write len bytes for sequence number seq into the receive ring. */
static void rb_put(struct tcp_pcb *pcb, uint32_t seq, const uint8_t *src, uint32_t len)
{
    uint32_t off = seq - (pcb->rcv_nxt - pcb->rb_len);
    uint32_t pos = (pcb->rb_start + off) % TCP_RCVBUF;
    uint32_t first = TCP_RCVBUF - pos < len ? TCP_RCVBUF - pos : len;

    memcpy(pcb->rbuf + pos, src, first);
    memcpy(pcb->rbuf, src + first, len - first);
}

/* In-order bytes up to rcv_nxt arrived: take in what was held beyond. */
static int ooo_merge(struct tcp_pcb *pcb)
{
    int had = pcb->nooo > 0, i = 0, k;

    while (i < pcb->nooo && SEQ_LEQ(pcb->ooo[i].start, pcb->rcv_nxt)) {
        if (SEQ_GT(pcb->ooo[i].end, pcb->rcv_nxt)) {
            pcb->rb_len = (uint16_t)(pcb->rb_len + (pcb->ooo[i].end - pcb->rcv_nxt));
            pcb->rcv_nxt = pcb->ooo[i].end;
        }
        i++;
    }
    for (k = i; k < pcb->nooo; k++)
        pcb->ooo[k - i] = pcb->ooo[k];
    pcb->nooo = (uint8_t)(pcb->nooo - i);
    return had;
}

/* Data of an acceptable segment, trimmed to the window (seq >= rcv_nxt).
 * 1 when it was in order. */
static int data_input(struct tcp_pcb *pcb, uint32_t seq, const uint8_t *data, uint32_t len)
{
    int r;

    if (pcb->flags & TF_SHUT_RD) {      /* nobody will read it: consume */
        if (seq != pcb->rcv_nxt)
            return 0;
        pcb->rcv_nxt += len;
        tcp_delack(pcb);
        return 1;
    }
    if (!pcb->rbuf && !(pcb->rbuf = malloc(TCP_RCVBUF))) {
        drop_count();
        pcb->flags |= TF_ACKNOW;
        return 0;
    }
    rb_put(pcb, seq, data, len);
    if (seq == pcb->rcv_nxt) {
        pcb->rcv_nxt += len;
        pcb->rb_len = (uint16_t)(pcb->rb_len + len);
        if (ooo_merge(pcb) || pcb->rcv_nxt - pcb->rcv_acked >= 2u * pcb->mss)
            pcb->flags |= TF_ACKNOW;    /* a hole filled, or a second full segment */
        else
            tcp_delack(pcb);
        tcp_wakeup(pcb);
        return 1;
    }
    r = ooo_add(pcb, seq, seq + len);
    if (r == 0)
        net_stats.tcp_ooo_in++;
    else if (r > 0)
        net_stats.tcp_dup_in++;
    else
        drop_count();
    pcb->flags |= TF_ACKNOW;            /* a duplicate ACK tells the sender at once */
    return 0;
}

/* The peer's FIN, in order. */
static void fin_input(struct tcp_pcb *pcb)
{
    pcb->rcv_nxt++;
    pcb->flags |= TF_RCVD_FIN | TF_ACKNOW;
    pcb->nooo = 0;
    switch (pcb->state) {
    case TCP_SYN_RCVD:
    case TCP_ESTABLISHED:
        tcp_set_state(pcb, TCP_CLOSE_WAIT);
        break;
    case TCP_FIN_WAIT_1:
        if (fin_acked(pcb))
            tcp_time_wait(pcb);
        else
            tcp_set_state(pcb, TCP_CLOSING);
        break;
    case TCP_FIN_WAIT_2:
        tcp_time_wait(pcb);
        break;
    default:
        break;
    }
    if (!pcb->rb_len && pcb->rbuf)
        tcp_free_rbuf(pcb);
    tcp_wakeup(pcb);
}

/* ---- synchronized states (and SYN_RCVD) ------------------------------------------ */

static void rst_input(struct tcp_pcb *pcb, const struct seg *s)
{
    uint32_t wnd = SEQ_GT(pcb->rcv_adv, pcb->rcv_nxt) ? pcb->rcv_adv - pcb->rcv_nxt : 1;

    if (s->seq != pcb->rcv_nxt) {
        if (SEQ_GT(s->seq, pcb->rcv_nxt) && SEQ_LT(s->seq, pcb->rcv_nxt + wnd))
            tcp_send_challenge_ack(pcb);    /* RFC 5961 3.2 */
        else
            drop_count();
        return;
    }
    switch (pcb->state) {
    case TCP_SYN_RCVD:
        tcp_drop(pcb, (pcb->flags & TF_PASSIVE) ? 0 : ECONNREFUSED);
        break;
    case TCP_ESTABLISHED:
    case TCP_FIN_WAIT_1:
    case TCP_FIN_WAIT_2:
    case TCP_CLOSE_WAIT:
        tcp_drop(pcb, ECONNRESET);
        break;
    default:
        tcp_drop(pcb, 0);
        break;
    }
}

/* Cut what lies outside the receive window (RFC 9293 3.10.7.4, first).
 * 0 to go on, -1 to drop the segment (after an ACK if one is owed). */
static int trim(struct tcp_pcb *pcb, struct seg *s)
{
    uint32_t wnd = SEQ_GT(pcb->rcv_adv, pcb->rcv_nxt) ? pcb->rcv_adv - pcb->rcv_nxt : 0;
    int32_t todrop = (int32_t)(pcb->rcv_nxt - s->seq);
    int old_syn = 0;

    if (todrop > 0) {
        if (s->flags & TH_SYN) {
            s->flags &= ~TH_SYN;
            s->seq++;
            todrop--;
            old_syn = 1;
        }
        if ((uint32_t)todrop > s->len || ((uint32_t)todrop == s->len && !(s->flags & TH_FIN))) {
            if (s->len || (s->flags & TH_FIN) || old_syn)
                net_stats.tcp_dup_in++;
            if ((uint32_t)todrop > s->len)
                s->flags &= ~TH_FIN;
            pcb->flags |= TF_ACKNOW;    /* a duplicate: say where we are */
            todrop = (int32_t)s->len;
        }
        s->data += todrop;
        s->len -= (uint32_t)todrop;
        s->seq += (uint32_t)todrop;
    }
    todrop = (int32_t)(s->seq + s->len - (pcb->rcv_nxt + wnd));
    if (todrop > 0) {
        if ((uint32_t)todrop >= s->len) {
            pcb->flags |= TF_ACKNOW;
            if (!(wnd == 0 && s->seq == pcb->rcv_nxt)) {
                drop_count();           /* beyond the window */
                return -1;
            }
            if (s->len)
                drop_count();           /* a window probe's byte */
        }
        s->len -= (uint32_t)todrop < s->len ? (uint32_t)todrop : s->len;
        s->flags &= ~(TH_FIN | TH_PSH);
    }
    return 0;
}

static void conn_input(struct tcp_pcb *pcb, const struct ip_info *ip, const uint8_t *th, struct seg *s)
{
    int had_fin = s->flags & TH_FIN, r;

    if (pcb->state == TCP_SYN_RCVD && (s->flags & TH_SYN) && !(s->flags & (TH_ACK | TH_RST))
        && s->seq == pcb->irs) {
        net_stats.tcp_dup_in++;         /* our SYN-ACK was lost: send it again */
        pcb->snd_nxt = pcb->iss;
        tcp_output(pcb);
        return;
    }
    if (s->flags & TH_RST) {
        rst_input(pcb, s);
        return;
    }
    if (trim(pcb, s) < 0) {
        tcp_output(pcb);
        return;
    }
    if (s->flags & TH_SYN) {            /* a SYN inside the window: RFC 5961 4 */
        tcp_send_challenge_ack(pcb);
        return;
    }
    if (!(s->flags & TH_ACK)) {
        drop_count();
        if (pcb->flags & TF_ACKNOW)
            tcp_output(pcb);
        return;
    }
    r = ack_input(pcb, s);
    if (r == -2) {
        tcp_reset_reply(ip, th, s->len);
        return;
    }
    if (r < 0)
        return;
    if (s->len) {
        switch (pcb->state) {
        case TCP_ESTABLISHED:
        case TCP_FIN_WAIT_1:
        case TCP_FIN_WAIT_2:
            if (!pcb->so && !pcb->listener) {   /* data for a closed socket */
                drop_count();
                tcp_send_rst(pcb);
                tcp_drop(pcb, 0);
                return;
            }
            if (!data_input(pcb, s->seq, s->data, s->len))
                s->flags &= ~TH_FIN;            /* a FIN out of order waits */
            break;
        default:
            drop_count();                       /* after the peer's FIN */
            s->flags &= ~TH_FIN;
            break;
        }
    }
    if ((s->flags & TH_FIN) && pcb->state != TCP_TIME_WAIT && !(pcb->flags & TF_RCVD_FIN)
        && s->seq + s->len == pcb->rcv_nxt)
        fin_input(pcb);
    else if (had_fin && pcb->state == TCP_TIME_WAIT) {
        pcb->flags |= TF_ACKNOW;                /* the peer's FIN again: restart 2 MSL */
        net_timer_arm(&pcb->rexmt, net_now() + 2 * TCP_MSL_NS);
    }
    tcp_output(pcb);
}

/* ---- entry ------------------------------------------------------------------------- */

void tcp_input(const struct ip_info *ip, const uint8_t *th, size_t len)
{
    struct net_iov iov = { th, len };
    struct tcp_pcb *pcb, *l;
    struct seg s;
    unsigned off;
    uint16_t sport, dport;

    if (len < NET_TCP_HLEN || (off = (unsigned)(th[12] >> 4) * 4) < NET_TCP_HLEN || off > len
        || net_csum_fold(net_csum_add(net_csum_pseudo(ip->src, ip->dst, IP_PROTO_TCP, (uint16_t)len), &iov, 1))) {
        net_stats.rx_bad++;
        return;
    }
    net_stats.tcp_in++;
    sport = net_get16(th);
    dport = net_get16(th + 2);
    s.seq = net_get32(th + 4);
    s.ack = net_get32(th + 8);
    s.flags = th[13];
    s.wnd = net_get16(th + 14);
    s.mss = (s.flags & TH_SYN) ? parse_mss(th + NET_TCP_HLEN, off - NET_TCP_HLEN) : 0;
    s.data = th + off;
    s.len = (uint32_t)(len - off);

    pcb = tcp_lookup(ip->dst, dport, ip->src, sport);
    if (pcb && pcb->state == TCP_TIME_WAIT && (s.flags & TH_SYN) && !(s.flags & (TH_ACK | TH_RST))
        && SEQ_GT(s.seq, pcb->rcv_nxt) && tcp_lookup_listener(ip->dst, dport)) {
        tcp_drop(pcb, 0);               /* a new incarnation (RFC 9293 3.6.1) */
        pcb = 0;
    }
    if (!pcb) {
        if ((l = tcp_lookup_listener(ip->dst, dport)) != 0)
            listen_input(l, ip, th, &s);
        else
            tcp_reset_reply(ip, th, s.len + !!(s.flags & TH_SYN) + !!(s.flags & TH_FIN));
        return;
    }
    if (pcb->state == TCP_SYN_SENT)
        syn_sent_input(pcb, ip, th, &s);
    else
        conn_input(pcb, ip, th, &s);
}

void tcp_icmp_error(uint8_t type, uint8_t code, const uint8_t *quoted, size_t len)
{
    struct tcp_pcb *pcb;
    uint32_t src, dst, seq;
    unsigned ihl;

    if (len < 20 || (ihl = (unsigned)(quoted[0] & 15) * 4) < 20 || len < ihl + 8 || type != 3)
        return;
    memcpy(&src, quoted + 12, 4);
    memcpy(&dst, quoted + 16, 4);
    pcb = tcp_lookup(src, net_get16(quoted + ihl), dst, net_get16(quoted + ihl + 2));
    seq = net_get32(quoted + ihl + 4);
    if (!pcb || SEQ_LT(seq, pcb->snd_una) || SEQ_GEQ(seq, pcb->snd_max))
        return;
    /* protocol or port unreachable, administratively prohibited: hard
     * errors while connecting (RFC 1122 4.2.3.9); the rest are soft */
    if (pcb->state == TCP_SYN_SENT && (code == 2 || code == 3 || code == 9 || code == 10 || code == 13))
        tcp_drop(pcb, ECONNREFUSED);
}
