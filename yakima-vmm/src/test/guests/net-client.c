/*
 * net-client: exercises Ilwaco's stack against a net-node on VM PEER
 * (10.0.0.1 + PEER) and over loopback, printing one line per check:
 *   ping (ARP resolves first), the ARP cache, UDP echo of datagrams of
 *   0..1472 bytes compared byte for byte, a datagram to a closed port
 *   (ICMP port unreachable: ECONNREFUSED on a connected socket), UDP and
 *   ping over loopback, poll with a timeout, a full receive queue,
 *   O_NONBLOCK, SO_RCVTIMEO, close() under a blocked recv(), an address
 *   nobody answers ARP for (10.0.0.250), then asks the node to print its
 *   counters.  Exits 0 when every check passed, 1 otherwise.
 *   -DPEER=n  the node's VM id (default 1)
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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
#define SEC 1000000000ull

static uint8_t out[1500], in[1500];

static int udp_socket(void)
{
    struct timeval tv = {2, 0};
    int fd = socket(AF_INET, SOCK_DGRAM, 0);

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

static void pings(uint32_t peer)
{
    uint8_t mac[6];
    int64_t rtt;

    check(!net_arp_lookup(peer, mac), "arp: peer unknown before the first ping");
    for (int seq = 1; seq <= 3; seq++) {
        rtt = net_ping(peer, (uint16_t)seq, 56, 2 * SEC);
        printf("ping seq=%d %s\n", seq, rtt > 0 ? "replied" : "failed");
        check(rtt > 0, "ping: reply time positive");
    }
    check(net_ping(peer, 9, 1472, 2 * SEC) > 0, "ping: 1472 bytes of data");
    check(net_arp_lookup(peer, mac) && mac[0] == 2 && mac[5] == PEER, "arp: peer resolved to 02:00:00:00:00:PEER");
    check(net_ping(htonl(INADDR_LOOPBACK), 1, 8, SEC) > 0, "ping: 127.0.0.1");
    check(net_ping(net_local_ip(), 1, 8, SEC) > 0, "ping: own address");
}

static void udp_echo(uint32_t peer)
{
    static const size_t sizes[] = {0, 1, 100, 1024, 1472};
    struct sockaddr_in to = addr(peer, 7), from;
    int fd = udp_socket();
    char what[64];

    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        socklen_t flen = sizeof from;
        for (size_t j = 0; j < n; j++)
            out[j] = (uint8_t)(j * 7 + i);
        ssize_t s = sendto(fd, out, n, 0, (struct sockaddr *)&to, sizeof to);
        ssize_t r = recvfrom(fd, in, sizeof in, 0, (struct sockaddr *)&from, &flen);
        snprintf(what, sizeof what, "udp echo of %u bytes", (unsigned)n);
        check(s == (ssize_t)n && r == (ssize_t)n && memcmp(in, out, n) == 0 && from.sin_addr.s_addr == peer
              && from.sin_port == htons(7), what);
    }
    check(sendto(fd, out, 1473, 0, (struct sockaddr *)&to, sizeof to) < 0 && errno == EMSGSIZE,
          "udp: 1473 bytes is EMSGSIZE");
    close(fd);
}

static void closed_port(uint32_t peer)
{
    struct sockaddr_in to = addr(peer, 9999);
    int fd = udp_socket();

    check(sendto(fd, "x", 1, 0, (struct sockaddr *)&to, sizeof to) == 1, "udp: send to a closed port");
    close(fd);
    fd = udp_socket();
    check(connect(fd, (struct sockaddr *)&to, sizeof to) == 0, "udp: connect to a closed port");
    check(send(fd, "y", 1, 0) == 1, "udp: connected send");
    check(recv(fd, in, sizeof in, 0) < 0 && errno == ECONNREFUSED, "udp: connected socket sees ECONNREFUSED");
    close(fd);
}

static void loopback(void)
{
    struct sockaddr_in lo = addr(htonl(INADDR_LOOPBACK), 5000), got, from;
    socklen_t len = sizeof got, flen = sizeof from;
    int a = udp_socket(), b = udp_socket();
    struct pollfd p = {a, POLLIN, 0};

    check(bind(a, (struct sockaddr *)&lo, sizeof lo) == 0, "udp: bind 127.0.0.1:5000");
    check(bind(b, (struct sockaddr *)&lo, sizeof lo) < 0 && errno == EADDRINUSE, "udp: second bind is EADDRINUSE");
    check(poll(&p, 1, 50) == 0 && p.revents == 0, "poll: times out with nothing to read");
    check(sendto(b, "loop", 4, 0, (struct sockaddr *)&lo, sizeof lo) == 4, "udp: send over loopback");
    check(poll(&p, 1, 1000) == 1 && (p.revents & POLLIN), "poll: readable after the send");
    check(recvfrom(a, in, sizeof in, MSG_DONTWAIT, (struct sockaddr *)&from, &flen) == 4 && memcmp(in, "loop", 4) == 0,
          "udp: received over loopback");
    check(getsockname(b, (struct sockaddr *)&got, &len) == 0 && ntohs(got.sin_port) >= 49152
          && from.sin_port == got.sin_port, "udp: ephemeral port of the sender");
    check(recv(a, in, sizeof in, MSG_DONTWAIT) < 0 && errno == EAGAIN, "udp: nothing more: EAGAIN");
    close(a);
    close(b);
    check(close(a) < 0 && errno == EBADF, "close twice: EBADF");
}

static void queue_full(void)
{
    struct sockaddr_in lo = addr(htonl(INADDR_LOOPBACK), 5001);
    int a = udp_socket(), b = udp_socket(), got = 0;
    struct net_stats before, after;

    bind(a, (struct sockaddr *)&lo, sizeof lo);
    net_get_stats(&before);
    for (int i = 0; i < 40; i++)
        sendto(b, &i, sizeof i, 0, (struct sockaddr *)&lo, sizeof lo);
    thread_sleep_ns(10000000);                  /* netd delivers them all */
    for (int i = 0, v; recv(a, &v, sizeof v, MSG_DONTWAIT) == sizeof v; i++)
        got += v == i;
    net_get_stats(&after);
    printf("queue: %d of 40 in order, %u dropped\n", got, after.udp_queue_drops - before.udp_queue_drops);
    check(got == 32 && after.udp_queue_drops - before.udp_queue_drops == 8, "udp: a full receive queue drops and counts");
    close(a);
    close(b);
}

