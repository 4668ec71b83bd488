/*
 * tcp-probe: TCP's failures and flow control against tcp-peer on VM PEER,
 * one line per check, then "probe stats ..." and "probe done, N failures"
 * (exit 0 when all passed).
 *
 *   refused    connect to a port nobody listens on: ECONNREFUSED
 *   reset      the peer closes with our data unread: ECONNRESET on recv,
 *              then EPIPE-or-ECONNRESET on send
 *   window     100,000 bytes to a peer that reads nothing for 5 s: send
 *              blocks on the closed window, probes keep it alive, all
 *              arrives once the peer reads
 *   timeout    connect to 10.0.0.99, which nobody has: ETIMEDOUT after the
 *              SYN was sent TCP_SYN_RETRIES + 1 times (about 63 s)
 *   vanish     connect to the peer's port 6003, print "vanish: connected",
 *              wait 1 s (the test destroys the peer's VM), send 1000 bytes:
 *              recv fails with ETIMEDOUT once the data was resent
 *              TCP_DATA_RETRIES times (about 4 minutes)
 *   -DPEER=n   the peer's VM id (default 1)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <ilwaco.h>
#include <ilwaco/net.h>
#include <ilwaco/thread.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "guest-net-util.h"

#ifndef PEER
#define PEER 1
#endif

static uint8_t buf[100000];

int main(void)
{
    uint32_t peer = vm_ip(PEER);
    struct net_stats s;
    uint64_t t0;
    ssize_t r;
    int fd;
    char reply[16];

    fd = connect_to(peer, 6001);
    check(fd < 0 && errno == ECONNREFUSED, "refused: connect to a closed port gives ECONNREFUSED");

    fd = connect_to(peer, 6000);
    check(fd >= 0 && send(fd, buf, 1000, 0) == 1000, "reset: connected, sent 1000 bytes");
    r = recv(fd, reply, sizeof reply, 0);
    check(r < 0 && errno == ECONNRESET, "reset: the peer closed with data unread: ECONNRESET");
    r = send(fd, buf, 10, 0);
    check(r < 0 && (errno == ECONNRESET || errno == EPIPE), "reset: send fails too");
    close(fd);

    fd = connect_to(peer, 6002);
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)i;
    t0 = denali_time_ns();
    r = send(fd, buf, sizeof buf, 0);
    printf("window: send of %d bytes returned after %u ms\n", (int)r,
           (unsigned)((denali_time_ns() - t0) / 1000000));
    check(r == (ssize_t)sizeof buf, "window: everything sent once the peer read");
    shutdown(fd, SHUT_WR);
    r = recv(fd, reply, sizeof reply - 1, MSG_WAITALL);
    reply[r > 0 ? r : 0] = 0;
    check(strcmp(reply, "100000") == 0, "window: the peer read 100000 bytes");
    close(fd);

    t0 = denali_time_ns();
    fd = connect_to(htonl(0x0a000063u), 80);
    check(fd < 0 && errno == ETIMEDOUT, "timeout: connect to 10.0.0.99 gives ETIMEDOUT");
    printf("timeout after %u s\n", (unsigned)((denali_time_ns() - t0) / 1000000000u));

    fd = connect_to(peer, 6003);
    printf("vanish: connected %d\n", fd >= 0);
    thread_sleep_ns(1000000000ull);
    t0 = denali_time_ns();
    check(send(fd, buf, 1000, 0) == 1000, "vanish: 1000 bytes queued");
    r = recv(fd, reply, sizeof reply, 0);
    check(r < 0 && errno == ETIMEDOUT, "vanish: recv fails with ETIMEDOUT");
    printf("vanish: gave up after %u s\n", (unsigned)((denali_time_ns() - t0) / 1000000000u));
    close(fd);

    net_get_stats(&s);
    printf("probe stats in=%u out=%u retransmits=%u rst_out=%u open=%u\n", (unsigned)s.tcp_in,
           (unsigned)s.tcp_out, (unsigned)s.tcp_retransmits, (unsigned)s.tcp_rst_out, (unsigned)s.tcp_conns_open);
    printf("probe done, %d failures\n", failures);
    return failures ? 1 : 0;
}
