/*
 * services/httpd/httpd.c - a static HTTP/1.1 server on port 80.
 *
 * One thread, one poll() loop over the listening socket and every
 * connection (non-blocking sockets).  A connection owns a small struct, a
 * request buffer that grows only as far as its request needs (at most
 * HTTPD_REQ_MAX) and is freed whenever it empties, and the header of the
 * response being sent; bodies are sent straight from .rodata (objects.c).
 * An idle server holds no connection memory and sleeps in poll() without
 * a timeout: the VM runs no instructions until a client arrives.
 *
 * Requests: GET and HEAD; keep-alive (HTTP/1.1's default, 1.0 with
 * "Connection: keep-alive"), "Connection: close"; pipelined requests are
 * answered in order, one at a time (the next is parsed once the previous
 * response has gone out).  A bad request gets 400 and the connection is
 * closed; see http.h for what is accepted.  Each connection has one
 * deadline: a request head must arrive within HTTPD_IDLE_NS of the
 * connection becoming idle, and a response or a request body must make
 * progress at least that often; otherwise the connection is closed.
 */
#include <errno.h>
#include <fcntl.h>
#include <ilwaco.h>
#include <ilwaco/param.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "http.h"
#include "objects.h"

#define HTTPD_PORT        80
#define HTTPD_MAX_CONNS   (ILWACO_SOCKET_MAX - 1) /* connections at once: 255 */
#define HTTPD_REQ_MIN     512             /* first request buffer */
#define HTTPD_REQ_MAX     8192            /* largest request head */
#define HTTPD_HDR_MAX     256             /* response head */
#define HTTPD_STATS_MAX   512             /* the /stats body */
#define HTTPD_IDLE_NS     (10ull * 1000000000ull)
#define HTTPD_LINGER_NS   (2ull * 1000000000ull)
#define HTTPD_RETRY_NS    (100ull * 1000000ull) /* accept again after a failure */
#define HTTPD_ACCEPT_BURST 32             /* accepts per poll round */

struct conn {
    int fd;
    uint8_t closing;            /* close once the response has gone out */
    uint8_t lingering;          /* FIN sent: reading until the client's */
    uint8_t peer_eof;           /* the client has sent FIN */
    char *in;                   /* received, not yet parsed */
    uint32_t in_len, in_cap;
    size_t scan;                /* http_head_len's resume point */
    uint32_t discard;           /* request body bytes still to skip */
    uint64_t deadline;
    /* the response going out: head, then body */
    uint32_t hdr_len, hdr_off;
    const char *body;
    uint32_t body_len, body_off;
    char *body_owned;           /* a generated body (/stats), freed when sent */
    char hdr[HTTPD_HDR_MAX];
};

/* Counters, served at /stats.  Every refused or dropped thing is one. */
static struct {
    uint32_t accepted, closed, active, peak, accept_failed, at_limit;
    uint32_t requests, ok, bad_request, not_found, not_allowed, not_implemented;
    uint32_t bad_version, server_error, timeouts, resets;
    uint64_t body_bytes;
} st;

static int listen_fd = -1;
static struct conn **conns;     /* [0, nconns) */
static struct pollfd *pfds;     /* [0] the listener, then conns in order */
static uint32_t nconns, cap_conns;
static uint64_t accept_paused_until;    /* 0: accepting; UINT64_MAX: until one closes */

/* ---- connection table -------------------------------------------------------- */

/* Room for one more connection in both tables: 0 or -1 (ENOMEM). */
static int tables_grow(void)
{
    uint32_t cap = cap_conns ? cap_conns * 2 : 8;
    struct conn **c;
    struct pollfd *p;

    if (nconns < cap_conns)
        return 0;
    if (cap > HTTPD_MAX_CONNS)
        cap = HTTPD_MAX_CONNS;
    p = realloc(pfds, (cap + 1) * sizeof *p);
    if (p == NULL)
        return -1;
    pfds = p;
    c = realloc(conns, cap * sizeof *c);
    if (c == NULL)
        return -1;
    conns = c;
    cap_conns = cap;
    return 0;
}

/* Close connection i; the last one takes its place. */
static void conn_free(uint32_t i)
{
    struct conn *c = conns[i];

    close(c->fd);
    free(c->in);
    free(c->body_owned);
    free(c);
    conns[i] = conns[--nconns];
    st.closed++;
    st.active--;
    if (accept_paused_until == UINT64_MAX)
        accept_paused_until = 0;
}

/* ---- responses ----------------------------------------------------------------- */

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
    }
}

