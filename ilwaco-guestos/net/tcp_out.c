/*
 * net/tcp_out.c - what TCP sends, and sending it.
 *
 * tcp_output sends everything the state, the windows and the buffers
 * allow: the SYN (with our MSS option), data segments of up to pcb->mss
 * taken straight from the send ring, the FIN after the last byte, and an
 * ACK when one is owed (TF_ACKNOW) and no segment carried it.  Every
 * segment carries the ACK and the window of that moment, so a delayed ACK
 * is cancelled by whatever goes out first.
 *
 * The congestion window grows by one segment for each of the first two
 * duplicate ACKs (limited transmit, RFC 3042), so a small window still
 * produces the three duplicates fast retransmit needs.
 *
 * Sender silly-window avoidance (RFC 9293 3.8.6.2.1): a segment goes out
 * when it is full, when it holds all the queued data (we push every send:
 * there is no Nagle delay, as with TCP_NODELAY), or when it is at least
 * half the largest window the peer offered; otherwise the persist timer
 * forces it.  The receive window offered moves right only by at least
 * min(TCP_RCVBUF / 2, MSS) (3.8.6.2.2) and never shrinks.
 */
#include <errno.h>
#include <string.h>
#include "tcp_pcb.h"

/* Build a TCP header, checksum it with its data, hand it to ip.c. */
static int emit(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
                const uint8_t *opt, unsigned optlen, const struct net_iov *data, int ndata)
{
    uint8_t h[NET_TCP_HLEN + 4];
    struct net_iov iov[3];
    unsigned hlen = NET_TCP_HLEN + optlen;
    size_t total = hlen;
    int n = 1, i, r;

    net_put16(h, sport);
    net_put16(h + 2, dport);
    net_put32(h + 4, seq);
    net_put32(h + 8, ack);
    h[12] = (uint8_t)((hlen / 4) << 4);
    h[13] = flags;
    net_put16(h + 14, wnd);
    net_put16(h + 16, 0);
    net_put16(h + 18, 0);
    if (optlen)
        memcpy(h + NET_TCP_HLEN, opt, optlen);
    iov[0].base = h;
    iov[0].len = hlen;
    for (i = 0; i < ndata; i++) {
        iov[n++] = data[i];
        total += data[i].len;
    }
    net_put16(h + 16, net_csum_fold(net_csum_add(net_csum_pseudo(src, dst, IP_PROTO_TCP, (uint16_t)total), iov, n)));
    r = ip_output(src, dst, IP_PROTO_TCP, iov, n);
    if (r == 0)
        net_stats.tcp_out++;
    return r;
}

uint32_t tcp_rcv_window(struct tcp_pcb *pcb)
{
    uint32_t edge = pcb->rcv_nxt + (TCP_RCVBUF - pcb->rb_len);
    uint32_t step = TCP_RCVBUF / 2 < pcb->mss ? TCP_RCVBUF / 2 : pcb->mss;

    if (SEQ_LT(pcb->rcv_adv, pcb->rcv_nxt))
        pcb->rcv_adv = pcb->rcv_nxt;
    if (SEQ_GT(edge, pcb->rcv_adv) && edge - pcb->rcv_adv >= step)
        pcb->rcv_adv = edge;
    return pcb->rcv_adv - pcb->rcv_nxt;
}

/* One segment of pcb: len bytes of the send ring from seq, and flags. */
static int send_seg(struct tcp_pcb *pcb, uint32_t seq, uint32_t len, uint8_t flags)
{
    struct net_iov d[2];
    uint8_t opt[4];
    unsigned optlen = 0;
    uint32_t wnd, ack = 0;
    int nd = 0, r;

    if (flags & TH_SYN) {
        opt[0] = 2;                     /* MSS */
        opt[1] = 4;
        net_put16(opt + 2, NET_TCP_MSS);
        optlen = 4;
    }
    if (len) {
        uint32_t pos = (pcb->sb_start + (seq - pcb->sb_seq)) % TCP_SNDBUF;
        uint32_t first = TCP_SNDBUF - pos < len ? TCP_SNDBUF - pos : len;

        d[0].base = pcb->sbuf + pos;
        d[0].len = first;
        nd = 1;
        if (first < len) {
            d[1].base = pcb->sbuf;
            d[1].len = len - first;
            nd = 2;
        }
    }
    wnd = tcp_rcv_window(pcb);
    if (flags & TH_ACK)
        ack = pcb->rcv_nxt;
    r = emit(pcb->lip, pcb->rip, pcb->lport, pcb->rport, seq, ack, flags,
             (uint16_t)(wnd > 0xffff ? 0xffff : wnd), opt, optlen, d, nd);
    if (flags & TH_ACK) {
        pcb->rcv_acked = pcb->rcv_nxt;
        pcb->flags &= ~(TF_ACKNOW | TF_DELACK);
        net_timer_cancel(&pcb->dack);
    }
    return r;
}

/* Bookkeeping after sending [seq, seq + n) of sequence space (n > 0). */
static void sent(struct tcp_pcb *pcb, uint32_t seq, uint32_t n)
{
    if (pcb->flags & TF_FORCE) {
        /* a window probe: neither a retransmission nor worth timing */
    } else if (SEQ_LT(seq, pcb->snd_max)) {
        net_stats.tcp_retransmits++;
        pcb->flags &= ~TF_TIMING;       /* Karn: no sample from a retransmission */
    } else if (!(pcb->flags & TF_TIMING)) {
        pcb->flags |= TF_TIMING;
        pcb->rtt_seq = seq;
        pcb->rtt_start = net_now();
    }
    if (SEQ_GT(seq + n, pcb->snd_nxt))
        pcb->snd_nxt = seq + n;
    if (SEQ_GT(pcb->snd_nxt, pcb->snd_max))
        pcb->snd_max = pcb->snd_nxt;
    if (pcb->tmode == TM_NONE)
        tcp_rexmt_arm(pcb);
}

