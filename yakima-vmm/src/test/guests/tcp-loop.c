/*
 * tcp-loop: Ilwaco's TCP inside one VM, over loopback (127.0.0.1 and the
 * VM's own address), a server thread and the main thread as client.  One
 * line per check ("ok   ..." / "FAIL ..."), then the TCP counters and
 * "tcp-loop done, N failures"; exits 0 when every check passed.
 *
 *   transfer   200,000 bytes of a pattern in uneven pieces, shutdown(WR),
 *              the server answers with the sum and closes: EOF, sum equal
 *   refused    connect to a port nobody listens on: ECONNREFUSED
 *   reset      the server closes with unread data: RST, ECONNRESET
 *   nonblock   O_NONBLOCK connect (EINPROGRESS), poll for POLLOUT, names;
 *              half-close: EOF is POLLIN (and POLLOUT), POLLHUP only once
 *              both sides have shut down
 *   backlog    listen(1): the second SYN waits, both connect after accepts
 *   crossing   two bound sockets connect to each other at once: the SYNs
 *              cross (simultaneous open), both end ESTABLISHED
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <ilwaco/net.h>
#include <ilwaco/thread.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "guest-net-util.h"

#define PORT 7000
#define TOTAL 200000

static uint8_t buf[4096];
static uint8_t sbuf[4096];

static uint8_t pattern(uint32_t i)
{
    return (uint8_t)(i * 7 + (i >> 8) + 3);
}

static int listener(uint32_t ip, uint16_t port, int backlog)
{
    struct sockaddr_in a = addr(ip, port);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, backlog) < 0) {
        printf("FAIL listener: errno %d\n", errno);
        failures++;
        return -1;
    }
    return fd;
}

/* ---- transfer ------------------------------------------------------------ */

static void *sum_server(void *arg)
{
    int lfd = (int)(intptr_t)arg, fd;
    uint32_t sum = 0, n = 0;
    ssize_t r;
    char reply[32];

    fd = accept(lfd, 0, 0);
    if (fd < 0)
        return (void *)1;
    while ((r = recv(fd, buf, sizeof buf, 0)) > 0) {
        for (ssize_t i = 0; i < r; i++, n++)
            sum = sum * 31 + buf[i] + (buf[i] != pattern(n) ? 1000003 : 0);
    }
    snprintf(reply, sizeof reply, "%u %u", (unsigned)n, (unsigned)sum);
    send(fd, reply, strlen(reply), 0);
    close(fd);
    return r == 0 ? 0 : (void *)2;
}

static void transfer(uint32_t ip, const char *name)
{
    int lfd = listener(ip, PORT, 4), fd;
    thread_t *t;
    void *res;
    uint32_t sum = 0, i = 0, piece = 1;
    char want[32], got[32], what[96];
    ssize_t r;

    thread_create(&t, sum_server, (void *)(intptr_t)lfd);
    fd = connect_to(ip, PORT);
    snprintf(what, sizeof what, "%s: connected", name);
    check(fd >= 0, what);
    while (i < TOTAL) {
        uint32_t n = piece < TOTAL - i ? piece : TOTAL - i;
        for (uint32_t k = 0; k < n; k++) {
            sbuf[k] = pattern(i + k);
            sum = sum * 31 + sbuf[k];
        }
        if (send(fd, sbuf, n, 0) != (ssize_t)n)
            break;
        i += n;
        piece = piece * 3 % 4093 + 1;
    }
    snprintf(what, sizeof what, "%s: sent %u bytes", name, (unsigned)i);
    check(i == TOTAL, what);
    check(shutdown(fd, SHUT_WR) == 0, "shutdown(SHUT_WR)");
    check(send(fd, "x", 1, 0) < 0 && errno == EPIPE, "send after SHUT_WR: EPIPE");
    r = recv(fd, got, sizeof got - 1, MSG_WAITALL);
    got[r > 0 ? r : 0] = 0;
    snprintf(want, sizeof want, "%u %u", (unsigned)TOTAL, (unsigned)sum);
    snprintf(what, sizeof what, "%s: server got every byte in order (%s)", name, got);
    check(strcmp(got, want) == 0, what);
    check(recv(fd, got, sizeof got, 0) == 0, "recv at EOF returns 0");
    close(fd);
    thread_join(t, &res);
    check(res == 0, "server saw EOF after the data");
    close(lfd);
}

/* ---- refused, reset ----------------------------------------------------------- */

static void refused(void)
{
    int fd = connect_to(htonl(INADDR_LOOPBACK), PORT + 1);

    check(fd < 0 && errno == ECONNREFUSED, "connect to a closed port: ECONNREFUSED");
}