static void *blocked_reader(void *arg)
{
    int fd = *(int *)arg;
    struct timeval forever = {0, 0};

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &forever, sizeof forever);
    ssize_t r = recv(fd, in, sizeof in, 0);
    return (void *)(intptr_t)(r < 0 ? errno : 0);
}

static void blocking(void)
{
    struct timeval tv = {0, 100000};
    int fd = udp_socket();
    uint64_t t0;
    thread_t *t;
    void *result;

    check(fcntl(fd, F_SETFL, O_NONBLOCK) == 0 && fcntl(fd, F_GETFL) == O_NONBLOCK, "fcntl: O_NONBLOCK set");
    check(recv(fd, in, sizeof in, 0) < 0 && errno == EAGAIN, "recv on O_NONBLOCK: EAGAIN");
    fcntl(fd, F_SETFL, 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    t0 = denali_time_ns();
    check(recv(fd, in, sizeof in, 0) < 0 && errno == EAGAIN && denali_time_ns() - t0 >= 100000000ull,
          "recv with SO_RCVTIMEO 100 ms: EAGAIN after 100 ms");
    thread_create(&t, blocked_reader, &fd);
    thread_sleep_ns(10000000);                  /* the reader blocks in recv */
    check(close(fd) == 0, "close under a blocked recv");
    thread_join(t, &result);
    check((intptr_t)result == EBADF, "the blocked recv fails with EBADF");
}

static void unreachable(void)
{
    uint32_t nobody = htonl(0x0A0000FAu);       /* 10.0.0.250: no such VM */
    struct sockaddr_in to = addr(nobody, 7);
    int fd = udp_socket();
    struct net_stats s;
    uint8_t mac[6];

    check(sendto(fd, "lost", 4, 0, (struct sockaddr *)&to, sizeof to) == 4, "udp: send to an unresolved address");
    int64_t r = net_ping(nobody, 1, 8, 10 * SEC);
    printf("ping 10.0.0.250: %d\n", (int)r);
    check(r == -EHOSTUNREACH, "ping: nobody answers ARP: EHOSTUNREACH");
    check(!net_arp_lookup(nobody, mac), "arp: 10.0.0.250 not resolved");
    net_get_stats(&s);
    printf("arp_timeouts=%u arp_queue_drops=%u\n", s.arp_timeouts, s.arp_queue_drops);
    check(s.arp_timeouts == 1 && s.arp_queue_drops == 2, "arp: one timeout, the datagram and the ping dropped");
    close(fd);
}

static void node_stats(uint32_t peer)
{
    struct sockaddr_in to = addr(peer, 7);
    int fd = udp_socket();

    check(sendto(fd, "pingback", 8, 0, (struct sockaddr *)&to, sizeof to) == 8 && recv(fd, in, sizeof in, 0) == 7
          && memcmp(in, "pong ok", 7) == 0, "the node pinged us back and holds our MAC");
    check(sendto(fd, "stats", 5, 0, (struct sockaddr *)&to, sizeof to) == 5 && recv(fd, in, sizeof in, 0) == 2,
          "node printed its counters");
    close(fd);
}

int main(void)
{
    uint32_t peer = vm_ip(PEER);
    struct net_stats s;

    check(net_start() == 0, "net_start");
    pings(peer);
    udp_echo(peer);
    closed_port(peer);
    loopback();
    queue_full();
    blocking();
    unreachable();
    node_stats(peer);
    net_get_stats(&s);
    printf("client stats rx_bad=%u udp_in=%u udp_out=%u arp_requests=%u icmp_echo_out=%u\n", s.rx_bad, s.udp_in,
           s.udp_out, s.arp_requests, s.icmp_echo_out);
    printf("client done, %d failures\n", failures);
    return failures ? 1 : 0;
}