/* The body of an error response: the status line's words. */
static const char *error_body(int status)
{
    switch (status) {
    case 400: return "400 Bad Request\n";
    case 404: return "404 Not Found\n";
    case 405: return "405 Method Not Allowed\n";
    case 501: return "501 Not Implemented\n";
    case 505: return "505 HTTP Version Not Supported\n";
    default: return "500 Internal Server Error\n";
    }
}

static void count_status(int status)
{
    switch (status) {
    case 200: st.ok++; break;
    case 400: st.bad_request++; break;
    case 404: st.not_found++; break;
    case 405: st.not_allowed++; break;
    case 501: st.not_implemented++; break;
    case 505: st.bad_version++; break;
    default: st.server_error++; break;
    }
}

/* Queue a response: the head into c->hdr, the body by reference (HEAD:
 * its length only).  keep_alive_10 adds "Connection: keep-alive" for an
 * HTTP/1.0 client that asked for it. */
static void respond(struct conn *c, int status, const char *type, const char *body,
                    uint32_t len, int send_body, int keep_alive_10)
{
    int n = snprintf(c->hdr, sizeof c->hdr,
                     "HTTP/1.1 %d %s\r\n"
                     "Server: ilwaco-httpd\r\n"
                     "Content-Type: %s\r\n"
                     "Content-Length: %u\r\n"
                     "%s%s\r\n",
                     status, reason(status), type, (unsigned)len,
                     status == 405 ? "Allow: GET, HEAD\r\n" : "",
                     c->closing ? "Connection: close\r\n"
                                : keep_alive_10 ? "Connection: keep-alive\r\n" : "");
    c->hdr_len = (uint32_t)n;           /* always fits in HTTPD_HDR_MAX */
    c->hdr_off = 0;
    c->body = send_body ? body : NULL;
    c->body_len = send_body ? len : 0;
    c->body_off = 0;
    count_status(status);
}

static void respond_error(struct conn *c, int status, int send_body)
{
    const char *body = error_body(status);

    respond(c, status, "text/plain", body, (uint32_t)strlen(body), send_body, 0);
}

/* The counters as text/plain, in a buffer the connection owns until sent. */
static void respond_stats(struct conn *c, int send_body, int keep_alive_10)
{
    char *body = malloc(HTTPD_STATS_MAX);
    int n;

    if (body == NULL) {
        c->closing = 1;
        respond_error(c, 500, send_body);
        return;
    }
    n = snprintf(body, HTTPD_STATS_MAX,
                 "accepted %u\nclosed %u\nactive %u\npeak %u\naccept_failed %u\nat_limit %u\n"
                 "requests %u\nok %u\nbad_request %u\nnot_found %u\nnot_allowed %u\n"
                 "not_implemented %u\nbad_version %u\nserver_error %u\ntimeouts %u\n"
                 "resets %u\nbody_bytes %llu\n",
                 st.accepted, st.closed, st.active, st.peak, st.accept_failed, st.at_limit,
                 st.requests, st.ok, st.bad_request, st.not_found, st.not_allowed,
                 st.not_implemented, st.bad_version, st.server_error, st.timeouts,
                 st.resets, (unsigned long long)st.body_bytes);
    c->body_owned = body;
    respond(c, 200, "text/plain", body, (uint32_t)n, send_body, keep_alive_10);
}

/* Answer a parsed request. */
static void serve(struct conn *c, const struct http_request *req)
{
    int send_body = req->method != HTTP_HEAD;
    int ka10 = req->minor == 0 && req->keep_alive;
    const struct httpd_object *o;

    st.requests++;
    if (!req->keep_alive)
        c->closing = 1;
    if (req->method == HTTP_KNOWN_OTHER) {
        respond_error(c, 405, 1);
        return;
    }
    if (req->method == HTTP_UNKNOWN) {
        respond_error(c, 501, 1);
        return;
    }
    if (req->path_len == 6 && memcmp(req->path, "/stats", 6) == 0) {
        respond_stats(c, send_body, ka10);
        return;
    }
    o = httpd_object_find(req->path, req->path_len);
    if (o == NULL) {
        respond_error(c, 404, send_body);
        return;
    }
    respond(c, 200, o->type, o->data, o->len, send_body, ka10);
}

/* ---- one connection's work ------------------------------------------------------ */

static int output_pending(const struct conn *c)
{
    return c->hdr_off < c->hdr_len || c->body_off < c->body_len;
}

