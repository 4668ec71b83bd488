/*
 * net/tcp.c - TCP (RFC 9293): the socket calls socket.c makes, the table of
 * connections, local ports, and a connection's beginning and end.
 *
 * Segment arrival is in tcp_in.c, sending in tcp_out.c, timers in
 * tcp_timer.c; tcp_pcb.h has the connection block and the constants.
 *
 * A pcb is one socket's TCP state.  Connections (anything with a peer) sit
 * in a hash on their four addresses, listeners in a list of their own, and
 * every pcb in tcp_all (for port choice).  A listener's children - SYN_RCVD
 * and completed connections not yet accepted - hang off it by qnext and are
 * at most its backlog.  A pcb lives while a socket holds it or while its
 * connection is still finishing (FIN, TIME_WAIT): tcp_drop frees an orphan.
 * Buffers (TCP_SNDBUF / TCP_RCVBUF rings) are malloc'ed on first use and
 * freed when the connection ends, so an idle listener costs one pcb.
 *
 * TIME_WAIT is bounded, as Linux bounds it with tcp_max_tw_buckets: the side
 * that closes first keeps its pcb for 2 * MSL (60 s), so a server closing
 * thousands of connections a second would fill a small VM's heap with them
 * and then refuse connections.  At most TCP_TIME_WAIT_MAX pcbs are in
 * TIME_WAIT (net_stats.tcp_time_wait counts them); a connection entering it
 * when that many are there ends the oldest at once (tcp_drop, counted in
 * tcp_time_wait_recycled): the one nearest its end anyway, and the least
 * likely to meet a late duplicate.  tcp_set_state keeps them on a list of
 * their own (tw_prev / tw_next) in the order they entered TIME_WAIT, so
 * finding the oldest and taking any one off (expiry, a new incarnation, a
 * reused port, a RST) is O(1).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <poll.h>
#include "tcp_pcb.h"

static struct tcp_pcb *tcp_all;                 /* every pcb, by next */
static struct tcp_pcb *tcp_hash[TCP_HASH_SIZE]; /* connections, by hnext */
static struct tcp_pcb *tcp_listeners;           /* listeners, by hnext */
static uint32_t tcp_secret;
static uint16_t tcp_port_next;
static struct tcp_pcb *tw_oldest, *tw_newest;   /* TIME_WAIT, by tw_next */

_Static_assert(TCP_TIME_WAIT_MAX >= 1, "a pcb entering TIME_WAIT must find room");

/* ---- the table ------------------------------------------------------------ */

static unsigned hash4(uint32_t rip, uint16_t lport, uint16_t rport)
{
    uint32_t h = rip ^ ((uint32_t)lport << 16 | rport);

    h *= 2654435761u;
    return (h >> 16) & (TCP_HASH_SIZE - 1);
}

struct tcp_pcb *tcp_lookup(uint32_t lip, uint16_t lport, uint32_t rip, uint16_t rport)
{
    struct tcp_pcb *p = tcp_hash[hash4(rip, lport, rport)];

    for (; p; p = p->hnext)
        if (p->lport == lport && p->rport == rport && p->rip == rip && p->lip == lip)
            return p;
    return 0;
}

struct tcp_pcb *tcp_lookup_listener(uint32_t lip, uint16_t lport)
{
    struct tcp_pcb *p, *any = 0;

    for (p = tcp_listeners; p; p = p->hnext) {
        if (p->lport != lport)
            continue;
        if (p->lip == lip)
            return p;
        if (p->lip == 0)
            any = p;
    }
    return any;
}

void tcp_hash_insert(struct tcp_pcb *pcb)
{
    struct tcp_pcb **b = &tcp_hash[hash4(pcb->rip, pcb->lport, pcb->rport)];

    pcb->hnext = *b;
    *b = pcb;
    pcb->flags |= TF_HASHED;
}

static void unlink_from(struct tcp_pcb **head, struct tcp_pcb *pcb)
{
    for (; *head; head = &(*head)->hnext) {
        if (*head == pcb) {
            *head = pcb->hnext;
            break;
        }
    }
    pcb->hnext = 0;
}

