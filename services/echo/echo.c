/*
 * services/echo/echo.c - the echo service (RFC 862) on port 7, UDP and TCP.
 *
 * One thread and one poll() loop over the UDP socket, the TCP listener and
 * the TCP connections (all non-blocking).  UDP: every datagram goes back
 * to its sender as it came.  TCP: whatever a client sends comes back on the
 * same connection, in order; a connection reads again only once what it
 * read has all been sent (so a client that does not read stops being read,
 * and nothing queues up here).  When the client closes its side, what is
 * left is sent and the connection closed.  A connection with no traffic
 * for ECHO_IDLE_NS is closed.  Buffers are allocated when first needed and
 * a connection's is freed when it empties.
 */
#include <errno.h>
#include <fcntl.h>
#include <ilwaco.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ECHO_PORT       7
#define ECHO_MAX_CONNS  64
#define ECHO_BUF        2048            /* per connection, while it holds data */
#define ECHO_DGRAM_MAX  2048            /* > 1472, the largest unfragmented */
#define ECHO_IDLE_NS    (60ull * 1000000000ull)

struct conn {
    int fd;
    int peer_eof;
    char *buf;                  /* [off, len) still to send back */
    uint32_t off, len;
    uint64_t deadline;
};

static struct {
    uint32_t udp_in, udp_out, udp_send_failed;
    uint32_t accepted, closed, accept_failed, at_limit, timeouts, resets;
} st;

static int udp_fd = -1, listen_fd = -1;
static struct conn conns[ECHO_MAX_CONNS];
static int nconns;
static char *dgram;             /* the UDP buffer, allocated at the first datagram */

/* ---- sockets ------------------------------------------------------------------ */

static int bound_socket(int type)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, type, 0);

    if (fd < 0)
        return -1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(ECHO_PORT);
    a.sin_addr.s_addr = INADDR_ANY;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0
        || (type == SOCK_STREAM && listen(fd, 16) < 0)
        || fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* ---- UDP ------------------------------------------------------------------------ */

/* Echo the datagrams that are waiting. */
static void udp_echo(void)
{
    if (dgram == NULL && (dgram = malloc(ECHO_DGRAM_MAX)) == NULL)
        return;
    for (;;) {
        struct sockaddr_in from;
        socklen_t flen = sizeof from;
        ssize_t n = recvfrom(udp_fd, dgram, ECHO_DGRAM_MAX, 0, (struct sockaddr *)&from, &flen);

        if (n < 0)
            return;                     /* EAGAIN: all done */
        st.udp_in++;
        if (sendto(udp_fd, dgram, (size_t)n, 0, (struct sockaddr *)&from, flen) == n)
            st.udp_out++;
        else
            st.udp_send_failed++;
    }
}

/* ---- TCP ------------------------------------------------------------------------ */

static void conn_close(int i)
{
    close(conns[i].fd);
    free(conns[i].buf);
    conns[i] = conns[--nconns];
    st.closed++;
}

/* Send what is buffered: 0, or -1 when the connection is dead. */
static int conn_flush(struct conn *c, uint64_t now)
{
    while (c->off < c->len) {
        ssize_t n = send(c->fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);

        if (n < 0)
            return errno == EAGAIN ? 0 : -1;
        c->off += (uint32_t)n;
        c->deadline = now + ECHO_IDLE_NS;
    }
    free(c->buf);
    c->buf = NULL;
    c->off = c->len = 0;
    return 0;
}

/* Read, send back, repeat while both go: 0, or -1 to close. */
static int conn_step(struct conn *c, short revents, uint64_t now)
{
    if (revents & POLLNVAL)
        return -1;
    for (;;) {
        ssize_t n;

        if (conn_flush(c, now) < 0) {
            st.resets++;
            return -1;
        }
        if (c->len > 0)
            return 0;                   /* wait for POLLOUT */
        if (c->peer_eof)
            return -1;                  /* all echoed */
        if (!(revents & (POLLIN | POLLHUP | POLLERR)))
            return 0;
        if ((c->buf = malloc(ECHO_BUF)) == NULL)
            return 0;                   /* try again next round */
        n = recv(c->fd, c->buf, ECHO_BUF, 0);
        if (n == 0) {
            c->peer_eof = 1;
        } else if (n < 0) {
            if (errno != EAGAIN) {
                st.resets++;
                return -1;
            }
            revents = 0;                /* drained */
        } else {
            c->len = (uint32_t)n;
            c->deadline = now + ECHO_IDLE_NS;
        }
    }
}

static void accept_some(uint64_t now)
{
    for (;;) {
        int fd;

        if (nconns == ECHO_MAX_CONNS) {
            st.at_limit++;
            return;                     /* the backlog waits for a free slot */
        }
        fd = accept(listen_fd, NULL, NULL);
        if (fd < 0) {
            if (errno != EAGAIN && errno != ECONNABORTED)
                st.accept_failed++;
            return;
        }
        if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
            st.accept_failed++;
            close(fd);
            continue;
        }
        memset(&conns[nconns], 0, sizeof conns[nconns]);
        conns[nconns].fd = fd;
        conns[nconns].deadline = now + ECHO_IDLE_NS;
        nconns++;
        st.accepted++;
    }
}

/* ---- the loop ---------------------------------------------------------------------- */

/* Fill the poll set: [0] UDP, [1] the listener, then the connections; the
 * timeout in ms (-1: none). */
static int prepare(struct pollfd *p, uint64_t now)
{
    uint64_t next = UINT64_MAX;

    p[0] = (struct pollfd){ udp_fd, POLLIN, 0 };
    p[1] = (struct pollfd){ nconns < ECHO_MAX_CONNS ? listen_fd : -1, POLLIN, 0 };
    for (int i = 0; i < nconns; i++) {
        /* at EOF a connection is here only while its last echo goes out:
         * POLLOUT, not POLLIN (which stays set at EOF) */
        p[i + 2] = (struct pollfd){ conns[i].fd, conns[i].len ? POLLOUT : POLLIN, 0 };
        if (conns[i].deadline < next)
            next = conns[i].deadline;
    }
    if (next == UINT64_MAX)
        return -1;
    return next <= now ? 0 : (int)((next - now + 999999) / 1000000);
}

int main(void)
{
    struct pollfd p[ECHO_MAX_CONNS + 2];

    udp_fd = bound_socket(SOCK_DGRAM);
    listen_fd = bound_socket(SOCK_STREAM);
    if (udp_fd < 0 || listen_fd < 0) {
        printf("echo: cannot open port %d: errno %d\n", ECHO_PORT, errno);
        return 1;
    }
    printf("echo: UDP and TCP port %d\n", ECHO_PORT);
    for (;;) {
        uint64_t now = denali_time_ns();
        int timeout = prepare(p, now);
        int n = nconns;

        if (poll(p, (nfds_t)n + 2, timeout) < 0) {
            printf("echo: poll: errno %d\n", errno);
            return 1;
        }
        now = denali_time_ns();
        if (p[0].revents)
            udp_echo();
        for (int i = n; i-- > 0;) {     /* last first: conn_close fills the hole from the end */
            if (conn_step(&conns[i], p[i + 2].revents, now) < 0) {
                conn_close(i);
            } else if (now >= conns[i].deadline) {
                st.timeouts++;
                conn_close(i);
            }
        }
        if (p[1].revents & POLLIN)
            accept_some(now);
    }
}