static void *rude_server(void *arg)
{
    int lfd = (int)(intptr_t)arg, fd = accept(lfd, 0, 0);
    struct pollfd p = {fd, POLLIN, 0};

    poll(&p, 1, 5000);           /* the data is there, unread */
    close(fd);                   /* unread data: RST */
    return 0;
}

static void reset(void)
{
    int lfd = listener(htonl(INADDR_LOOPBACK), PORT + 2, 1), fd;
    thread_t *t;
    ssize_t r;
    struct pollfd p;

    thread_create(&t, rude_server, (void *)(intptr_t)lfd);
    fd = connect_to(htonl(INADDR_LOOPBACK), PORT + 2);
    check(fd >= 0 && send(fd, "hello", 5, 0) == 5, "reset: connected and sent 5 bytes");
    r = recv(fd, buf, sizeof buf, 0);
    check(r < 0 && errno == ECONNRESET, "peer closed with unread data: ECONNRESET");
    p.fd = fd;
    p.events = POLLIN;
    check(poll(&p, 1, 0) == 1 && (p.revents & POLLERR), "poll after a reset: POLLERR");
    close(fd);
    thread_join(t, 0);
    close(lfd);
}

/* ---- nonblocking connect, names ---------------------------------------------------- */

static void nonblock(void)
{
    uint32_t me = net_local_ip();
    int lfd = listener(0, PORT + 3, 2), fd, afd, err = -1;
    struct sockaddr_in a = addr(me, PORT + 3), b;
    socklen_t len = sizeof b, elen = sizeof err;
    struct pollfd p;

    fd = socket(AF_INET, SOCK_STREAM, 0);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    check(connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno == EINPROGRESS, "nonblocking connect: EINPROGRESS");
    p.fd = fd;
    p.events = POLLOUT;
    p.revents = 0;
    check(poll(&p, 1, 5000) == 1 && (p.revents & POLLOUT), "poll: POLLOUT once connected");
    check(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == 0 && err == 0, "SO_ERROR 0");
    check(recv(fd, buf, 10, 0) < 0 && errno == EAGAIN, "nonblocking recv with nothing: EAGAIN");
    afd = accept(lfd, (struct sockaddr *)&b, &len);
    check(afd >= 0 && b.sin_addr.s_addr == me, "accept: the peer is our own address");
    len = sizeof b;
    check(getsockname(fd, (struct sockaddr *)&b, &len) == 0 && b.sin_addr.s_addr == me
          && ntohs(b.sin_port) >= 49152, "getsockname: own address, ephemeral port");
    len = sizeof b;
    check(getpeername(fd, (struct sockaddr *)&b, &len) == 0 && ntohs(b.sin_port) == PORT + 3, "getpeername");
    check(send(afd, "abc", 3, 0) == 3, "send 3 bytes");
    p.events = POLLIN;
    check(poll(&p, 1, 5000) == 1 && recv(fd, buf, 10, 0) == 3 && memcmp(buf, "abc", 3) == 0, "poll POLLIN, recv 3 bytes");
    /* half-close: the peer shuts down its side but keeps reading */
    check(shutdown(afd, SHUT_WR) == 0, "peer: shutdown(SHUT_WR)");
    p.revents = 0;
    check(poll(&p, 1, 5000) == 1 && recv(fd, buf, 10, 0) == 0, "peer shut down its side: EOF");
    p.events = POLLIN | POLLOUT;
    check(poll(&p, 1, 0) == 1 && p.revents == (POLLIN | POLLOUT),
          "EOF while we can still send: POLLIN | POLLOUT, no POLLHUP");
    p.events = POLLOUT;
    check(poll(&p, 1, 0) == 1 && p.revents == POLLOUT, "asking for POLLOUT only: POLLOUT");
    check(send(fd, "xyz", 3, 0) == 3 && recv(afd, buf, 10, 0) == 3 && memcmp(buf, "xyz", 3) == 0,
          "send after EOF reaches the peer");
    check(shutdown(fd, SHUT_WR) == 0, "shutdown(SHUT_WR) after EOF");
    p.events = POLLIN;
    p.revents = 0;
    check(poll(&p, 1, 0) == 1 && (p.revents & POLLHUP) && (p.revents & POLLIN) && recv(fd, buf, 10, 0) == 0,
          "both sides shut: POLLHUP (and POLLIN, recv 0)");
    p.fd = afd;
    p.revents = 0;
    check(poll(&p, 1, 5000) == 1 && (p.revents & POLLHUP) && recv(afd, buf, 10, 0) == 0,
          "peer: POLLHUP once our FIN arrives");
    close(afd);
    close(fd);
    close(lfd);
}

/* ---- backlog ---------------------------------------------------------------------- */