static void hash_remove(struct tcp_pcb *pcb)
{
    if (pcb->flags & TF_HASHED)
        unlink_from(&tcp_hash[hash4(pcb->rip, pcb->lport, pcb->rport)], pcb);
    pcb->flags &= ~TF_HASHED;
}

/* Where the search for an ephemeral port starts: somewhere the secret
 * chooses, so the first ports of a VM are not everyone's. */
static uint16_t port_from_secret(void)
{
    return (uint16_t)(TCP_PORT_LO + tcp_secret % (TCP_PORT_HI - TCP_PORT_LO + 1));
}

struct tcp_pcb *tcp_pcb_new(void)
{
    struct tcp_pcb *pcb = calloc(1, sizeof *pcb);

    if (!pcb)
        return 0;
    if (!tcp_secret) {
        uint64_t t = net_now();
        tcp_secret = ((uint32_t)t * 2654435761u) ^ (uint32_t)(t >> 32) ^ net_get32(net_cfg.mac + 2) ^ 0x5bd1e995;
        tcp_port_next = port_from_secret();
    }
    pcb->state = TCP_CLOSED;
    pcb->mss = NET_TCP_MSS;
    pcb->rto = TCP_RTO_INIT_NS;
    pcb->ssthresh = 0xffff;
    tcp_timers_init(pcb);
    pcb->next = tcp_all;
    tcp_all = pcb;
    return pcb;
}

static void pcb_free(struct tcp_pcb *pcb)
{
    struct tcp_pcb **p;

    tcp_timers_stop(pcb);
    hash_remove(pcb);
    for (p = &tcp_all; *p; p = &(*p)->next) {
        if (*p == pcb) {
            *p = pcb->next;
            break;
        }
    }
    free(pcb->sbuf);
    free(pcb->rbuf);
    free(pcb);
}

static int counted(int state)
{
    return state != TCP_CLOSED && state != TCP_LISTEN;
}

/* The TIME_WAIT list: appended to on entry, so tw_oldest entered first. */
static void tw_append(struct tcp_pcb *pcb)
{
    pcb->tw_next = 0;
    pcb->tw_prev = tw_newest;
    if (tw_newest)
        tw_newest->tw_next = pcb;
    else
        tw_oldest = pcb;
    tw_newest = pcb;
    net_stats.tcp_time_wait++;
}

static void tw_remove(struct tcp_pcb *pcb)
{
    if (pcb->tw_prev)
        pcb->tw_prev->tw_next = pcb->tw_next;
    else
        tw_oldest = pcb->tw_next;
    if (pcb->tw_next)
        pcb->tw_next->tw_prev = pcb->tw_prev;
    else
        tw_newest = pcb->tw_prev;
    pcb->tw_prev = pcb->tw_next = 0;
    net_stats.tcp_time_wait--;
}

void tcp_set_state(struct tcp_pcb *pcb, int state)
{
    if (counted(state) && !counted(pcb->state))
        net_stats.tcp_conns_open++;
    else if (!counted(state) && counted(pcb->state))
        net_stats.tcp_conns_open--;
    if (state == TCP_TIME_WAIT && pcb->state != TCP_TIME_WAIT)
        tw_append(pcb);
    else if (state != TCP_TIME_WAIT && pcb->state == TCP_TIME_WAIT)
        tw_remove(pcb);
    pcb->state = (uint8_t)state;
}

uint32_t tcp_new_iss(const struct tcp_pcb *pcb)
{
    uint32_t h = tcp_secret ^ pcb->lip;

    h = (h * 2654435761u) ^ pcb->rip;
    h = (h * 2654435761u) ^ ((uint32_t)pcb->lport << 16 | pcb->rport);
    h *= 2654435761u;
    h ^= h >> 15;
    /* RFC 6528: a clock ticking every 4 us plus a hash of the connection */
    return (uint32_t)(net_now() >> 12) + h;
}

/*
 * The VM's address changed (net_identity_check: a clone of a snapshot woke
 * with its own).  A connection on the old address cannot go on: its peer
 * knows it by that address, which now belongs to another VM (the template,
 * or another clone), and what we sent from it would reach the peer as that
 * VM's, if the switch let it through at all.  So each such connection (a
 * listener's children and TIME_WAIT included) ends at once, silently: a
 * RST would reset the other VM's connection on the same four addresses.
 * Its socket gets ECONNABORTED.  A listener or bound socket on the old
 * address was bound to this VM's address: it moves to the new one, so a
 * service in a clone keeps serving.  Sockets on 0.0.0.0 or 127.0.0.0/8
 * are untouched.
 */
