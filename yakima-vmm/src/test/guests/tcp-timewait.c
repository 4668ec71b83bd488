/*
 * tcp-timewait: a server that closes its connections first, many more times
 * than Ilwaco keeps connections in TIME_WAIT (TCP_TIME_WAIT_MAX).
 *
 *   -DSERVER    listen on 5004; CONNS times, one after another: accept,
 *               read the request "n\n", answer "reply n\n" and close at
 *               once, before the client does: this side goes through
 *               FIN_WAIT to TIME_WAIT when the client's FIN comes.  After
 *               every accept it reads the counters and keeps the most
 *               connections in TIME_WAIT it saw.  At the end it waits (at
 *               most 5 s of VM time) until every connection has entered
 *               TIME_WAIT, counted as in it or recycled out of it.  Prints
 *               "tw server done: C connections, F failures" and
 *               "tw server stats time_wait=... peak=... recycled=...".
 *   -DHOLD      (with SERVER) instead of closing, shutdown(SHUT_WR), read to
 *               EOF (the client's FIN: TIME_WAIT) and keep the socket; at
 *               the end ask getpeername of each: a recycled connection is
 *               CLOSED (ENOTCONN).  Prints "tw server held: R recycled, K in
 *               TIME_WAIT, oldest first: yes|no" - yes if exactly the first
 *               R connections were recycled.  CONNS must fit the sockets.
 *   (otherwise) CONNS connections to VM PEER, one after another: send
 *               "n\n", read to EOF, check the answer, then close.  Prints
 *               "tw client done: C ok, F failures" and its counters.
 *   -DCONNS=n   default 200             -DPEER=n  default 1
 */
#include "guest-net-util.h"

#include <ilwaco/net.h>
#include <ilwaco/thread.h>

#ifndef CONNS
#define CONNS 200
#endif
#ifndef PEER
#define PEER 1
#endif
#define PORT 5004

static uint32_t peak;
#ifdef HOLD
static int held[CONNS];
#endif

static void sample(struct net_stats *s)
{
    net_get_stats(s);
    if (s->tcp_time_wait > peak)
        peak = s->tcp_time_wait;
}

static void stats(const char *who)
{
    struct net_stats s;

    sample(&s);
    printf("tw %s stats time_wait=%u peak=%u recycled=%u open=%u rst_out=%u backlog_drops=%u drops=%u "
           "retransmits=%u\n", who, (unsigned)s.tcp_time_wait, (unsigned)peak,
           (unsigned)s.tcp_time_wait_recycled, (unsigned)s.tcp_conns_open, (unsigned)s.tcp_rst_out,
           (unsigned)s.tcp_backlog_drops, (unsigned)s.tcp_drops, (unsigned)s.tcp_retransmits);
}

/* Reads until EOF or len - 1 bytes; the bytes read (NUL-terminated), or -1. */
static int read_all(int fd, char *buf, int len)
{
    int got = 0;

    while (got < len - 1) {
        ssize_t r = recv(fd, buf + got, (size_t)(len - 1 - got), 0);
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (int)r;
    }
    buf[got] = 0;
    return got;
}

#ifdef SERVER
int main(void)
{
    struct sockaddr_in a = addr(0, PORT);
    struct net_stats s;
    int lfd = socket(AF_INET, SOCK_STREAM, 0), served = 0;
    char req[32], want[32], reply[32];

    if (bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(lfd, 8) < 0) {
        printf("tw server: listen failed, errno %d\n", errno);
        return 1;
    }
    printf("tw server listening\n");
    for (int i = 0; i < CONNS; i++) {
        int fd = accept(lfd, 0, 0), got = 0;

        sample(&s);
        if (fd < 0) {
            printf("tw server: accept %d: errno %d\n", i, errno);
            failures++;
            continue;
        }
        /* the request is one line */
        while (got < (int)sizeof req - 1 && (got == 0 || req[got - 1] != '\n')) {
            ssize_t r = recv(fd, req + got, sizeof req - 1 - (size_t)got, 0);
            if (r <= 0)
                break;
            got += (int)r;
        }
        req[got] = 0;
        snprintf(want, sizeof want, "%d\n", i);
        if (strcmp(req, want) != 0) {
            printf("tw server: connection %d sent '%s'\n", i, req);
            failures++;
        }
        int n = snprintf(reply, sizeof reply, "reply %d\n", i);
        if (send(fd, reply, (size_t)n, 0) != n) {
            printf("tw server: send %d: errno %d\n", i, errno);
            failures++;
        }
#ifdef HOLD
        shutdown(fd, SHUT_WR);  /* first: this side will hold the TIME_WAIT */
        if (read_all(fd, req, sizeof req) != 0) {
            printf("tw server: connection %d: no EOF, errno %d\n", i, errno);
            failures++;
        }
        held[i] = fd;
#else
        close(fd);              /* first: this side will hold the TIME_WAIT */
#endif
        served++;
    }
    /* The last FINs may still be on their way. */
    for (int t = 0; t < 500; t++) {
        sample(&s);
        if (s.tcp_time_wait + s.tcp_time_wait_recycled >= (uint32_t)served)
            break;
        thread_sleep_ns(10 * 1000000ull);
    }
#ifdef HOLD
    {
        int recycled = 0, kept = 0, ordered = 1;

        for (int i = 0; i < CONNS; i++) {
            struct sockaddr_in peer;
            socklen_t len = sizeof peer;

            if (getpeername(held[i], (struct sockaddr *)&peer, &len) == 0) {
                kept++;
            } else {
                ordered &= errno == ENOTCONN && kept == 0;   /* no recycled one after a kept one */
                recycled++;
            }
        }
        printf("tw server held: %d recycled, %d in TIME_WAIT, oldest first: %s\n", recycled, kept,
               ordered ? "yes" : "no");
    }
#endif
    printf("tw server done: %d connections, %d failures\n", served, failures);
    stats("server");
    return failures == 0 && served == CONNS ? 0 : 1;
}
#else
int main(void)
{
    int ok = 0;
    char req[32], want[32], got[64];

    for (int i = 0; i < CONNS; i++) {
        int fd = i == 0 ? connect_retrying(vm_ip(PEER), PORT) : connect_to(vm_ip(PEER), PORT), n;

        if (fd < 0) {
            printf("tw client: connect %d: errno %d\n", i, errno);
            failures++;
            continue;
        }
        n = snprintf(req, sizeof req, "%d\n", i);
        got[0] = 0;
        snprintf(want, sizeof want, "reply %d\n", i);
        if (send(fd, req, (size_t)n, 0) != n) {
            printf("tw client: send %d: errno %d\n", i, errno);
            failures++;
        } else if (read_all(fd, got, sizeof got) < 0 || strcmp(got, want) != 0) {
            printf("tw client: connection %d: errno %d, got '%s'\n", i, errno, got);
            failures++;
        } else {
            ok++;
        }
        close(fd);              /* second: the server closed first */
    }
    printf("tw client done: %d ok, %d failures\n", ok, failures);
    stats("client");
    return ok == CONNS && failures == 0 ? 0 : 1;
}
#endif
