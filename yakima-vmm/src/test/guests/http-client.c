/*
 * http-client: a client of services/httpd, in a VM beside it on the LAN.
 * -DSERVER=n: the server is VM n (10.0.0.1 + n), port 80.  One of:
 *
 * -DLOAD   CONNS (100) connections are opened, all before the first request,
 *          then each asks ROUNDS (2) objects with keep-alive, the last with
 *          "Connection: close", connection i starting at object i % 4 of
 *          /1k /small /10k /large; a poll() loop drives them all at once.
 *          Every status, Content-Length and body byte is checked against
 *          the pattern (services/httpd/objects.h), and the server must
 *          close each connection after its last response.  Prints
 *          "load: C connections, R responses, B body bytes, E errors" and
 *          the server's peak of open connections from /stats.
 * -DMALFORMED  bad requests, each on a fresh connection: each must get
 *          "malformed N: 400" (or the status in the table) and then the
 *          server's close; then "after: 200" for a good request.
 * -DKEEPALIVE  keep-alive, pipelining, Connection: close, HTTP/1.0 with
 *          and without keep-alive, 404 and HEAD on kept connections; one
 *          line per check.
 * -DIDLE   connects, sends nothing, and prints how long until the server
 *          closed the connection: "idle: closed by server after N ms".
 * -DHALFCLOSE  asks for /large, shuts down its sending side at once, reads
 *          nothing for 2 s, then reads the response and the server's close:
 *          "halfclose: 200, 134007 bytes ok, closed by server".
 *
 * Exits 0 when every check passed, 1 otherwise.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ilwaco.h>
#include <ilwaco/thread.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "../../../../services/httpd/objects.h"
#include "guest-net-util.h"

#ifndef SERVER
#define SERVER 1
#endif
#ifndef CONNS
#define CONNS 100
#endif
#ifndef ROUNDS
#define ROUNDS 2
#endif

__attribute__((unused)) static const char *const paths[4] = { "/1k", "/small", "/10k", "/large" };
__attribute__((unused)) static const uint32_t sizes[4] = { 1024, 2258, 10240, 134007 };

static void fail(const char *what, int n)
{
    printf("FAIL %s (%d, errno %d)\n", what, n, errno);
    failures++;
}

/* ---- connecting ------------------------------------------------------------ */

/* A blocking connection to the server, retried while it is not up yet; unlike
 * connect_retrying() (guest-net-util.h), it gives up at once on an error that
 * waiting for the server cannot cure. */
static int connect_server(void)
{
    struct sockaddr_in a = addr(vm_ip(SERVER), 80);

    for (int tries = 0; tries < 100; tries++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);

        if (fd < 0)
            return -1;
        if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
            return fd;
        close(fd);
        if (errno != ECONNREFUSED && errno != ETIMEDOUT && errno != EHOSTUNREACH)
            return -1;
        thread_sleep_ns(100 * 1000000ull);      /* the server is starting */
    }
    return -1;
}

__attribute__((unused)) static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = send(fd, p, n, 0);
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* ---- a response, read with blocking calls -------------------------------------- */

struct reader {
    int fd;
    char buf[2048];
    uint32_t len;
};

struct response {
    int status;
    int close;                  /* "Connection: close" */
    int keep_alive;             /* "Connection: keep-alive" */
    uint32_t length;            /* Content-Length */
    int body_ok;                /* the body matched (pattern objects) */
};

/* Fill r->buf until it holds "\r\n\r\n": the head's length, 0 at EOF. */
__attribute__((unused)) static uint32_t read_head(struct reader *r)
{
    for (;;) {
        for (uint32_t i = 3; i < r->len; i++)
            if (memcmp(r->buf + i - 3, "\r\n\r\n", 4) == 0)
                return i + 1;
        if (r->len == sizeof r->buf)
            return 0;
        ssize_t n = recv(r->fd, r->buf + r->len, sizeof r->buf - r->len, 0);
        if (n <= 0)
            return 0;
        r->len += (uint32_t)n;
    }
}