static void leave_address(uint32_t old_ip, uint32_t new_ip)
{
    struct tcp_pcb *p, *next;

    for (p = tcp_all; p; p = next) {
        next = p->next;         /* tcp_drop frees p, and only p */
        if (p->lip != old_ip)
            continue;
        if (p->state == TCP_LISTEN || p->state == TCP_CLOSED) {
            if (new_ip)         /* 0 would mean "any address" */
                p->lip = new_ip;
        } else {
            tcp_drop(p, ECONNABORTED);
        }
    }
}

/* The ISN key and the ephemeral port cursor were drawn once, at the first
 * pcb, and every clone of one snapshot would share them.  ISNs would still
 * differ between clones (they hash the local address, plus a clock), but
 * under one key common to all of them, and the clones would pick the same
 * ports in the same order.  So both are drawn again, from the old key, the
 * clock and the new MAC and address. */
void tcp_identity_changed(uint32_t old_ip, uint32_t new_ip)
{
    uint64_t t = net_now();
    uint32_t k = tcp_secret;

    if (old_ip != new_ip && old_ip != 0)
        leave_address(old_ip, new_ip);
    if (!k)
        return;                 /* no pcb yet: the first one draws from the new MAC */
    k = (k ^ (uint32_t)t) * 2654435761u;
    k = (k ^ (uint32_t)(t >> 32)) * 2654435761u;
    k = (k ^ net_get32(net_cfg.mac + 2)) * 2654435761u;
    k = (k ^ new_ip) * 2654435761u;
    k ^= k >> 15;
    tcp_secret = k ? k : 0x5bd1e995;
    tcp_port_next = port_from_secret();
}

void tcp_free_rbuf(struct tcp_pcb *pcb)
{
    free(pcb->rbuf);
    pcb->rbuf = 0;
    pcb->rb_start = pcb->rb_len = 0;
    pcb->nooo = 0;
}

int tcp_has_unread(const struct tcp_pcb *pcb)
{
    return pcb->rb_len > 0 || pcb->nooo > 0;
}

void tcp_wakeup(struct tcp_pcb *pcb)
{
    if (pcb->so)
        sock_wakeup(pcb->so);
}

/* Take a child off its listener's queue. */
static void unqueue_child(struct tcp_pcb *pcb)
{
    struct tcp_pcb *l = pcb->listener, **p;

    for (p = &l->qnext; *p; p = &(*p)->qnext) {
        if (*p == pcb) {
            *p = pcb->qnext;
            break;
        }
    }
    pcb->qnext = 0;
    pcb->listener = 0;
    pcb->flags &= ~TF_COMPLETED;
    l->qlen--;
}

void tcp_drop(struct tcp_pcb *pcb, int err)
{
    tcp_set_state(pcb, TCP_CLOSED);
    hash_remove(pcb);
    tcp_timers_stop(pcb);
    pcb->tmode = TM_NONE;
    pcb->flags &= ~(TF_ACKNOW | TF_DELACK | TF_TIMING | TF_RECOVERY | TF_FORCE);
    free(pcb->sbuf);
    pcb->sbuf = 0;
    pcb->sb_len = 0;
    if (err || !pcb->so)
        tcp_free_rbuf(pcb);
    if (err) {
        pcb->err = err;
        if (pcb->so)
            pcb->so->error = err;
    }
    if (pcb->listener) {
        unqueue_child(pcb);
        pcb_free(pcb);
    } else if (!pcb->so) {
        pcb_free(pcb);
    } else {
        sock_wakeup(pcb->so);
    }
}

