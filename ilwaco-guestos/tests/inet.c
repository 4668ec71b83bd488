/*
 * tests/inet.c - the network stack's pieces that need no NIC (net/inet.c):
 * the Internet checksum over scattered pieces of odd lengths, dotted-quad
 * text both ways, byte order; and what the socket calls say where there is
 * no NIC (this corpus runs natively and in `yakima run`): ENOSYS to start,
 * EBADF / POLLNVAL for descriptors that were never opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <ilwaco/net.h>
#include <sys/socket.h>
#include "../net/net.h"

static void csum_split(const uint8_t *p, size_t len)
{
    struct net_iov whole = {p, len};
    uint16_t want = net_csum_fold(net_csum_add(0, &whole, 1));
    int same = 1;

    /* every way to cut it in three */
    for (size_t a = 0; a <= len; a++) {
        for (size_t b = a; b <= len; b++) {
            struct net_iov iov[3] = {{p, a}, {p + a, b - a}, {p + b, len - b}};
            if (net_csum_fold(net_csum_add(0, iov, 3)) != want)
                same = 0;
        }
    }
    printf("csum of %u bytes: %04x, same in three pieces: %s\n", (unsigned)len, want, same ? "yes" : "no");
}

static void checksums(void)
{
    /* RFC 1071's example: the sum is ddf2, the checksum its complement */
    static const uint8_t rfc[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    /* an IPv4 header (checksum b861 in place): folds to 0 */
    static const uint8_t ip[] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                                 0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
    static uint8_t big[1501];
    struct net_iov iov = {ip, sizeof ip};

    csum_split(rfc, sizeof rfc);
    csum_split(rfc, 7);
    printf("ip header verifies: %s\n", net_csum_fold(net_csum_add(0, &iov, 1)) == 0 ? "yes" : "no");
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 131 + 7);
    csum_split(big, 61);
    struct net_iov b = {big, sizeof big};
    printf("csum of 1501 bytes: %04x\n", net_csum_fold(net_csum_add(0, &b, 1)));
    printf("pseudo header: %08x\n", (unsigned)net_csum_pseudo(inet_addr("10.0.0.2"), inet_addr("10.0.0.3"), 17, 28));
    printf("all ones: %04x, zero: %04x\n", net_csum_fold(0xffff), net_csum_fold(0));
}

static void text(void)
{
    static const char *const in[] = {"10.0.0.2", "0.0.0.0", "255.255.255.255", "127.0.0.1", "1.2.3",
                                     "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4 ", "", "a.b.c.d", "1..2.3"};
    char buf[INET_ADDRSTRLEN];

    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        struct in_addr a = {0};
        int r = inet_pton(AF_INET, in[i], &a);
        printf("pton \"%s\": %d", in[i], r);
        if (r == 1)
            printf(" -> %s (%08x)", inet_ntop(AF_INET, &a, buf, sizeof buf), ntohl(a.s_addr));
        printf(", inet_addr %08x\n", ntohl(inet_addr(in[i])));
    }
    struct in_addr a = {inet_addr("192.168.100.200")};
    printf("ntop into 16 bytes: %s\n", inet_ntop(AF_INET, &a, buf, 16));
    printf("htons %04x htonl %08x\n", htons(0x1234), htonl(0x12345678));
}

/* Print a call's result and errno (evaluated after the call). */
#define SHOW(what, call)                                          \
    do {                                                          \
        errno = 0;                                                \
        int r_ = (int)(call);                                     \
        printf("%s: %d errno %d\n", what, r_, errno);             \
    } while (0)

static void no_nic(void)
{
    struct pollfd p[2] = {{3, POLLIN, 0}, {-1, POLLIN, 0}};
    struct net_stats s;
    struct in_addr a = {inet_addr("192.168.100.200")};
    uint8_t mac[6];

    printf("net_start: %d\n", net_start());
    printf("net_local_ip: %08x\n", net_local_ip());
    printf("net_ping: %d\n", (int)net_ping(inet_addr("10.0.0.3"), 1, 8, 1000000));
    printf("net_arp_lookup: %d\n", net_arp_lookup(inet_addr("10.0.0.3"), mac));
    SHOW("socket", socket(AF_INET, SOCK_DGRAM, 0));
    SHOW("socket(AF_UNSPEC)", socket(AF_UNSPEC, SOCK_DGRAM, 0));
    SHOW("socket(type 7)", socket(AF_INET, 7, 0));
    SHOW("socket(SOCK_DGRAM, IPPROTO_TCP)", socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP));
    SHOW("close(3)", close(3));
    SHOW("read(1000)", read(1000, mac, 1));
    SHOW("write(-1)", write(-1, mac, 1));
    SHOW("fcntl(3)", fcntl(3, F_GETFL));
    SHOW("poll", poll(p, 2, 0));
    printf("revents %x %x\n", p[0].revents, p[1].revents);
    SHOW("ntop into 15 bytes", inet_ntop(AF_INET, &a, (char *)mac, 15) != 0);
    SHOW("pton AF_UNSPEC", inet_pton(AF_UNSPEC, "1.2.3.4", &a));
    net_get_stats(&s);
    printf("stats: rx %u tx %u\n", s.rx_frames, s.tx_frames);
}

int main(void)
{
    checksums();
    text();
    no_nic();
    return 0;
}
