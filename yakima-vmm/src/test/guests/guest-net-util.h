/*
 * guest-net-util.h: what the network test guests share.  Each guest is
 * compiled alone, one .c file per image (yakima.vm.TestGuests), and takes
 * this header with #include "guest-net-util.h": everything here is static,
 * marked unused so that a guest that needs only some of it builds without
 * warnings.
 *
 *   failures, check()  count and print checks: "ok   what" / "FAIL what"
 *   vm_ip()            the LAN address of VM n: 10.0.0.1 + n
 *   addr()             a struct sockaddr_in for an address and a port
 *   connect_to()       one blocking TCP connect
 *   connect_retrying() a blocking TCP connect, tried again while the server
 *                      is not up yet
 */
#ifndef GUEST_NET_UTIL_H
#define GUEST_NET_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <ilwaco/thread.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* The checks that failed so far: check() counts them, and a guest may too. */
__attribute__((unused)) static int failures;

/* Prints "ok   WHAT" or "FAIL WHAT" on a line of its own; counts a failure. */
__attribute__((unused)) static void check(int ok, const char *what)
{
    printf("%s %s\n", ok ? "ok  " : "FAIL", what);
    if (!ok)
        failures++;
}

/* The IPv4 address of VM n on the host's LAN, 10.0.0.1 + n, in network order. */
__attribute__((unused)) static uint32_t vm_ip(uint32_t n)
{
    return htonl(0x0a000001u + n);
}

/* An AF_INET address: ip in network order, port in host order. */
__attribute__((unused)) static struct sockaddr_in addr(uint32_t ip, uint16_t port)
{
    struct sockaddr_in a;

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = ip;
    return a;
}

/* A blocking TCP connection to ip (network order) and port; -1 with errno as connect() left it. */
__attribute__((unused)) static int connect_to(uint32_t ip, uint16_t port)
{
    struct sockaddr_in a = addr(ip, port);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/*
 * A blocking TCP connection to ip (network order) and port, tried every
 * 100 ms, 100 times at most, whatever the error, while the server is not up
 * yet (or still starting); -1 if socket() fails or no try connected.
 */
__attribute__((unused)) static int connect_retrying(uint32_t ip, uint16_t port)
{
    struct sockaddr_in a = addr(ip, port);

    for (int tries = 0; tries < 100; tries++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);

        if (fd < 0)
            return -1;
        if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
            return fd;
        close(fd);
        thread_sleep_ns(100 * 1000000ull);
    }
    return -1;
}

#endif