void tcp_time_wait(struct tcp_pcb *pcb)
{
    if (pcb->state != TCP_TIME_WAIT && net_stats.tcp_time_wait >= TCP_TIME_WAIT_MAX) {
        net_stats.tcp_time_wait_recycled++;
        tcp_drop(tw_oldest, 0);     /* leaves TIME_WAIT: off the list, freed if orphaned */
    }
    tcp_set_state(pcb, TCP_TIME_WAIT);
    tcp_rexmt_stop(pcb);
    pcb->flags &= ~(TF_TIMING | TF_RECOVERY | TF_FORCE);
    free(pcb->sbuf);
    pcb->sbuf = 0;
    pcb->sb_len = 0;
    if (!pcb->so)
        tcp_free_rbuf(pcb);
    pcb->tmode = TM_TIME_WAIT;
    net_timer_arm(&pcb->rexmt, net_now() + 2 * TCP_MSL_NS);
    tcp_wakeup(pcb);
}

/* ---- ports and addresses ---------------------------------------------------- */

static int is_loopback(uint32_t ip)
{
    return (ntohl(ip) >> 24) == 127;
}

static int local_addr_ok(uint32_t ip)
{
    return ip == 0 || is_loopback(ip) || (net_cfg.ip && ip == net_cfg.ip);
}

/* Would lport clash with another pcb?  With a peer (rport != 0) only the
 * same four addresses, a listener or a bound socket clash; without one,
 * any use of the port does. */
static int port_used(uint16_t lport, uint32_t rip, uint16_t rport)
{
    struct tcp_pcb *p;

    for (p = tcp_all; p; p = p->next) {
        if (p->lport != lport || !(p->flags & TF_BOUND))
            continue;
        if (rport == 0 || p->state == TCP_LISTEN || p->state == TCP_CLOSED)
            return 1;
        if (p->rip == rip && p->rport == rport)
            return 1;
    }
    return 0;
}

static uint16_t ephemeral_port(uint32_t rip, uint16_t rport)
{
    unsigned n = TCP_PORT_HI - TCP_PORT_LO + 1, i;

    for (i = 0; i < n; i++) {
        uint16_t port = tcp_port_next;

        tcp_port_next = port == TCP_PORT_HI ? TCP_PORT_LO : (uint16_t)(port + 1);
        if (!port_used(port, rip, rport))
            return port;
    }
    return 0;
}

/* bind(): a listener or a bound, unconnected socket on an overlapping
 * address holds the port; connections and TIME_WAIT do not. */
static int bind_conflict(const struct tcp_pcb *pcb, uint32_t ip, uint16_t port)
{
    struct tcp_pcb *p;

    for (p = tcp_all; p; p = p->next) {
        if (p == pcb || p->lport != port || !(p->flags & TF_BOUND))
            continue;
        if (p->lip && ip && p->lip != ip)
            continue;
        if (p->state == TCP_LISTEN || (p->state == TCP_CLOSED && p->so))
            return 1;
    }
    return 0;
}

/* ---- socket calls ------------------------------------------------------------ */

static int synchronized(int state)
{
    return state >= TCP_ESTABLISHED;
}

/* sock_wait for a blocking call: 0 when woken, -EAGAIN when the socket's
 * timeout passed, -EBADF when the descriptor was closed meanwhile. */
static int block_on(struct socket *so, uint64_t deadline)
{
    int r = sock_wait(so, deadline);

    return r == -ETIMEDOUT ? -EAGAIN : r;
}

int tcp_open(struct socket *so)
{
    struct tcp_pcb *pcb = tcp_pcb_new();

    if (!pcb)
        return -ENOMEM;
    pcb->so = so;
    so->pcb = pcb;
    return 0;
}

int tcp_bind(struct socket *so, uint32_t ip, uint16_t port)
{
    struct tcp_pcb *pcb = so->pcb;

    if ((pcb->flags & TF_BOUND) || pcb->state != TCP_CLOSED)
        return -EINVAL;
    if (!local_addr_ok(ip))
        return -EADDRNOTAVAIL;
    if (port == 0) {
        port = ephemeral_port(0, 0);
        if (port == 0)
            return -EADDRINUSE;
    } else if (bind_conflict(pcb, ip, port)) {
        return -EADDRINUSE;
    }
    pcb->lip = ip;
    pcb->lport = port;
    pcb->flags |= TF_BOUND;
    return 0;
}

