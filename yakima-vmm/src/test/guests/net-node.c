/*
 * net-node: a VM with Ilwaco's network stack started, serving UDP port 7:
 * every datagram is echoed to its sender, except "stats", which is answered
 * by printing this VM's counters ("node stats ...") and sending "ok" back,
 * and "pingback", answered by pinging the sender and sending "pong ok"
 * when the reply came and ARP holds the sender's MAC ("pong failed" if not).
 * It prints "node up" once its socket is bound, then only blocks.
 *   -DSPIN   the server runs in a thread while main spins forever (for(;;))
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ilwaco/net.h>
#include <ilwaco/thread.h>
#include <netinet/in.h>
#include <sys/socket.h>

static uint8_t buf[1500];

static void print_stats(void)
{
    struct net_stats s;

    net_get_stats(&s);
    printf("node stats rx_bad=%u rx_not_for_us=%u ip_fragments=%u udp_no_port=%u udp_queue_drops=%u"
           " icmp_echo_in=%u icmp_echo_out=%u arp_requests=%u arp_replies=%u arp_timeouts=%u tx_full=%u\n",
           s.rx_bad, s.rx_not_for_us, s.ip_fragments, s.udp_no_port, s.udp_queue_drops, s.icmp_echo_in,
           s.icmp_echo_out, s.arp_requests, s.arp_replies, s.arp_timeouts, s.tx_full);
}

static void *serve(void *arg)
{
    struct sockaddr_in me = {AF_INET, htons(7), {INADDR_ANY}}, from;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);

    if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof me) != 0) {
        printf("node: socket/bind failed: errno %d\n", errno);
        exit(1);
    }
    printf("node up\n");
    for (;;) {
        socklen_t flen = sizeof from;
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
        if (n < 0) {
            printf("node: recvfrom failed: errno %d\n", errno);
            exit(1);
        }
        if (n == 5 && memcmp(buf, "stats", 5) == 0) {
            print_stats();
            memcpy(buf, "ok", 2);
            n = 2;
        } else if (n == 8 && memcmp(buf, "pingback", 8) == 0) {
            uint8_t mac[6];
            int64_t rtt = net_ping(from.sin_addr.s_addr, 1, 56, 2000000000ull);
            int ok = rtt > 0 && net_arp_lookup(from.sin_addr.s_addr, mac);
            n = ok ? 7 : 11;
            memcpy(buf, ok ? "pong ok" : "pong failed", (size_t)n);
        }
        if (sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, flen) != n)
            printf("node: sendto failed: errno %d\n", errno);
    }
    return 0;
}

int main(void)
{
#ifdef SPIN
    thread_create(0, serve, 0);
    for (;;)
        ;
#else
    serve(0);
#endif
    return 0;
}
