/*
 * services/httpget - a client, to show two VMs talking: pings the web
 * server VM, fetches a few objects from it over one keep-alive HTTP/1.1
 * connection, prints what came back and exits (0 when everything arrived).
 *
 * The server is vm-1 (10.0.0.2) of the same host:
 *     ./yakima host --image httpd,httpget --console --duration 10
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <ilwaco/net.h>

#define SERVER "10.0.0.2"
#define PORT 80
#define PING_TIMEOUT_NS 1000000000ull

static const char *const paths[] = {"/", "/small", "/large"};

static char buf[4096];

/* Read one response: status line and headers into buf, then Content-Length
 * bytes counted.  Returns the status code, or -1. */
static int read_response(int fd, long *body_bytes)
{
    size_t have = 0;
    char *end = NULL;

    while (!end) {
        if (have == sizeof buf - 1)
            return -1;
        ssize_t n = recv(fd, buf + have, sizeof buf - 1 - have, 0);
        if (n <= 0)
            return -1;
        have += (size_t)n;
        buf[have] = 0;
        end = strstr(buf, "\r\n\r\n");
    }
    int status = -1;
    long length = 0;
    if (strncmp(buf, "HTTP/1.1 ", 9) == 0)
        status = atoi(buf + 9);
    char *cl = strstr(buf, "Content-Length:");
    if (cl)
        length = atol(cl + 15);
    long got = (long)(have - (size_t)(end + 4 - buf));
    while (got < length) {
        size_t want = sizeof buf;
        if ((long)want > length - got)
            want = (size_t)(length - got);
        ssize_t n = recv(fd, buf, want, 0);
        if (n <= 0)
            return -1;
        got += n;
    }
    *body_bytes = got;
    return status;
}

int main(void)
{
    uint32_t server = inet_addr(SERVER);
    int failures = 0;

    if (net_start() < 0) {
        printf("httpget: no network\n");
        return 1;
    }
    for (uint16_t seq = 1; seq <= 3; seq++) {
        int64_t rtt = net_ping(server, seq, 56, PING_TIMEOUT_NS);
        if (rtt > 0)
            printf("ping %s seq %u: %lld us\n", SERVER, seq, (long long)(rtt / 1000));
        else
            printf("ping %s seq %u: error %lld\n", SERVER, seq, (long long)-rtt);
    }

    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(PORT)};
    sa.sin_addr.s_addr = server;
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        printf("httpget: connect %s:%d: errno %d\n", SERVER, PORT, errno);
        return 1;
    }
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        int last = i + 1 == sizeof paths / sizeof paths[0];
        int len = snprintf(buf, sizeof buf, "GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", paths[i], SERVER,
                           last ? "Connection: close\r\n" : "");
        long body = 0;
        if (send(fd, buf, (size_t)len, 0) != len) {
            printf("httpget: send: errno %d\n", errno);
            return 1;
        }
        int status = read_response(fd, &body);
        printf("GET %s -> %d, %ld bytes\n", paths[i], status, body);
        if (status != 200)
            failures++;
    }
    close(fd);
    printf("httpget: %s\n", failures ? "FAILED" : "done");
    return failures ? 1 : 0;
}