int tcp_listen(struct socket *so, int backlog)
{
    struct tcp_pcb *pcb = so->pcb;
    int r;

    if (backlog < 1)
        backlog = 1;
    if (backlog > SOMAXCONN)
        backlog = SOMAXCONN;
    if (pcb->state == TCP_LISTEN) {
        pcb->backlog = (uint16_t)backlog;
        return 0;
    }
    if (pcb->state != TCP_CLOSED || (pcb->flags & TF_CONNECTED))
        return -EINVAL;
    if (!(pcb->flags & TF_BOUND) && (r = tcp_bind(so, 0, 0)) < 0)
        return r;
    pcb->backlog = (uint16_t)backlog;
    pcb->err = 0;
    tcp_set_state(pcb, TCP_LISTEN);
    pcb->hnext = tcp_listeners;
    tcp_listeners = pcb;
    return 0;
}

int tcp_accept(struct socket *so, struct socket *newso, uint32_t *ip, uint16_t *port)
{
    uint64_t deadline = sock_deadline(so, 0);
    struct tcp_pcb *pcb = so->pcb, *c;
    int r;

    for (;;) {
        if (!pcb || pcb->state != TCP_LISTEN)
            return -EINVAL;
        for (c = pcb->qnext; c && !(c->flags & TF_COMPLETED); c = c->qnext)
            ;
        if (c) {
            unqueue_child(c);
            c->so = newso;
            newso->pcb = c;
            *ip = c->rip;
            *port = c->rport;
            return 0;
        }
        if (so->nonblock)
            return -EAGAIN;
        if ((r = block_on(so, deadline)) < 0)
            return r;
        pcb = so->pcb;
    }
}

static int wait_connected(struct socket *so, uint64_t deadline)
{
    struct tcp_pcb *pcb = so->pcb;
    int e, r;

    for (;;) {
        if (!pcb)
            return -EBADF;
        if (synchronized(pcb->state))
            return 0;
        if (pcb->state == TCP_CLOSED) {
            e = pcb->err ? pcb->err : ECONNREFUSED;
            pcb->err = 0;       /* reported here, not again by SO_ERROR or recv */
            so->error = 0;
            return -e;
        }
        if ((r = block_on(so, deadline)) < 0)
            return r;
        pcb = so->pcb;
    }
}

int tcp_connect(struct socket *so, uint32_t ip, uint16_t port)
{
    struct tcp_pcb *pcb = so->pcb, *old;
    int r;

    switch (pcb->state) {
    case TCP_CLOSED:
        break;
    case TCP_LISTEN:
        return -EINVAL;
    case TCP_SYN_SENT:
    case TCP_SYN_RCVD:
        if (so->nonblock)
            return -EALREADY;
        return wait_connected(so, sock_deadline(so, 1));
    default:
        return -EISCONN;
    }
    if (ip == 0)
        ip = htonl(INADDR_LOOPBACK);
    if (!pcb->lip || !(pcb->flags & TF_BOUND))
        pcb->lip = is_loopback(ip) ? ip : net_cfg.ip;
    if (!pcb->lip)
        return -ENETUNREACH;
    if (!(pcb->flags & TF_BOUND)) {
        pcb->lport = ephemeral_port(ip, port);
        if (!pcb->lport)
            return -EADDRNOTAVAIL;
        pcb->flags |= TF_BOUND;
    } else if ((old = tcp_lookup(pcb->lip, pcb->lport, ip, port)) != 0) {
        if (old->state != TCP_TIME_WAIT)
            return -EADDRINUSE;
        tcp_drop(old, 0);        /* reuse the port of a connection in TIME_WAIT */
    }
    pcb->rip = ip;
    pcb->rport = port;
    pcb->err = 0;
    so->error = 0;
    pcb->flags &= TF_BOUND;
    pcb->iss = tcp_new_iss(pcb);
    pcb->snd_una = pcb->snd_nxt = pcb->snd_max = pcb->iss;
    pcb->sb_seq = pcb->iss + 1;
    pcb->recover = pcb->iss;
    pcb->mss = NET_TCP_MSS;
    pcb->rto = TCP_RTO_INIT_NS;
    pcb->srtt = pcb->rttvar = 0;
    pcb->retries = 0;
    pcb->rcv_nxt = pcb->rcv_adv = pcb->rcv_acked = 0;
    tcp_set_state(pcb, TCP_SYN_SENT);
    tcp_hash_insert(pcb);
    tcp_output(pcb);
    if (pcb->state == TCP_CLOSED) {         /* no route: ip_output said so */
        r = pcb->err;
        pcb->err = 0;
        so->error = 0;
        return -r;
    }
    if (so->nonblock)
        return -EINPROGRESS;
    return wait_connected(so, sock_deadline(so, 1));
}

