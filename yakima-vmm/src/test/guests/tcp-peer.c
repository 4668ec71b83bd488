/*
 * tcp-peer: the far end for tcp-probe.  Prints "peer up" once listening on
 *
 *   6000  rude: accept, read 1 byte, close with the rest unread (RST)
 *   6002  slow: accept, sleep 5 s without reading (the sender's window
 *         closes), then read to EOF and answer with the byte count
 *
 *   6003  vanish: only listens (the handshake completes unaccepted); the
 *         test destroys this VM while tcp-probe is connected there
 *
 * and nothing on 6001 (a SYN there is answered with RST).  Serves one
 * connection on each, prints its TCP counters ("peer stats ..."), and 61 s
 * later how many connections are still open (the slow one, which it closed
 * first, was in TIME_WAIT for 2 * MSL = 60 s), then idles.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <ilwaco/net.h>
#include <ilwaco/thread.h>
#include <netinet/in.h>
#include <sys/socket.h>

static uint8_t buf[2048];

static int listener(uint16_t port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 4) < 0) {
        printf("peer: listen on %u failed, errno %d\n", port, errno);
        return -1;
    }
    return fd;
}

static void rude(int lfd)
{
    int fd = accept(lfd, 0, 0);

    printf("peer: rude read %d byte\n", (int)recv(fd, buf, 1, 0));
    close(fd);
}

static void slow(int lfd)
{
    int fd = accept(lfd, 0, 0);
    uint32_t n = 0;
    ssize_t r;
    char reply[16];

    thread_sleep_ns(5000000000ull);
    while ((r = recv(fd, buf, sizeof buf, 0)) > 0)
        n += (uint32_t)r;
    snprintf(reply, sizeof reply, "%u", (unsigned)n);
    send(fd, reply, strlen(reply), 0);
    close(fd);
    printf("peer: slow read %u bytes\n", (unsigned)n);
}

int main(void)
{
    int l0 = listener(6000), l2 = listener(6002), l3 = listener(6003);
    struct net_stats s;

    if (l0 < 0 || l2 < 0 || l3 < 0)
        return 1;
    printf("peer up\n");
    rude(l0);
    slow(l2);
    net_get_stats(&s);
    printf("peer stats in=%u out=%u rst_out=%u drops=%u dup_in=%u open=%u\n", (unsigned)s.tcp_in,
           (unsigned)s.tcp_out, (unsigned)s.tcp_rst_out, (unsigned)s.tcp_drops, (unsigned)s.tcp_dup_in,
           (unsigned)s.tcp_conns_open);
    thread_sleep_ns(61000000000ull);
    net_get_stats(&s);
    printf("peer later open=%u\n", (unsigned)s.tcp_conns_open);
    accept(l0, 0, 0);           /* idle for good */
    return 0;
}