static int fin_state(int state)
{
    return state == TCP_FIN_WAIT_1 || state == TCP_CLOSING || state == TCP_LAST_ACK;
}

static uint32_t min3(uint32_t a, uint32_t b, uint32_t c)
{
    uint32_t m = a < b ? a : b;
    return m < c ? m : c;
}

/* Our SYN is out and not yet acknowledged: send it (again) or an ACK. */
static int output_syn(struct tcp_pcb *pcb)
{
    int r;

    if (pcb->snd_nxt != pcb->iss) {
        if ((pcb->flags & TF_ACKNOW) && pcb->state != TCP_SYN_SENT)
            send_seg(pcb, pcb->snd_nxt, 0, TH_ACK);
        return 0;
    }
    r = send_seg(pcb, pcb->iss, 0, pcb->state == TCP_SYN_SENT ? TH_SYN : TH_SYN | TH_ACK);
    if (r == -ENETUNREACH && pcb->state == TCP_SYN_SENT) {
        tcp_drop(pcb, ENETUNREACH);     /* the socket holds it: not freed */
        return 0;
    }
    sent(pcb, pcb->iss, 1);
    return 0;
}

/* Send the next segment, if any: 1 when data went out (try again). */
static int output_one(struct tcp_pcb *pcb)
{
    uint32_t seq = pcb->snd_nxt, end = pcb->sb_seq + pcb->sb_len;
    uint32_t avail = SEQ_LT(seq, end) ? end - seq : 0;
    uint32_t flight = seq - pcb->snd_una;
    uint32_t lt = (pcb->flags & TF_RECOVERY) || pcb->dupacks > 2 ? 0 : pcb->dupacks;
    uint32_t cwnd = pcb->cwnd + lt * pcb->mss;
    uint32_t win = pcb->snd_wnd < cwnd ? pcb->snd_wnd : cwnd;
    uint32_t usable = win > flight ? win - flight : 0, len;
    int fin;

    if (pcb->state == TCP_CLOSED || pcb->state == TCP_LISTEN)
        return 0;
    if (pcb->snd_una == pcb->iss)
        return output_syn(pcb);
    if ((pcb->flags & TF_FORCE) && usable == 0 && avail)
        usable = 1;                     /* zero-window probe: one byte */
    len = min3(avail, usable, pcb->mss);
    if (len && len != pcb->mss && len != avail && !(pcb->flags & TF_FORCE) && len < pcb->max_sndwnd / 2)
        len = 0;                        /* silly window: wait for more room */
    fin = (pcb->flags & TF_FIN_QUEUED) && fin_state(pcb->state) && seq + len == end;
    if (len == 0 && !fin) {
        if (pcb->flags & TF_ACKNOW)
            send_seg(pcb, seq, 0, TH_ACK);
        if (avail && flight == 0 && pcb->tmode == TM_NONE)
            tcp_persist_arm(pcb);
        return 0;
    }
    send_seg(pcb, seq, len, (uint8_t)(TH_ACK | (fin ? TH_FIN : 0) | (len && len == avail ? TH_PSH : 0)));
    sent(pcb, seq, len + (uint32_t)fin);
    return len > 0 && !fin && !(pcb->flags & TF_FORCE);
}

void tcp_output(struct tcp_pcb *pcb)
{
    while (output_one(pcb))
        ;
}

void tcp_retransmit_first(struct tcp_pcb *pcb)
{
    uint32_t seq = pcb->snd_una, end = pcb->sb_seq + pcb->sb_len;
    uint32_t avail = SEQ_LT(seq, end) ? end - seq : 0;
    uint32_t len = avail < pcb->mss ? avail : pcb->mss;
    int fin = (pcb->flags & TF_FIN_QUEUED) && fin_state(pcb->state) && seq + len == end
              && SEQ_GT(pcb->snd_max, end);

    if (pcb->snd_una == pcb->iss || (len == 0 && !fin))
        return;
    send_seg(pcb, seq, len, (uint8_t)(TH_ACK | (fin ? TH_FIN : 0)));
    net_stats.tcp_fast_retransmits++;
    sent(pcb, seq, len + (uint32_t)fin);
}

void tcp_send_rst(struct tcp_pcb *pcb)
{
    if (pcb->state < TCP_SYN_RCVD)
        return;
    if (emit(pcb->lip, pcb->rip, pcb->lport, pcb->rport, pcb->snd_nxt, pcb->rcv_nxt,
             TH_RST | TH_ACK, 0, 0, 0, 0, 0) == 0)
        net_stats.tcp_rst_out++;
}

void tcp_send_challenge_ack(struct tcp_pcb *pcb)
{
    send_seg(pcb, pcb->snd_nxt, 0, TH_ACK);
}

void tcp_reset_reply(const struct ip_info *ip, const uint8_t *th, uint32_t seglen)
{
    uint8_t flags = th[13];
    int r;

    if (flags & TH_RST)
        return;
    if (flags & TH_ACK)
        r = emit(ip->dst, ip->src, net_get16(th + 2), net_get16(th), net_get32(th + 8), 0,
                 TH_RST, 0, 0, 0, 0, 0);
    else
        r = emit(ip->dst, ip->src, net_get16(th + 2), net_get16(th), 0, net_get32(th + 4) + seglen,
                 TH_RST | TH_ACK, 0, 0, 0, 0, 0);
    if (r == 0)
        net_stats.tcp_rst_out++;
}