static void sb_append(struct tcp_pcb *pcb, const uint8_t *src, uint32_t n)
{
    uint32_t pos = (pcb->sb_start + pcb->sb_len) % TCP_SNDBUF;
    uint32_t first = TCP_SNDBUF - pos < n ? TCP_SNDBUF - pos : n;

    memcpy(pcb->sbuf + pos, src, first);
    memcpy(pcb->sbuf, src + first, n - first);
    pcb->sb_len = (uint16_t)(pcb->sb_len + n);
}

/* 0: may send now; 1: wait for the connection; or -errno. */
static int send_state(const struct tcp_pcb *pcb)
{
    if (pcb->err)
        return -pcb->err;
    switch (pcb->state) {
    case TCP_SYN_SENT:
    case TCP_SYN_RCVD:
        return 1;
    case TCP_ESTABLISHED:
    case TCP_CLOSE_WAIT:
        return (pcb->flags & TF_FIN_QUEUED) ? -EPIPE : 0;
    case TCP_CLOSED:
    case TCP_LISTEN:
        return (pcb->flags & TF_CONNECTED) ? -EPIPE : -ENOTCONN;
    default:
        return -EPIPE;          /* we have sent our FIN */
    }
}

ssize_t tcp_send(struct socket *so, const void *buf, size_t len, int flags)
{
    uint64_t deadline = sock_deadline(so, 1);
    int nonblock = so->nonblock || (flags & MSG_DONTWAIT);
    struct tcp_pcb *pcb = so->pcb;
    size_t sent = 0;
    int st;

    if (len > 0x7fffffff)
        len = 0x7fffffff;
    for (;;) {
        if (!pcb)
            return sent ? (ssize_t)sent : -EBADF;
        st = send_state(pcb);
        if (st < 0)
            return sent ? (ssize_t)sent : st;
        if (st == 0) {
            uint32_t room = TCP_SNDBUF - pcb->sb_len, n;

            if (!pcb->sbuf && len > sent && !(pcb->sbuf = malloc(TCP_SNDBUF)))
                return sent ? (ssize_t)sent : -ENOBUFS;
            n = len - sent < room ? (uint32_t)(len - sent) : room;
            if (n) {
                sb_append(pcb, (const uint8_t *)buf + sent, n);
                sent += n;
                tcp_output(pcb);
            }
            if (sent == len)
                return (ssize_t)sent;
        }
        if (nonblock)
            return sent ? (ssize_t)sent : -EAGAIN;
        if ((st = block_on(so, deadline)) < 0)
            return sent ? (ssize_t)sent : st;
        pcb = so->pcb;
    }
}

/* Copy n unread bytes from offset off of the receive ring. */
static void rb_copy(const struct tcp_pcb *pcb, uint32_t off, uint8_t *dst, uint32_t n)
{
    uint32_t pos = (pcb->rb_start + off) % TCP_RCVBUF;
    uint32_t first = TCP_RCVBUF - pos < n ? TCP_RCVBUF - pos : n;

    memcpy(dst, pcb->rbuf + pos, first);
    memcpy(dst + first, pcb->rbuf, n - first);
}

/* The application made room: tell the peer when the window grew by two
 * segments or half the buffer (RFC 9293 3.8.6.2.2). */
static void window_update(struct tcp_pcb *pcb)
{
    uint32_t offered, now;

    if (pcb->state != TCP_ESTABLISHED && pcb->state != TCP_FIN_WAIT_1 && pcb->state != TCP_FIN_WAIT_2)
        return;
    offered = SEQ_GT(pcb->rcv_adv, pcb->rcv_nxt) ? pcb->rcv_adv - pcb->rcv_nxt : 0;
    now = TCP_RCVBUF - pcb->rb_len;
    if (now > offered && (now - offered >= 2u * pcb->mss || 2 * (now - offered) >= TCP_RCVBUF)) {
        pcb->flags |= TF_ACKNOW;
        tcp_output(pcb);
    }
}

