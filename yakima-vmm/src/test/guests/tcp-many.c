/*
 * tcp-many: CONNS concurrent TCP connections between two VMs, each in one
 * poll() loop on one thread.
 *
 *   -DSERVER    listen on 5002 (backlog 128); echo whatever arrives on each
 *               connection; close it at EOF.  After CONNS connections have
 *               ended, print "many server done: C connections, B bytes".
 *   (otherwise) open CONNS nonblocking connections to VM PEER at once;
 *               connection i sends 3000 + 37 * i bytes of its own pattern
 *               in pieces of at most 1000, then shutdown(SHUT_WR), and
 *               checks that the echo is the same bytes, then EOF.  Prints
 *               "many client done: C ok, F failures".
 *   -DCONNS=n   default 100             -DPEER=n  default 1
 * Both print "many stats ..." (their TCP counters) last.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <ilwaco/net.h>
#include <netinet/in.h>
#include <sys/socket.h>

#ifndef CONNS
#define CONNS 100
#endif
#ifndef PEER
#define PEER 1
#endif
#define PORT 5002
#define MAX_TURNS 200000

static struct pollfd pfd[CONNS + 1];
static uint8_t buf[4096];

static void stats(void)
{
    struct net_stats s;

    net_get_stats(&s);
    printf("many stats in=%u out=%u retransmits=%u fast_retransmits=%u dup_in=%u ooo_in=%u drops=%u "
           "rst_out=%u backlog_drops=%u tx_full=%u arp_queue_drops=%u open=%u\n",
           (unsigned)s.tcp_in, (unsigned)s.tcp_out, (unsigned)s.tcp_retransmits,
           (unsigned)s.tcp_fast_retransmits, (unsigned)s.tcp_dup_in, (unsigned)s.tcp_ooo_in,
           (unsigned)s.tcp_drops, (unsigned)s.tcp_rst_out, (unsigned)s.tcp_backlog_drops,
           (unsigned)s.tx_full, (unsigned)s.arp_queue_drops, (unsigned)s.tcp_conns_open);
}

#ifdef SERVER
int main(void)
{
    struct sockaddr_in a;
    int lfd = socket(AF_INET, SOCK_STREAM, 0), ended = 0, open = 0;
    uint32_t bytes = 0;

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(PORT);
    if (bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(lfd, 128) < 0) {
        printf("many server: listen failed, errno %d\n", errno);
        return 1;
    }
    fcntl(lfd, F_SETFL, O_NONBLOCK);
    for (int i = 1; i <= CONNS; i++)
        pfd[i].fd = -1;
    pfd[0].fd = lfd;
    pfd[0].events = POLLIN;
    printf("many server listening\n");
    for (int turn = 0; turn < MAX_TURNS && ended < CONNS; turn++) {
        if (poll(pfd, CONNS + 1, 10000) <= 0) {
            printf("many server: poll gave nothing for 10 s\n");
            return 1;
        }
        if (pfd[0].revents & POLLIN) {
            int fd;
            while (open < CONNS && (fd = accept(lfd, 0, 0)) >= 0) {
                for (int i = 1; i <= CONNS; i++) {
                    if (pfd[i].fd < 0) {
                        pfd[i].fd = fd;
                        pfd[i].events = POLLIN;
                        pfd[i].revents = 0;
                        open++;
                        break;
                    }
                }
            }
        }
        for (int i = 1; i <= CONNS; i++) {
            ssize_t r;

            if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLERR | POLLHUP)))
                continue;
            r = recv(pfd[i].fd, buf, sizeof buf, MSG_DONTWAIT);
            if (r > 0) {
                if (send(pfd[i].fd, buf, (size_t)r, 0) != r)
                    printf("many server: echo failed, errno %d\n", errno);
                bytes += (uint32_t)r;
            } else if (r == 0 || errno != EAGAIN) {
                if (r < 0)
                    printf("many server: recv failed, errno %d\n", errno);
                close(pfd[i].fd);
                pfd[i].fd = -1;
                open--;
                ended++;
            }
        }
    }
    printf("many server done: %d connections, %u bytes\n", ended, (unsigned)bytes);
    stats();
    return ended == CONNS ? 0 : 1;
}
#else
struct conn {
    uint32_t total, sent, got;
    int done, bad;
};
static struct conn c[CONNS];

static uint8_t pattern(int i, uint32_t k)
{
    return (uint8_t)(k * 13 + (uint32_t)i * 101 + (k >> 9));
}

int main(void)
{
    struct sockaddr_in a;
    int ended = 0, ok = 0, failures = 0;

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(PORT);
    a.sin_addr.s_addr = htonl(0x0a000001u + PEER);
    for (int i = 0; i < CONNS; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);

        fcntl(fd, F_SETFL, O_NONBLOCK);
        if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0 || errno != EINPROGRESS)
            printf("many client: connect %d: errno %d\n", i, errno);
        pfd[i].fd = fd;
        pfd[i].events = POLLIN | POLLOUT;
        c[i].total = 3000 + 37 * (uint32_t)i;
    }
    for (int turn = 0; turn < MAX_TURNS && ended < CONNS; turn++) {
        if (poll(pfd, CONNS, 10000) <= 0) {
            printf("many client: poll gave nothing for 10 s\n");
            break;
        }
        for (int i = 0; i < CONNS; i++) {
            struct conn *k = &c[i];
            short ev = pfd[i].revents;
            ssize_t r;

            if (pfd[i].fd < 0 || !ev)
                continue;
            if ((ev & POLLOUT) && k->sent < k->total) {
                uint32_t n = k->total - k->sent < 1000 ? k->total - k->sent : 1000;
                for (uint32_t j = 0; j < n; j++)
                    buf[j] = pattern(i, k->sent + j);
                r = send(pfd[i].fd, buf, n, MSG_DONTWAIT);
                if (r > 0)
                    k->sent += (uint32_t)r;
                if (k->sent == k->total) {
                    shutdown(pfd[i].fd, SHUT_WR);
                    pfd[i].events = POLLIN;
                }
            }
            if (ev & (POLLIN | POLLERR | POLLHUP)) {
                r = recv(pfd[i].fd, buf, sizeof buf, MSG_DONTWAIT);
                for (ssize_t j = 0; j < r; j++)
                    k->bad += buf[j] != pattern(i, k->got + (uint32_t)j);
                if (r > 0) {
                    k->got += (uint32_t)r;
                } else if (r == 0 || errno != EAGAIN) {
                    if (r == 0 && k->got == k->total && k->sent == k->total && !k->bad) {
                        ok++;
                    } else {
                        printf("many client: connection %d: r %d errno %d sent %u got %u of %u bad %d\n", i,
                               (int)r, errno, (unsigned)k->sent, (unsigned)k->got, (unsigned)k->total, k->bad);
                        failures++;
                    }
                    close(pfd[i].fd);
                    pfd[i].fd = -1;
                    ended++;
                }
            }
        }
    }
    printf("many client done: %d ok, %d failures\n", ok, failures + (CONNS - ended));
    stats();
    return ok == CONNS ? 0 : 1;
}
#endif
