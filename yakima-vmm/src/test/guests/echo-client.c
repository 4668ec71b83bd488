/*
 * echo-client: a client of services/echo (port 7), in a VM beside it.
 * -DSERVER=n: the server is VM n (10.0.0.1 + n).
 *
 * UDP: datagrams of 1, 100, 1000 and 1472 bytes (the largest that needs no
 * fragment), each sent until its echo comes back (at most 5 tries, 1 s
 * apart), compared byte for byte.  TCP: TCP_BYTES (100,000) of a pattern
 * sent by a thread while main reads the echo back and compares it, then
 * the client closes its side and the server must close too.  Prints
 * "udp: 4 of 4 echoed", "tcp: N bytes echoed, closed by server" and exits
 * 0 when everything matched.
 */
#include <errno.h>
#include <ilwaco/thread.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "guest-net-util.h"

#ifndef SERVER
#define SERVER 1
#endif
#define TCP_BYTES 100000

static struct sockaddr_in server;

static uint8_t pattern(uint32_t i)
{
    return (uint8_t)(i * 7 + (i >> 8) + 3);
}

/* ---- UDP ----------------------------------------------------------------------- */

static int udp_once(int fd, uint32_t len)
{
    static uint8_t out[1472], in[2048];
    struct timeval tv = { 1, 0 };

    for (uint32_t i = 0; i < len; i++)
        out[i] = pattern(i + len);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    for (int tries = 0; tries < 5; tries++) {
        struct sockaddr_in from;
        socklen_t flen = sizeof from;

        if (sendto(fd, out, len, 0, (struct sockaddr *)&server, sizeof server) != (ssize_t)len)
            continue;
        ssize_t n = recvfrom(fd, in, sizeof in, 0, (struct sockaddr *)&from, &flen);
        if (n < 0)
            continue;                   /* EAGAIN: the timeout; send again */
        return n == (ssize_t)len && memcmp(in, out, len) == 0
               && from.sin_addr.s_addr == server.sin_addr.s_addr && from.sin_port == htons(7);
    }
    return 0;
}

/* ---- TCP ----------------------------------------------------------------------- */

static void *sender(void *arg)
{
    int fd = *(int *)arg;
    static uint8_t chunk[1000];
    uint32_t sent = 0;

    while (sent < TCP_BYTES) {
        uint32_t n = TCP_BYTES - sent < sizeof chunk ? TCP_BYTES - sent : sizeof chunk;
        for (uint32_t i = 0; i < n; i++)
            chunk[i] = pattern(sent + i);
        for (uint32_t off = 0; off < n;) {
            ssize_t k = send(fd, chunk + off, n - off, 0);
            if (k <= 0)
                return (void *)1;
            off += (uint32_t)k;
        }
        sent += n;
    }
    shutdown(fd, SHUT_WR);
    return NULL;
}

static int tcp_echo(uint32_t *got)
{
    static uint8_t buf[4096];
    thread_t *t;
    void *res;
    int fd = connect_retrying(vm_ip(SERVER), 7), ok = 1;
    ssize_t n;

    if (fd < 0 || thread_create(&t, sender, &fd) != 0)
        return 0;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] != pattern(*got + (uint32_t)i))
                ok = 0;
        *got += (uint32_t)n;
    }
    thread_join(t, &res);
    close(fd);
    /* n == 0: the server closed after echoing everything */
    return ok && n == 0 && res == NULL && *got == TCP_BYTES;
}

int main(void)
{
    static const uint32_t sizes[] = { 1, 100, 1000, 1472 };
    int fd, udp_ok = 0, tcp_ok;
    uint32_t got = 0;

    server = addr(vm_ip(SERVER), 7);
    fd = socket(AF_INET, SOCK_DGRAM, 0);
    for (int i = 0; i < 4; i++)
        udp_ok += udp_once(fd, sizes[i]);
    close(fd);
    printf("udp: %d of 4 echoed\n", udp_ok);
    tcp_ok = tcp_echo(&got);
    printf("tcp: %u bytes echoed%s\n", (unsigned)got, tcp_ok ? ", closed by server" : " (FAIL)");
    return udp_ok == 4 && tcp_ok ? 0 : 1;
}