static void rb_consume(struct tcp_pcb *pcb, uint32_t n)
{
    pcb->rb_start = (uint16_t)((pcb->rb_start + n) % TCP_RCVBUF);
    pcb->rb_len = (uint16_t)(pcb->rb_len - n);
    if (pcb->rb_len == 0 && pcb->nooo == 0) {
        pcb->rb_start = 0;
        if (pcb->flags & TF_RCVD_FIN)
            tcp_free_rbuf(pcb);         /* nothing more can arrive */
    }
    window_update(pcb);
}

/* 0: wait; 1: at EOF; or -errno. */
static int recv_state(const struct tcp_pcb *pcb)
{
    if (pcb->err)
        return -pcb->err;
    if (pcb->flags & (TF_RCVD_FIN | TF_SHUT_RD))
        return 1;
    switch (pcb->state) {
    case TCP_LISTEN:
        return -ENOTCONN;
    case TCP_CLOSED:
        return (pcb->flags & TF_CONNECTED) ? 1 : -ENOTCONN;
    default:
        return 0;
    }
}

ssize_t tcp_recv(struct socket *so, void *buf, size_t len, int flags)
{
    uint64_t deadline = sock_deadline(so, 0);
    int nonblock = so->nonblock || (flags & MSG_DONTWAIT);
    int peek = flags & MSG_PEEK, waitall = (flags & MSG_WAITALL) && !peek;
    struct tcp_pcb *pcb = so->pcb;
    size_t got = 0;
    int st;

    if (len > 0x7fffffff)
        len = 0x7fffffff;
    for (;;) {
        if (!pcb)
            return got ? (ssize_t)got : -EBADF;
        if (pcb->rb_len > 0 && got < len) {
            uint32_t n = len - got < pcb->rb_len ? (uint32_t)(len - got) : pcb->rb_len;

            rb_copy(pcb, 0, (uint8_t *)buf + got, n);
            got += n;
            if (peek)
                return (ssize_t)got;
            rb_consume(pcb, n);
            if (got == len || !waitall)
                return (ssize_t)got;
            continue;
        }
        st = recv_state(pcb);
        if (st != 0 || len == 0)
            return got ? (ssize_t)got : (st < 0 ? st : 0);
        if (nonblock)
            return got ? (ssize_t)got : -EAGAIN;
        if ((st = block_on(so, deadline)) < 0)
            return got ? (ssize_t)got : st;
        pcb = so->pcb;
    }
}

/* The user will send no more: FIN after the queued data. */
static void user_fin(struct tcp_pcb *pcb)
{
    switch (pcb->state) {
    case TCP_SYN_SENT:
        tcp_drop(pcb, 0);
        return;
    case TCP_SYN_RCVD:
    case TCP_ESTABLISHED:
        pcb->flags |= TF_FIN_QUEUED;
        tcp_set_state(pcb, TCP_FIN_WAIT_1);
        break;
    case TCP_CLOSE_WAIT:
        pcb->flags |= TF_FIN_QUEUED;
        tcp_set_state(pcb, TCP_LAST_ACK);
        break;
    default:
        return;
    }
    tcp_output(pcb);
}

int tcp_shutdown(struct socket *so, int how)
{
    struct tcp_pcb *pcb = so->pcb;

    if (how < SHUT_RD || how > SHUT_RDWR)
        return -EINVAL;
    if (pcb->state == TCP_LISTEN || (pcb->state == TCP_CLOSED && !(pcb->flags & TF_CONNECTED)))
        return -ENOTCONN;
    if (how != SHUT_WR) {
        pcb->flags |= TF_SHUT_RD;
        if (pcb->rbuf && pcb->state != TCP_CLOSED) {
            rb_consume(pcb, pcb->rb_len);   /* unread data is discarded */
        }
    }
    if (how != SHUT_RD)
        user_fin(pcb);
    sock_wakeup(so);
    return 0;
}

