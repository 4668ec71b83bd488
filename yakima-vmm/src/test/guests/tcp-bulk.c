/*
 * tcp-bulk: one TCP stream of BYTES bytes between two VMs, checked with
 * CRC-32.  Byte i of the stream is pattern(i) below; both ends compute the
 * CRC-32 (the zlib one) of what they sent / received and print it, and the
 * receiver also counts bytes that differ from the pattern.
 *
 *   -DSERVER        listen on PORT, take one connection, read to EOF, print
 *                   "server got N bytes crc XXXXXXXX mismatches M", close,
 *                   stay until the connection has finished (FIN acked)
 *   (otherwise)     connect to VM PEER (10.0.0.1 + PEER), send BYTES bytes
 *                   in CHUNK-byte sends, shutdown(SHUT_WR), wait for the
 *                   server's EOF; print "client sent N bytes crc XXXXXXXX"
 *   -DEXIT_AT_ONCE  client: close() right after the last send and exit, with
 *                   no wait: exit() itself lingers until the data and the
 *                   FIN are acknowledged
 *   -DBYTES=n       default 10 MiB      -DPEER=n  default 1
 *   -DPORT=n        default 5001        -DCHUNK=n default 8192
 * Both print "server stats ..." / "client stats ..." (their TCP counters)
 * last.
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
#include "guest-net-util.h"

#ifndef BYTES
#define BYTES (10u << 20)
#endif
#ifndef PEER
#define PEER 1
#endif
#ifndef PORT
#define PORT 5001
#endif
#ifndef CHUNK
#define CHUNK 8192
#endif

static uint32_t crc_table[256];
static uint8_t buf[CHUNK];

static void crc_init(void)
{
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[n] = c;
    }
}

static uint32_t crc_update(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    while (n--)
        crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

static uint8_t pattern(uint32_t i)
{
    return (uint8_t)(i * 7 + (i >> 11) + 1);
}

static void stats(const char *who)
{
    struct net_stats s;

    net_get_stats(&s);
    printf("%s stats in=%u out=%u retransmits=%u fast_retransmits=%u dup_in=%u ooo_in=%u "
           "drops=%u rst_out=%u rx_bad=%u tx_full=%u open=%u\n",
           who, (unsigned)s.tcp_in, (unsigned)s.tcp_out, (unsigned)s.tcp_retransmits,
           (unsigned)s.tcp_fast_retransmits, (unsigned)s.tcp_dup_in, (unsigned)s.tcp_ooo_in,
           (unsigned)s.tcp_drops, (unsigned)s.tcp_rst_out, (unsigned)s.rx_bad, (unsigned)s.tx_full,
           (unsigned)s.tcp_conns_open);
}

/* close() only queues the FIN: stay until TCP has finished (at most 30 s),
 * or a lost FIN would never be sent again. */
static void linger(void)
{
    struct net_stats s;

    for (int i = 0; i < 300; i++) {
        net_get_stats(&s);
        if (s.tcp_conns_open == 0)
            return;
        thread_sleep_ns(100000000);
    }
    printf("linger: connections still open after 30 s\n");
}

#ifdef SERVER
static int run(void)
{
    struct sockaddr_in a = addr(INADDR_ANY, PORT);
    int lfd = socket(AF_INET, SOCK_STREAM, 0), fd;
    uint32_t n = 0, crc = 0, bad = 0;
    ssize_t r;

    if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(lfd, 4) < 0) {
        printf("server: listen failed, errno %d\n", errno);
        return 1;
    }
    printf("server listening\n");
    fd = accept(lfd, 0, 0);
    if (fd < 0) {
        printf("server: accept failed, errno %d\n", errno);
        return 1;
    }
    while ((r = recv(fd, buf, sizeof buf, 0)) > 0) {
        for (ssize_t i = 0; i < r; i++)
            bad += buf[i] != pattern(n + (uint32_t)i);
        crc = crc_update(crc, buf, (size_t)r);
        n += (uint32_t)r;
    }
    if (r < 0)
        printf("server: recv failed, errno %d\n", errno);
    printf("server got %u bytes crc %08x mismatches %u\n", (unsigned)n, (unsigned)crc, (unsigned)bad);
    close(fd);
    close(lfd);
    linger();
    stats("server");
    return r < 0;
}
#else
static int run(void)
{
    uint32_t peer = vm_ip(PEER), n = 0, crc = 0;
    struct sockaddr_in a = addr(peer, PORT);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct timeval tv = {30, 0};

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        printf("client: connect failed, errno %d\n", errno);
        return 1;
    }
    while (n < BYTES) {
        uint32_t len = BYTES - n < CHUNK ? BYTES - n : CHUNK;
        ssize_t r;

        for (uint32_t i = 0; i < len; i++)
            buf[i] = pattern(n + i);
        crc = crc_update(crc, buf, len);
        r = send(fd, buf, len, 0);
        if (r != (ssize_t)len) {
            printf("client: send returned %d, errno %d\n", (int)r, errno);
            return 1;
        }
        n += len;
    }
#ifdef EXIT_AT_ONCE
    close(fd);
    printf("client sent %u bytes crc %08x\n", (unsigned)n, (unsigned)crc);
    stats("client");
    return 0;
#endif
    /* the data is only queued: wait for the server's close before exiting */
    shutdown(fd, SHUT_WR);
    if (recv(fd, buf, sizeof buf, 0) != 0) {
        printf("client: no EOF from the server, errno %d\n", errno);
        return 1;
    }
    close(fd);
    printf("client sent %u bytes crc %08x\n", (unsigned)n, (unsigned)crc);
    stats("client");
    return 0;
}
#endif

int main(void)
{
    crc_init();
    return run();
}