__attribute__((unused)) static const char *find_nocase(const char *h, uint32_t n, const char *what)
{
    size_t w = strlen(what);

    for (uint32_t i = 0; i + w <= n; i++) {
        size_t k = 0;
        while (k < w && tolower((unsigned char)h[i + k]) == tolower((unsigned char)what[k]))
            k++;
        if (k == w)
            return h + i + w;
    }
    return NULL;
}

/* Read one response; the body is checked against path's pattern (path
 * NULL: only counted), and not read at all for a HEAD.  0 at EOF before a
 * response. */
__attribute__((unused)) static int read_response(struct reader *r, const char *path, int head_req, struct response *out)
{
    uint32_t head = read_head(r), seed = path ? httpd_pattern_seed(path) : 0, off = 0;
    const char *cl;

    memset(out, 0, sizeof *out);
    if (head == 0)
        return 0;
    if (head < 12 || memcmp(r->buf, "HTTP/1.1 ", 9) != 0)
        return 0;
    out->status = atoi(r->buf + 9);
    cl = find_nocase(r->buf, head, "\r\nContent-Length: ");
    out->length = cl ? (uint32_t)strtoul(cl, NULL, 10) : 0;
    out->close = find_nocase(r->buf, head, "\r\nConnection: close") != NULL;
    out->keep_alive = find_nocase(r->buf, head, "\r\nConnection: keep-alive") != NULL;
    memmove(r->buf, r->buf + head, r->len - head);
    r->len -= head;
    out->body_ok = 1;
    if (head_req)
        return 1;
    while (off < out->length) {
        if (r->len == 0) {
            ssize_t n = recv(r->fd, r->buf, sizeof r->buf, 0);
            if (n <= 0)
                return out->body_ok = 0, 1;
            r->len = (uint32_t)n;
        }
        uint32_t k = out->length - off < r->len ? out->length - off : r->len;
        for (uint32_t i = 0; path && i < k; i++)
            if (r->buf[i] != httpd_pattern_byte(seed, off + i))
                out->body_ok = 0;
        memmove(r->buf, r->buf + k, r->len - k);
        r->len -= k;
        off += k;
    }
    return 1;
}

/* After a response the server should close: 1 if recv says EOF. */
__attribute__((unused)) static int server_closed(struct reader *r)
{
    char c;
    return r->len == 0 && recv(r->fd, &c, 1, 0) == 0;
}

/* ---- -DLOAD ------------------------------------------------------------------ */
#ifdef LOAD

struct hc {
    int fd;
    int done;                   /* requests answered */
    int in_body;
    char head[512];
    uint32_t hlen;
    uint32_t obj, body_off, body_len;
};

static struct hc hcs[CONNS];
static uint32_t responses, errors;
static uint64_t body_bytes;

static void send_request(struct hc *c)
{
    char req[96];
    int last = c->done == ROUNDS - 1;
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 10.0.0.%d\r\n%s\r\n",
                     paths[c->obj], 1 + SERVER, last ? "Connection: close\r\n" : "");

    if (send(c->fd, req, (size_t)n, 0) != n) {  /* an empty send buffer takes it */
        fail("send request", n);
        errors++;
    }
}

/* The head is complete: check it. */
static void head_done(struct hc *c)
{
    const char *cl = find_nocase(c->head, c->hlen, "\r\nContent-Length: ");

    if (memcmp(c->head, "HTTP/1.1 200 ", 13) != 0 || cl == NULL
        || strtoul(cl, NULL, 10) != sizes[c->obj]) {
        errors++;
        printf("bad head on connection %d: %.40s\n", (int)(c - hcs), c->head);
    }
    c->in_body = 1;
    c->body_off = 0;
    c->body_len = sizes[c->obj];
}