static void close_listener(struct tcp_pcb *pcb)
{
    while (pcb->qnext) {
        struct tcp_pcb *c = pcb->qnext;

        tcp_send_rst(c);
        tcp_drop(c, 0);         /* unqueues and frees it */
    }
    unlink_from(&tcp_listeners, pcb);
    tcp_set_state(pcb, TCP_CLOSED);
    pcb_free(pcb);
}

void tcp_close(struct socket *so)
{
    struct tcp_pcb *pcb = so->pcb;

    if (!pcb)
        return;
    so->pcb = 0;
    pcb->so = 0;
    switch (pcb->state) {
    case TCP_LISTEN:
        close_listener(pcb);
        return;
    case TCP_CLOSED:
        pcb_free(pcb);
        return;
    case TCP_SYN_SENT:
        tcp_drop(pcb, 0);
        return;
    default:
        break;
    }
    if (tcp_has_unread(pcb) && !(pcb->flags & TF_SHUT_RD)) {
        tcp_send_rst(pcb);      /* RFC 2525: data the user never read */
        tcp_drop(pcb, 0);
        return;
    }
    tcp_free_rbuf(pcb);
    pcb->flags |= TF_SHUT_RD;
    user_fin(pcb);
    if (pcb->state == TCP_FIN_WAIT_2 && pcb->tmode == TM_NONE) {
        pcb->tmode = TM_FIN_WAIT_2;
        net_timer_arm(&pcb->rexmt, net_now() + TCP_FIN_WAIT_2_NS);
    }
}

int tcp_unsent(void)
{
    int n = 0;

    for (struct tcp_pcb *pcb = tcp_all; pcb; pcb = pcb->next) {
        switch (pcb->state) {
        case TCP_FIN_WAIT_1:
        case TCP_CLOSING:
        case TCP_LAST_ACK:
            n++;                /* our FIN is not acknowledged yet */
            break;
        case TCP_ESTABLISHED:
        case TCP_CLOSE_WAIT:
            if (pcb->sb_len || pcb->snd_una != pcb->snd_max)
                n++;
            break;
        }
    }
    return n;
}

int tcp_poll(struct socket *so)
{
    struct tcp_pcb *pcb = so->pcb, *c;
    int r = 0;

    if (!pcb)
        return POLLNVAL;
    if (pcb->state == TCP_LISTEN) {
        for (c = pcb->qnext; c; c = c->qnext)
            if (c->flags & TF_COMPLETED)
                return POLLIN;
        return 0;
    }
    if (pcb->err)
        return POLLERR | POLLHUP | POLLIN | POLLOUT;
    if (pcb->rb_len > 0 || (pcb->flags & (TF_RCVD_FIN | TF_SHUT_RD)))
        r |= POLLIN;
    /* As Linux: hung up only when both directions are done, nothing more
     * can arrive (the peer's FIN or SHUT_RD) and we send no more (our FIN
     * is queued).  EOF alone is POLLIN: the other direction may still have
     * a lot to send, and waits for POLLOUT like any other. */
    if ((pcb->flags & (TF_RCVD_FIN | TF_SHUT_RD)) && (pcb->flags & TF_FIN_QUEUED))
        r |= POLLHUP;
    switch (pcb->state) {
    case TCP_CLOSED:
        r |= POLLHUP | ((pcb->flags & TF_CONNECTED) ? POLLIN : 0);
        break;
    case TCP_ESTABLISHED:
    case TCP_CLOSE_WAIT:
        if ((pcb->flags & TF_FIN_QUEUED) || pcb->sb_len < TCP_SNDBUF)
            r |= POLLOUT;
        break;
    case TCP_SYN_SENT:
    case TCP_SYN_RCVD:
        break;
    default:
        r |= POLLOUT;           /* FIN sent: send fails at once with EPIPE */
        break;
    }
    return r;
}

int tcp_getname(struct socket *so, int peer, uint32_t *ip, uint16_t *port)
{
    struct tcp_pcb *pcb = so->pcb;

    if (peer) {
        if (!synchronized(pcb->state))
            return -ENOTCONN;
        *ip = pcb->rip;
        *port = pcb->rport;
    } else {
        *ip = pcb->lip;
        *port = pcb->lport;
    }
    return 0;
}
