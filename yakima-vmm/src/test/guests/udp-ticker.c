/*
 * udp-ticker: a program that speaks without being spoken to.  Every second
 * it wakes from thread_sleep_ns (a kernel timer: netd stays asleep) and
 * sends "tick N" to 10.0.0.1 (the gateway's address) port 9 from a socket
 * bound to any address, then prints "tick N sent" with the address
 * net_local_ip() gives.  GuestIdentityChangeTest changes the VM's identity
 * while it sleeps: the next tick must already leave from the new address,
 * though no frame has woken netd since.
 */
#include <stdio.h>
#include <ilwaco/net.h>
#include "guest-net-util.h"

#define SEC 1000000000ull

int main(void)
{
    struct sockaddr_in to = addr(htonl(0x0a000001u), 9);
    char msg[32], ip[16];
    int fd = socket(AF_INET, SOCK_DGRAM, 0);

    if (fd < 0) {
        printf("ticker: socket failed: errno %d\n", errno);
        return 1;
    }
    for (unsigned n = 1;; n++) {
        int len = snprintf(msg, sizeof msg, "tick %u", n);
        if (sendto(fd, msg, (size_t)len, 0, (struct sockaddr *)&to, sizeof to) != len)
            printf("ticker: sendto failed: errno %d\n", errno);
        struct in_addr me = {net_local_ip()};
        inet_ntop(AF_INET, &me, ip, sizeof ip);
        printf("%s sent, local address %s\n", msg, ip);
        thread_sleep_ns(SEC);
    }
}