/* Drop the first n received bytes. */
static void consume(struct conn *c, uint32_t n)
{
    memmove(c->in, c->in + n, c->in_len - n);
    c->in_len -= n;
    c->scan = 0;
}

/* Skip request body bytes that have arrived. */
static void skip_body(struct conn *c)
{
    uint32_t n = c->discard < c->in_len ? c->discard : c->in_len;

    if (n > 0) {
        consume(c, n);
        c->discard -= n;
    }
}

/* Parse and answer the next request if its whole head is here: 1 if a
 * response was queued, 0 if waiting for input. */
static int next_request(struct conn *c)
{
    struct http_request req;
    size_t head;
    int status;

    skip_body(c);
    if (c->discard > 0 || c->in_len == 0)
        return 0;
    head = http_head_len(c->in, c->in_len, &c->scan);
    if (head == 0) {
        if (c->in_len < HTTPD_REQ_MAX)
            return 0;
        c->closing = 1;                 /* a head longer than we take */
        respond_error(c, 400, 1);
        return 1;
    }
    status = http_parse(c->in, head, &req);
    if (status != 0) {
        c->closing = 1;
        respond_error(c, status, 1);
        return 1;
    }
    serve(c, &req);                     /* req.path points into c->in */
    consume(c, (uint32_t)head);
    c->discard = req.content_length;
    return 1;
}

/* Send what the socket takes: 0, or -1 when the connection is dead. */
static int flush(struct conn *c, uint64_t now)
{
    while (output_pending(c)) {
        int in_hdr = c->hdr_off < c->hdr_len;
        const char *p = in_hdr ? c->hdr + c->hdr_off : c->body + c->body_off;
        uint32_t left = in_hdr ? c->hdr_len - c->hdr_off : c->body_len - c->body_off;
        ssize_t n = send(c->fd, p, left, MSG_NOSIGNAL);

        if (n < 0)
            return errno == EAGAIN ? 0 : -1;
        if (in_hdr) {
            c->hdr_off += (uint32_t)n;
        } else {
            c->body_off += (uint32_t)n;
            st.body_bytes += (uint32_t)n;
        }
        c->deadline = now + HTTPD_IDLE_NS;
    }
    free(c->body_owned);
    c->body_owned = NULL;
    return 0;
}

/* Read what has arrived (bodies and lingering reads are dropped at once):
 * 0, or -1 when the connection is dead. */
static int receive(struct conn *c, uint64_t now)
{
    for (;;) {
        ssize_t n;

        if (c->in_len == c->in_cap) {
            uint32_t cap = c->in_cap ? c->in_cap * 2 : HTTPD_REQ_MIN;
            char *in;

            if (c->in_cap >= HTTPD_REQ_MAX)
                return 0;               /* full: next_request decides */
            in = realloc(c->in, cap);
            if (in == NULL)
                return c->in_len > 0 ? 0 : -1;
            c->in = in;
            c->in_cap = cap;
        }
        n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
        if (n == 0) {
            c->peer_eof = 1;
            return 0;
        }
        if (n < 0) {
            if (errno == EAGAIN)
                return 0;
            if (!c->lingering)
                st.resets++;
            return -1;
        }
        c->in_len += (uint32_t)n;
        if (c->lingering) {
            c->in_len = 0;
        } else if (c->discard > 0) {
            skip_body(c);
            c->deadline = now + HTTPD_IDLE_NS;  /* a body makes progress */
        }
    }
}

/* The last response has gone out: send FIN, then read (and drop) until the
 * client's FIN or HTTPD_LINGER_NS, so that data the client sent after our
 * last request does not make the close a reset that could destroy the
 * response on its way. */
static void start_linger(struct conn *c, uint64_t now)
{
    shutdown(c->fd, SHUT_WR);
    c->lingering = 1;
    c->in_len = 0;
    c->discard = 0;
    c->deadline = now + HTTPD_LINGER_NS;
}

/* Everything the connection can do now: 0, or -1 to close it. */
static int conn_step(struct conn *c, short revents, uint64_t now)
{
    if (revents & POLLNVAL)
        return -1;
    /* POLLHUP and POLLERR too: recv then tells EOF or the error */
    if ((revents & (POLLIN | POLLHUP | POLLERR)) && !c->peer_eof && !output_pending(c)
        && receive(c, now) < 0)
        return -1;
    if (c->lingering)
        return c->peer_eof ? -1 : 0;
    for (;;) {
        if (flush(c, now) < 0) {
            st.resets++;
            return -1;
        }
        if (output_pending(c))
            return 0;
        if (c->closing) {
            if (c->peer_eof)
                return -1;
            start_linger(c, now);
            return 0;
        }
        if (!next_request(c))
            break;
    }
    if (c->peer_eof)
        return -1;                      /* nothing more can come */
    if (c->in_len == 0 && c->in != NULL) {
        free(c->in);                    /* idle: hold no buffer */
        c->in = NULL;
        c->in_cap = 0;
    }
    return 0;
}