/* Bytes that arrived on c: 1 when its last response is complete. */
static int feed(struct hc *c, const char *p, uint32_t n)
{
    uint32_t seed = httpd_pattern_seed(paths[c->obj]);

    while (n > 0) {
        if (!c->in_body) {
            if (c->hlen == sizeof c->head) {
                errors++;
                return 1;
            }
            c->head[c->hlen++] = *p++;
            n--;
            if (c->hlen >= 4 && memcmp(c->head + c->hlen - 4, "\r\n\r\n", 4) == 0)
                head_done(c);
            continue;
        }
        uint32_t k = c->body_len - c->body_off < n ? c->body_len - c->body_off : n;
        for (uint32_t i = 0; i < k; i++)
            if (p[i] != httpd_pattern_byte(seed, c->body_off + i)) {
                errors++;
                printf("byte %u of %s differs on connection %d\n",
                       (unsigned)(c->body_off + i), paths[c->obj], (int)(c - hcs));
                break;
            }
        c->body_off += k;
        body_bytes += k;
        p += k;
        n -= k;
        if (c->body_off == c->body_len) {
            responses++;
            c->done++;
            c->in_body = 0;
            c->hlen = 0;
            c->obj = (c->obj + 1) % 4;
            if (c->done == ROUNDS)
                return n > 0 ? (errors++, 1) : 1;
            send_request(c);
        }
    }
    return 0;
}

/* The server's peak of open connections, from /stats. */
static long server_peak(void)
{
    static struct reader r;
    static const char req[] = "GET /stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    struct response resp;
    const char *p;

    r.fd = connect_server();
    if (r.fd < 0 || send_all(r.fd, req, sizeof req - 1) < 0)
        return -1;
    if (read_head(&r) == 0)
        return -1;
    /* the body is short: read until the close */
    for (;;) {
        ssize_t n = recv(r.fd, r.buf + r.len, sizeof r.buf - 1 - r.len, 0);
        if (n <= 0)
            break;
        r.len += (uint32_t)n;
    }
    r.buf[r.len] = 0;
    close(r.fd);
    (void)resp;
    p = strstr(r.buf, "\npeak ");
    return p ? strtol(p + 6, NULL, 10) : -1;
}

int main(void)
{
    static struct pollfd p[CONNS];
    static char buf[4096];
    int open = 0;

    for (int i = 0; i < CONNS; i++) {
        hcs[i].fd = connect_server();
        if (hcs[i].fd < 0) {
            fail("connect", i);
            return 1;
        }
        fcntl(hcs[i].fd, F_SETFL, O_NONBLOCK);
        hcs[i].obj = (uint32_t)i % 4;
    }
    printf("load: %d connections open\n", CONNS);
    for (int i = 0; i < CONNS; i++)
        send_request(&hcs[i]);
    open = CONNS;
    while (open > 0) {
        int n = 0;

        for (int i = 0; i < CONNS; i++)
            if (hcs[i].fd >= 0)
                p[n++] = (struct pollfd){ hcs[i].fd, POLLIN, 0 };
        if (poll(p, (nfds_t)n, 60000) <= 0) {
            fail("poll (a stalled connection)", n);
            return 1;
        }
        for (int i = 0, k = 0; i < CONNS; i++) {
            struct hc *c = &hcs[i];

            if (c->fd < 0)
                continue;
            if (p[k++].revents == 0)
                continue;
            ssize_t got = recv(c->fd, buf, sizeof buf, 0);
            if (got < 0 && errno == EAGAIN)
                continue;
            if (got > 0 && !feed(c, buf, (uint32_t)got))
                continue;
            if (got > 0) {
                /* last response complete: the server must close now */
                fcntl(c->fd, F_SETFL, 0);
                got = recv(c->fd, buf, sizeof buf, 0);
                if (got != 0)
                    errors++;
            } else if (c->done != ROUNDS) {
                errors++;
                printf("connection %d ended after %d responses\n", i, c->done);
            }
            close(c->fd);
            c->fd = -1;
            open--;
        }
    }
    printf("load: %d connections, %u responses, %llu body bytes, %u errors\n", CONNS,
           (unsigned)responses, (unsigned long long)body_bytes, (unsigned)errors);
    printf("load: server peak %ld connections\n", server_peak());
    return errors == 0 && failures == 0 ? 0 : 1;
}
#endif /* LOAD */

/* ---- -DMALFORMED ---------------------------------------------------------------- */
#ifdef MALFORMED