static void backlog(void)
{
    int lfd = listener(htonl(INADDR_LOOPBACK), PORT + 4, 1), a, b, c1, c2;
    struct sockaddr_in to = addr(htonl(INADDR_LOOPBACK), PORT + 4);
    struct pollfd p[2];

    a = socket(AF_INET, SOCK_STREAM, 0);
    b = socket(AF_INET, SOCK_STREAM, 0);
    fcntl(a, F_SETFL, O_NONBLOCK);
    fcntl(b, F_SETFL, O_NONBLOCK);
    connect(a, (struct sockaddr *)&to, sizeof to);
    connect(b, (struct sockaddr *)&to, sizeof to);
    p[0].fd = a;
    p[1].fd = b;
    p[0].events = p[1].events = POLLOUT;
    p[0].revents = p[1].revents = 0;
    poll(p, 2, 500);
    check((p[0].revents & POLLOUT) && !(p[1].revents & POLLOUT), "backlog 1: the first connects, the second waits");
    c1 = accept(lfd, 0, 0);
    p[1].revents = 0;
    check(poll(&p[1], 1, 10000) == 1 && (p[1].revents & POLLOUT), "after accept the second SYN (resent) gets in");
    c2 = accept(lfd, 0, 0);
    check(c1 >= 0 && c2 >= 0, "both accepted");
    close(a);
    close(b);
    close(c1);
    close(c2);
    close(lfd);
}

/* ---- simultaneous open ---------------------------------------------------------- */

static int bound(uint16_t port)
{
    struct sockaddr_in a = addr(htonl(INADDR_LOOPBACK), port);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    bind(fd, (struct sockaddr *)&a, sizeof a);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    return fd;
}

static void crossing(void)
{
    int a = bound(PORT + 10), b = bound(PORT + 11);
    struct sockaddr_in to_b = addr(htonl(INADDR_LOOPBACK), PORT + 11), to_a = addr(htonl(INADDR_LOOPBACK), PORT + 10);
    struct pollfd p[2];
    int ra, rb;

    /* both SYNs are queued on loopback before netd delivers either */
    ra = connect(a, (struct sockaddr *)&to_b, sizeof to_b);
    rb = connect(b, (struct sockaddr *)&to_a, sizeof to_a);
    check(ra < 0 && rb < 0 && errno == EINPROGRESS, "crossing: both connects in progress");
    p[0].fd = a;
    p[1].fd = b;
    p[0].events = p[1].events = POLLOUT;
    p[0].revents = p[1].revents = 0;
    for (int i = 0; i < 10 && !((p[0].revents & POLLOUT) && (p[1].revents & POLLOUT)); i++) {
        p[0].revents = p[1].revents = 0;
        poll(p, 2, 1000);
    }
    check((p[0].revents & POLLOUT) && (p[1].revents & POLLOUT), "crossing: both connected");
    ra = (int)send(a, "ping", 4, 0);
    rb = (int)send(b, "pong", 4, 0);
    if (ra != 4 || rb != 4)
        printf("crossing: send %d %d errno %d\n", ra, rb, errno);
    check(ra == 4 && rb == 4, "crossing: both sent");
    p[0].events = p[1].events = POLLIN;
    p[0].revents = p[1].revents = 0;
    for (int i = 0; i < 10 && !((p[0].revents & POLLIN) && (p[1].revents & POLLIN)); i++)
        poll(p, 2, 1000);
    check(recv(a, buf, 8, 0) == 4 && memcmp(buf, "pong", 4) == 0 && recv(b, buf, 8, 0) == 4
          && memcmp(buf, "ping", 4) == 0, "crossing: each got the other's bytes");
    close(a);
    close(b);
}

int main(void)
{
    struct net_stats s;

    transfer(htonl(INADDR_LOOPBACK), "127.0.0.1");
    transfer(net_local_ip(), "own address");
    refused();
    reset();
    nonblock();
    backlog();
    crossing();
    net_get_stats(&s);
    printf("tcp stats in=%u out=%u retransmits=%u dup_in=%u ooo_in=%u rst_out=%u backlog_drops=%u drops=%u open=%u rx_bad=%u\n",
           (unsigned)s.tcp_in, (unsigned)s.tcp_out, (unsigned)s.tcp_retransmits, (unsigned)s.tcp_dup_in,
           (unsigned)s.tcp_ooo_in, (unsigned)s.tcp_rst_out, (unsigned)s.tcp_backlog_drops,
           (unsigned)s.tcp_drops, (unsigned)s.tcp_conns_open, (unsigned)s.rx_bad);
    printf("tcp-loop done, %d failures\n", failures);
    return failures ? 1 : 0;
}
