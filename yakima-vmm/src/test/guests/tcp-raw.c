/*
 * tcp-raw: TCP's segment arrival rules seen on the wire.  The client never
 * starts its own stack: it writes TCP segments by hand through NIC_SEND,
 * answers the server's ARP requests itself, and checks each segment the
 * server's Ilwaco TCP sends back (one "ok"/"FAIL" line per check, then
 * "raw done, N failures").
 *
 *   -DSERVER    listen on 6100; take one connection, read until an error
 *               or EOF, print "raw server read <text>, end <errno>" and its
 *               counters ("raw server stats ..."), then keep listening
 *   (otherwise) against VM PEER: SYN to a closed port (RST), handshake
 *               with MSS 1000 (SYN-ACK with MSS 1460), out-of-order data
 *               (an immediate duplicate ACK), the hole filled (ACK of
 *               both), a duplicate (ACK again), a RST inside the window but
 *               not at rcv_nxt and a SYN inside the window (challenge ACKs,
 *               the connection lives on), a RST outside the window and a
 *               segment with a bad checksum (ignored), a RST at rcv_nxt (the
 *               server's recv fails with ECONNRESET), and an ACK to the
 *               connection that is gone (RST).
 *   -DPEER=n    default 1
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <denali/hcall.h>
#include <denali/vregs.h>
#include <ilwaco/net.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "guest-net-util.h"

#ifndef PEER
#define PEER 1
#endif
#define PORT 6100
#define MS 1000000ull

#ifdef SERVER
int main(void)
{
    struct sockaddr_in a;
    int lfd = socket(AF_INET, SOCK_STREAM, 0), fd;
    static char got[256];
    size_t n = 0;
    ssize_t r;
    struct net_stats s;

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(PORT);
    if (bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(lfd, 2) < 0)
        return 1;
    printf("raw server listening\n");
    fd = accept(lfd, 0, 0);
    while ((r = recv(fd, got + n, sizeof got - 1 - n, 0)) > 0)
        n += (size_t)r;
    got[n] = 0;
    printf("raw server read %s, end %d\n", got, r < 0 ? errno : 0);
    close(fd);
    net_get_stats(&s);
    printf("raw server stats rx_bad=%u dup_in=%u ooo_in=%u rst_out=%u drops=%u open=%u\n", (unsigned)s.rx_bad,
           (unsigned)s.tcp_dup_in, (unsigned)s.tcp_ooo_in, (unsigned)s.tcp_rst_out, (unsigned)s.tcp_drops,
           (unsigned)s.tcp_conns_open);
    accept(lfd, 0, 0);          /* stay, listening: the client has one more segment */
    return 0;
}
#else

static uint8_t out[256], in[1514];
static uint8_t my_mac[6], peer_mac[6] = {2, 0, 0, 0, 0, PEER};
static uint32_t my_ip, peer_ip;          /* network order */

struct tcp_seg {
    uint32_t seq, ack;
    uint16_t wnd, mss;
    uint8_t flags;
    size_t len;
};

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1)
        sum += (uint32_t)p[len - 1] << 8;
    return sum;
}

static uint16_t fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v); }
static uint32_t get16(const uint8_t *p) { return (uint32_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return get16(p) << 16 | get16(p + 2); }

static void eth_header(uint8_t *f, const uint8_t *dst, uint16_t type)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, my_mac, 6);
    put16(f + 12, type);
}

/* A TCP segment from port 40000 to dport; mss != 0 adds the option. */
static void send_tcp(uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack, const char *data,
                     uint16_t mss, int bad_csum)
{
    uint8_t *ip = out + 14, *th = ip + 20;
    size_t dlen = data ? strlen(data) : 0, hl = mss ? 24 : 20, tl = hl + dlen;
    uint32_t pseudo;

    memset(out, 0, sizeof out);
    eth_header(out, peer_mac, 0x0800);
    ip[0] = 0x45;
    put16(ip + 2, (uint32_t)(20 + tl));
    ip[6] = 0x40;
    ip[8] = 64;
    ip[9] = 6;
    memcpy(ip + 12, &my_ip, 4);
    memcpy(ip + 16, &peer_ip, 4);
    put16(ip + 10, fold(sum16(ip, 20, 0)));
    put16(th, 40000);
    put16(th + 2, dport);
    put32(th + 4, seq);
    put32(th + 8, ack);
    th[12] = (uint8_t)(hl / 4 << 4);
    th[13] = flags;
    put16(th + 14, 8192);
    if (mss) {
        th[20] = 2;
        th[21] = 4;
        put16(th + 22, mss);
    }
    memcpy(th + hl, data, dlen);
    pseudo = sum16(ip + 12, 8, 0) + 6 + (uint32_t)tl;
    put16(th + 16, fold(sum16(th, tl, pseudo)) ^ (bad_csum ? 0x1234 : 0));
    denali_hc_nic_send(out, (uint32_t)(14 + 20 + tl));
}