static const struct {
    const char *req;
    int status;
} bad[] = {
    { "GET /small HTTP/1.1\r\n\r\n", 400 },                             /* no Host */
    { "GET /small HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400 },      /* two */
    { "GET  /small HTTP/1.1\r\nHost: x\r\n\r\n", 400 },                 /* two spaces */
    { "GET /small HTTP/1.1 \r\nHost: x\r\n\r\n", 400 },
    { "GET /small HTTP/1.1\r\nHost : x\r\n\r\n", 400 },                 /* space before ':' */
    { "GET /small HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400 },       /* obs-fold */
    { "GET /small HTTP/1.1\r\nHost: x\r\nNo-colon\r\n\r\n", 400 },
    { "GET /small HTTP/1.1\r\nHost: x\rY: z\r\n\r\n", 400 },             /* bare CR */
    { "GET /small HTTQ/1.1\r\nHost: x\r\n\r\n", 400 },                  /* bad version */
    { "GET /small HTTP/1\r\nHost: x\r\n\r\n", 400 },
    { "GET /small HTTP/1.1x\r\nHost: x\r\n\r\n", 400 },
    { "GET /small\r\n\r\n", 400 },                                      /* HTTP/0.9 */
    { "GET small HTTP/1.1\r\nHost: x\r\n\r\n", 400 },                   /* not a path */
    { "GET /small HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n", 400 },
    { "GET /small HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400 },
    { "\x16\x03\x01\x02\x01garbage\r\n\r\n", 400 },                     /* TLS hello */
    { "GET /small HTTP/2.0\r\nHost: x\r\n\r\n", 505 },
    { "GET /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 501 },
};

/* A request line longer than the server takes (8 KiB). */
static int oversized(void)
{
    struct reader *r = calloc(1, sizeof *r);
    char *req = malloc(9000);
    struct response resp;
    int ok;

    memcpy(req, "GET /", 5);
    memset(req + 5, 'a', 9000 - 5);
    r->fd = connect_server();
    /* the server answers once it has 8 KiB and closes: the rest may be refused */
    send(r->fd, req, 9000, 0);
    ok = read_response(r, NULL, 0, &resp) && resp.status == 400;
    printf("oversized: %d%s\n", resp.status, server_closed(r) ? " closed" : "");
    close(r->fd);
    free(req);
    free(r);
    return ok;
}

int main(void)
{
    static struct reader r;
    struct response resp;
    int n = (int)(sizeof bad / sizeof bad[0]);

    for (int i = 0; i < n; i++) {
        r.len = 0;
        r.fd = connect_server();
        if (r.fd < 0 || send_all(r.fd, bad[i].req, strlen(bad[i].req)) < 0) {
            fail("connect/send", i);
            continue;
        }
        if (!read_response(&r, NULL, 0, &resp) || resp.status != bad[i].status)
            fail("status", resp.status);
        int closed = server_closed(&r);
        if (!closed || !resp.close)
            fail("the server did not close", i);
        printf("malformed %d: %d%s\n", i, resp.status, closed ? " closed" : "");
        close(r.fd);
    }
    if (!oversized())
        fail("oversized", 0);
    /* the server still serves */
    r.len = 0;
    r.fd = connect_server();
    static const char good[] = "GET /small HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    send_all(r.fd, good, sizeof good - 1);
    if (!read_response(&r, "/small", 0, &resp) || resp.status != 200 || !resp.body_ok
        || resp.length != 2258)
        fail("good request after the bad ones", resp.status);
    printf("after: %d, %u bytes%s\n", resp.status, (unsigned)resp.length, resp.body_ok ? " ok" : " BAD");
    close(r.fd);
    printf("malformed: %d requests, %d failures\n", n + 1, failures);
    return failures ? 1 : 0;
}
#endif /* MALFORMED */

/* ---- -DKEEPALIVE ---------------------------------------------------------------- */
#ifdef KEEPALIVE

static struct reader r;

/* Send one request and read its response on r. */
static void expect(const char *label, const char *req, const char *path, int head_req,
                   int status, int want_close)
{
    struct response resp;

    if (send_all(r.fd, req, strlen(req)) < 0 || !read_response(&r, path, head_req, &resp)) {
        fail(label, -1);
        return;
    }
    int ok = resp.status == status && resp.body_ok && resp.close == want_close;
    if (!ok)
        fail(label, resp.status);
    printf("%s: %d, length %u%s%s\n", label, resp.status, (unsigned)resp.length,
           resp.close ? ", close" : "", resp.keep_alive ? ", keep-alive" : "");
}

static void reconnect(void)
{
    if (r.fd > 0)
        close(r.fd);
    r.len = 0;
    r.fd = connect_server();
}

int main(void)
{
    struct response resp;
    char req[128];

    /* sequential requests on one connection: every object, then a 404 and a HEAD */
    reconnect();
    for (int i = 0; i < 4; i++) {
        snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", paths[i]);
        expect(paths[i], req, paths[i], 0, 200, 0);
    }
    expect("404 kept", "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", NULL, 0, 404, 0);
    expect("HEAD /large", "HEAD /large HTTP/1.1\r\nHost: x\r\n\r\n", NULL, 1, 200, 0);
    expect("405 kept", "DELETE /small HTTP/1.1\r\nHost: x\r\n\r\n", NULL, 0, 405, 0);
    expect("after HEAD", "GET /small HTTP/1.1\r\nHost: x\r\n\r\n", "/small", 0, 200, 0);

    /* three pipelined requests in one send, the last with Connection: close */
    const char *pipe = "GET /1k HTTP/1.1\r\nHost: x\r\n\r\n"
                       "GET /large HTTP/1.1\r\nHost: x\r\n\r\n"
                       "GET /small HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    send_all(r.fd, pipe, strlen(pipe));
    int piped = 0;
    const char *want[3] = { "/1k", "/large", "/small" };
    for (int i = 0; i < 3; i++)
        if (read_response(&r, want[i], 0, &resp) && resp.status == 200 && resp.body_ok
            && resp.close == (i == 2))
            piped++;
    int closed = server_closed(&r);
    printf("pipelined: %d of 3%s\n", piped, closed ? ", then closed by server" : "");
    if (piped != 3 || !closed)
        fail("pipelined", piped);

    /* HTTP/1.0 closes by default */
    reconnect();
    expect("1.0", "GET /1k HTTP/1.0\r\n\r\n", "/1k", 0, 200, 1);
    if (!server_closed(&r))
        fail("1.0 close", 0);
    /* HTTP/1.0 with keep-alive stays open */
    reconnect();
    expect("1.0 keep-alive", "GET /1k HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "/1k", 0, 200, 0);
    expect("1.0 again", "GET /small HTTP/1.0\r\n\r\n", "/small", 0, 200, 1);
    if (!server_closed(&r))
        fail("1.0 second close", 0);
    /* Connection: close on the first request */
    reconnect();
    expect("close", "GET /10k HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "/10k", 0, 200, 1);
    if (!server_closed(&r))
        fail("close", 0);
    close(r.fd);
    printf("keepalive: %d failures\n", failures);
    return failures ? 1 : 0;
}
#endif /* KEEPALIVE */

/* ---- -DHALFCLOSE ------------------------------------------------------------ */
#ifdef HALFCLOSE
int main(void)
{
    static struct reader r;
    static const char req[] = "GET /large HTTP/1.1\r\nHost: x\r\n\r\n";
    struct response resp;

    r.fd = connect_server();
    if (r.fd < 0 || send_all(r.fd, req, sizeof req - 1) < 0 || shutdown(r.fd, SHUT_WR) < 0) {
        fail("connect/send/shutdown", 0);
        return 1;
    }
    thread_sleep_ns(2000 * 1000000ull);     /* a client slow to read */
    int got = read_response(&r, "/large", 0, &resp);
    int closed = server_closed(&r);
    printf("halfclose: %d, %u bytes%s%s\n", resp.status, (unsigned)resp.length,
           got && resp.body_ok ? " ok" : " BAD", closed ? ", closed by server" : "");
    return got && resp.body_ok && closed ? 0 : 1;
}
#endif /* HALFCLOSE */

/* ---- -DIDLE ------------------------------------------------------------------- */
#ifdef IDLE
int main(void)
{
    static struct reader r;
    uint64_t t0;

    r.fd = connect_server();
    if (r.fd < 0) {
        fail("connect", 0);
        return 1;
    }
    t0 = denali_time_ns();
    int closed = server_closed(&r);
    printf("idle: %s after %u ms\n", closed ? "closed by server" : "not closed",
           (unsigned)((denali_time_ns() - t0) / 1000000));
    return closed ? 0 : 1;
}
#endif /* IDLE */