/* ---- accepting ------------------------------------------------------------------- */

static void accept_some(uint64_t now)
{
    for (int k = 0; k < HTTPD_ACCEPT_BURST; k++) {
        struct conn *c;
        int fd;

        if (nconns >= HTTPD_MAX_CONNS) {
            st.at_limit++;
            accept_paused_until = UINT64_MAX;   /* until one closes */
            return;
        }
        fd = accept(listen_fd, NULL, NULL);
        if (fd < 0) {
            if (errno != EAGAIN && errno != ECONNABORTED) {
                st.accept_failed++;
                accept_paused_until = now + HTTPD_RETRY_NS;
            }
            return;
        }
        c = calloc(1, sizeof *c);
        if (c == NULL || tables_grow() < 0 || fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
            st.accept_failed++;
            free(c);
            close(fd);
            accept_paused_until = now + HTTPD_RETRY_NS;
            return;
        }
        c->fd = fd;
        c->deadline = now + HTTPD_IDLE_NS;
        conns[nconns++] = c;
        st.accepted++;
        if (++st.active > st.peak)
            st.peak = st.active;
    }
}

/* ---- the loop ---------------------------------------------------------------------- */

static int open_listener(void)
{
    struct sockaddr_in a;
    int one = 1;

    listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd < 0) {
        printf("httpd: socket: errno %d\n", errno);
        return -1;
    }
    setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(HTTPD_PORT);
    a.sin_addr.s_addr = INADDR_ANY;
    if (bind(listen_fd, (struct sockaddr *)&a, sizeof a) < 0
        || listen(listen_fd, SOMAXCONN) < 0
        || fcntl(listen_fd, F_SETFL, O_NONBLOCK) < 0) {
        printf("httpd: cannot listen on port %d: errno %d\n", HTTPD_PORT, errno);
        return -1;
    }
    return 0;
}

/* Fill pfds for this round: the poll timeout in ms (-1: none). */
static int prepare(uint64_t now)
{
    uint64_t next = UINT64_MAX;

    if (accept_paused_until != 0 && accept_paused_until <= now)
        accept_paused_until = 0;
    pfds[0].fd = accept_paused_until ? -1 : listen_fd;
    pfds[0].events = POLLIN;
    pfds[0].revents = 0;
    if (accept_paused_until)
        next = accept_paused_until;
    for (uint32_t i = 0; i < nconns; i++) {
        struct conn *c = conns[i];

        /* a client that shut down its side (peer_eof) is still here only
         * while its response goes out: it waits for POLLOUT like any other
         * (POLLIN, which stays set at EOF, is not asked for) */
        pfds[i + 1].fd = c->fd;
        pfds[i + 1].events = output_pending(c) ? POLLOUT : POLLIN;
        pfds[i + 1].revents = 0;
        if (c->deadline < next)
            next = c->deadline;
    }
    if (next == UINT64_MAX)
        return -1;
    if (next <= now)
        return 0;
    return (int)((next - now + 999999) / 1000000);
}

/* Serve the connections poll found ready, and close those past their
 * deadline.  Last first: conn_free moves the last one into the hole. */
static void serve_round(uint64_t now)
{
    for (uint32_t i = nconns; i-- > 0;) {
        struct conn *c = conns[i];

        if (conn_step(c, pfds[i + 1].revents, now) < 0) {
            conn_free(i);
        } else if (now >= c->deadline) {
            if (!c->lingering)
                st.timeouts++;
            conn_free(i);
        }
    }
}

int main(void)
{
    if (open_listener() < 0 || tables_grow() < 0)
        return 1;
    printf("httpd: listening on port %d (up to %d connections)\n", HTTPD_PORT, HTTPD_MAX_CONNS);
    for (;;) {
        uint64_t now = denali_time_ns();
        int timeout = prepare(now);

        if (poll(pfds, nconns + 1, timeout) < 0) {
            printf("httpd: poll: errno %d\n", errno);
            return 1;
        }
        now = denali_time_ns();
        serve_round(now);
        if (pfds[0].revents & POLLIN)
            accept_some(now);
    }
}