/* Answer an ARP request for our address. */
static void arp_reply(const uint8_t *f, size_t n)
{
    uint8_t r[42];

    if (n < 42 || get16(f + 20) != 1 || memcmp(f + 38, &my_ip, 4) != 0)
        return;
    eth_header(r, f + 6, 0x0806);
    memcpy(r + 14, f + 14, 6);          /* htype, ptype, hlen, plen */
    put16(r + 20, 2);
    memcpy(r + 22, my_mac, 6);
    memcpy(r + 28, &my_ip, 4);
    memcpy(r + 32, f + 22, 10);         /* the asker's MAC and IP */
    denali_hc_nic_send(r, sizeof r);
}

/* The next TCP segment from the peer within ms milliseconds: 1, or 0. */
static int expect(struct tcp_seg *s, unsigned ms)
{
    uint64_t deadline = denali_vreg_time_ns() + ms * MS;

    for (;;) {
        int32_t n = denali_hc_nic_recv(in, sizeof in);

        if (n > 0 && get16(in + 12) == 0x0806) {
            arp_reply(in, (size_t)n);
        } else if (n >= 54 && get16(in + 12) == 0x0800 && in[23] == 6) {
            const uint8_t *th = in + 14 + (in[14] & 15) * 4;
            size_t hl = (size_t)(th[12] >> 4) * 4;

            s->seq = get32(th + 4);
            s->ack = get32(th + 8);
            s->flags = th[13];
            s->wnd = (uint16_t)get16(th + 14);
            s->mss = hl >= 24 && th[20] == 2 ? (uint16_t)get16(th + 22) : 0;
            s->len = get16(in + 16) - (size_t)(in[14] & 15) * 4 - hl;
            return 1;
        } else if (n == 0) {
            if (denali_vreg_time_ns() >= deadline)
                return 0;
            denali_idle(denali_vreg_time_ns() + 2 * MS);
        }
    }
}

#define SYN 0x02
#define RST 0x04
#define PSH 0x08
#define ACK 0x10
#define FIN 0x01

int main(void)
{
    uint32_t lo = denali_vreg32(DENALI_VREG_MAC), hi = denali_vreg32(DENALI_VREG_MAC + 4);
    uint32_t c = 1000, srv;             /* our sequence numbers start at 1000 */
    struct tcp_seg s;
    int got;

    memcpy(my_mac, &lo, 4);
    memcpy(my_mac + 4, &hi, 2);
    my_ip = denali_vreg32(DENALI_VREG_IPV4);
    peer_ip = vm_ip(PEER);

    send_tcp(PORT + 1, SYN, c, 0, 0, 1000, 0);
    got = expect(&s, 2000);
    check(got && s.flags == (RST | ACK) && s.ack == c + 1 && s.seq == 0, "SYN to a closed port: RST, ACK = ISS + 1");

    send_tcp(PORT, SYN, c, 0, 0, 1000, 0);
    got = expect(&s, 2000);
    check(got && s.flags == (SYN | ACK) && s.ack == c + 1 && s.mss == 1460 && s.wnd == 16384,
          "SYN: SYN-ACK with MSS 1460, window 16384");
    srv = s.seq + 1;
    c++;
    send_tcp(PORT, ACK, c, srv, 0, 0, 0);

    send_tcp(PORT, ACK | PSH, c + 5, srv, "fghij", 0, 0);
    got = expect(&s, 200);
    check(got && s.flags == ACK && s.ack == c && s.len == 0, "out of order: an immediate duplicate ACK");
    send_tcp(PORT, ACK | PSH, c, srv, "abcde", 0, 0);
    got = expect(&s, 200);
    check(got && s.ack == c + 10, "the hole filled: both acknowledged at once");
    send_tcp(PORT, ACK | PSH, c, srv, "abcde", 0, 0);
    got = expect(&s, 200);
    check(got && s.ack == c + 10, "a duplicate: acknowledged again at once");
    c += 10;

    send_tcp(PORT, RST, c + 100, 0, 0, 0, 0);
    got = expect(&s, 200);
    check(got && s.flags == ACK && s.ack == c, "RST in the window, not at rcv_nxt: challenge ACK");
    send_tcp(PORT, SYN, c + 50, 0, 0, 0, 0);
    got = expect(&s, 200);
    check(got && s.flags == ACK && s.ack == c, "SYN in the window: challenge ACK");

    send_tcp(PORT, ACK | PSH, c, srv, "klm", 0, 0);
    got = expect(&s, 200);
    check(got && s.ack == c + 3, "the connection lived on: data acknowledged (delayed ACK within 200 ms)");
    c += 3;

    send_tcp(PORT, RST, c + 100000, 0, 0, 0, 0);
    send_tcp(PORT, ACK | PSH, c, srv, "BAD", 0, 1);
    check(!expect(&s, 300), "RST outside the window and a bad checksum: no answer");

    send_tcp(PORT, RST, c, 0, 0, 0, 0);
    got = expect(&s, 300);
    check(!got, "RST at rcv_nxt: the connection is gone without a word");
    send_tcp(PORT, ACK, c, srv, 0, 0, 0);
    got = expect(&s, 300);
    check(got && s.flags == RST && s.seq == srv, "an ACK for the gone connection: RST, SEQ = its ACK");

    printf("raw done, %d failures\n", failures);
    return failures ? 1 : 0;
}
#endif
