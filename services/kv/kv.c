/*
 * services/kv/kv.c - a key-value store over TCP on port 6379, kept on the
 * VM's disk (kvlog.c) so that it outlives the VM.
 *
 * Protocol: one command per line (LF or CRLF), words separated by spaces
 * or tabs, command names in any case:
 *
 *   GET key              VALUE <len>\n<bytes>\n   or  NOT_FOUND\n
 *   PUT key len\n<bytes>\n                        STORED\n
 *   DELETE key           DELETED\n  or  NOT_FOUND\n
 *   PING                 PONG\n
 *   STATS                STATS keys=.. bytes=.. disk=on|off log=used/size ..\n
 *   QUIT                 BYE\n, then the server closes the connection
 *
 * Anything wrong gets "ERROR <reason>\n" and the connection goes on: keys
 * are 1..64 bytes of visible ASCII, values 0..4096 bytes of anything, a
 * line at most KV_LINE_MAX bytes (a longer one is dropped up to its end);
 * a PUT whose length is over the limit has its value read and dropped, so
 * the next command is still found.  STORED and DELETED are sent only once
 * the change is on disk.
 *
 * One thread, one poll() loop; a command is read and answered at a time
 * per connection (the next once the reply has gone out), so a client that
 * does not read its replies is not read either.  Disk writes block the
 * loop while they last (one request of at most three blocks per change).
 */
#include <errno.h>
#include <fcntl.h>
#include <ilwaco.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "kvlog.h"
#include "store.h"

#define KV_PORT        6379
#define KV_MAX_CONNS   64
#define KV_LINE_MAX    256              /* a command line, its line end included */
#define KV_REPLY_MAX   192              /* a reply other than VALUE */
#define KV_IDLE_NS     (300ull * 1000000000ull)

enum conn_state {
    ST_LINE,                    /* reading a command line */
    ST_VALUE,                   /* reading a PUT's value and its line end */
    ST_SKIP,                    /* dropping a too-long value (skip bytes) */
    ST_SKIP_LINE,               /* dropping up to the next line end */
};

struct conn {
    int fd;
    uint8_t peer_eof, closing;
    enum conn_state state;
    char *in;                   /* received, not yet handled */
    uint32_t in_len, in_cap;
    uint32_t skip;              /* ST_SKIP */
    char key[KV_KEY_MAX];       /* ST_VALUE: the PUT's key and length */
    uint32_t klen, vlen;
    char *out;                  /* the reply going out: reply or heap */
    uint32_t out_len, out_off;
    uint64_t deadline;
    char reply[KV_REPLY_MAX];
};

static struct {
    uint32_t accepted, closed, accept_failed, at_limit, timeouts, resets;
    uint32_t commands, errors;
} st;

static int listen_fd = -1;
static struct conn *conns[KV_MAX_CONNS];
static int nconns;

/* ---- replies ------------------------------------------------------------------- */

/* Send the n bytes in c->reply. */
static void reply_n(struct conn *c, int n)
{
    if (n < 0 || n >= (int)sizeof c->reply)
        n = sizeof c->reply - 1;        /* snprintf cut it short */
    c->out = c->reply;
    c->out_len = (uint32_t)n;
    c->out_off = 0;
}

static void reply(struct conn *c, const char *text)
{
    reply_n(c, snprintf(c->reply, sizeof c->reply, "%s", text));
}

static void reply_error(struct conn *c, const char *reason)
{
    reply_n(c, snprintf(c->reply, sizeof c->reply, "ERROR %s\n", reason));
    st.errors++;
}

static void reply_value(struct conn *c, const struct kv_entry *e)
{
    char head[24];
    int n = snprintf(head, sizeof head, "VALUE %u\n", (unsigned)e->vlen);
    char *out = malloc((size_t)n + e->vlen + 1);

    if (out == NULL) {
        reply_error(c, "out of memory");
        return;
    }
    memcpy(out, head, (size_t)n);
    memcpy(out + n, kv_value(e), e->vlen);
    out[n + e->vlen] = '\n';
    c->out = out;
    c->out_len = (uint32_t)n + e->vlen + 1;
    c->out_off = 0;
}

static void reply_stats(struct conn *c)
{
    struct kvlog_stats ls;

    kvlog_stats(&ls);
    reply_n(c, snprintf(c->reply, sizeof c->reply,
             "STATS keys=%u bytes=%u disk=%s log=%u/%u live=%u generation=%u compactions=%u"
             " connections=%d errors=%u\n",
             (unsigned)store_keys(), (unsigned)store_bytes(), kvlog_on() ? "on" : "off",
             (unsigned)ls.used, (unsigned)ls.log_bytes, (unsigned)ls.live,
             (unsigned)ls.generation, (unsigned)ls.compactions, nconns, (unsigned)st.errors));
}

static void out_done(struct conn *c)
{
    if (c->out != c->reply)
        free(c->out);
    c->out = NULL;
    c->out_len = c->out_off = 0;
}

/* ---- commands ------------------------------------------------------------------ */

/* Split a line into at most max words: how many, or max + 1 if more. */
static int split(char *line, size_t n, char **word, size_t *len, int max)
{
    int count = 0;
    size_t i = 0;

    for (;;) {
        while (i < n && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i == n)
            return count;
        if (count == max)
            return max + 1;
        word[count] = line + i;
        while (i < n && line[i] != ' ' && line[i] != '\t')
            i++;
        len[count] = (size_t)(word[count] - line);
        len[count] = i - len[count];
        count++;
    }
}

static int is_command(const char *w, size_t n, const char *name)
{
    size_t i;

    for (i = 0; i < n && name[i]; i++)
        if ((w[i] >= 'a' && w[i] <= 'z' ? w[i] - 32 : w[i]) != name[i])
            return 0;
    return i == n && name[i] == 0;
}

/* A key word: 0, or an error reply sent. */
static int check_key(struct conn *c, const char *key, size_t n)
{
    if (n > KV_KEY_MAX) {
        reply_error(c, "key too long");
        return -1;
    }
    if (!kv_key_valid(key, n)) {
        reply_error(c, "bad key");
        return -1;
    }
    return 0;
}

/* A decimal length of at most 9 digits: 0, or -1. */
static int parse_len(const char *w, size_t n, uint32_t *out)
{
    uint32_t v = 0;

    if (n == 0 || n > 9)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (w[i] < '0' || w[i] > '9')
            return -1;
        v = v * 10 + (uint32_t)(w[i] - '0');
    }
    *out = v;
    return 0;
}

static void cmd_put_line(struct conn *c, char **w, size_t *n)
{
    uint32_t len;

    if (check_key(c, w[1], n[1]) < 0)
        return;
    if (parse_len(w[2], n[2], &len) < 0) {
        reply_error(c, "bad length");
        return;
    }
    if (len > KV_VALUE_MAX) {
        reply_error(c, "value too long");
        c->state = ST_SKIP;             /* drop the value and its line end */
        c->skip = len;
        return;
    }
    memcpy(c->key, w[1], n[1]);
    c->klen = (uint32_t)n[1];
    c->vlen = len;
    c->state = ST_VALUE;
}

/* The value of a PUT has arrived: store it, durably. */
static void cmd_put_value(struct conn *c, const char *val)
{
    struct kv_entry *e;

    if (!store_fits(c->key, c->klen, c->vlen) || !kvlog_fits(c->key, c->klen, c->vlen)) {
        reply_error(c, "store full");
        return;
    }
    if ((e = store_entry_new(c->key, c->klen, val, c->vlen)) == NULL) {
        reply_error(c, "out of memory");
        return;
    }
    if (kvlog_put(c->key, c->klen, val, c->vlen) < 0) {
        free(e);
        reply_error(c, "disk write failed");
        return;
    }
    store_insert(e);
    reply(c, "STORED\n");
}

static void cmd_delete(struct conn *c, const char *key, size_t n)
{
    if (store_get(key, n) == NULL) {
        reply(c, "NOT_FOUND\n");
        return;
    }
    if (kvlog_delete(key, n) < 0) {
        reply_error(c, "disk write failed");
        return;
    }
    store_delete(key, n);
    reply(c, "DELETED\n");
}

/* One command line (line end removed). */
static void command(struct conn *c, char *line, size_t len)
{
    char *w[3];
    size_t n[3];
    int words = split(line, len, w, n, 3);
    const struct kv_entry *e;

    if (words == 0)
        return;                         /* empty lines are ignored */
    st.commands++;
    if (is_command(w[0], n[0], "GET") || is_command(w[0], n[0], "DELETE")) {
        if (words != 2) {
            reply_error(c, "wrong number of arguments");
        } else if (check_key(c, w[1], n[1]) == 0) {
            if (n[0] == 6)
                cmd_delete(c, w[1], n[1]);
            else if ((e = store_get(w[1], n[1])) != NULL)
                reply_value(c, e);
            else
                reply(c, "NOT_FOUND\n");
        }
    } else if (is_command(w[0], n[0], "PUT")) {
        if (words != 3)
            reply_error(c, "wrong number of arguments");
        else
            cmd_put_line(c, w, n);
    } else if (words == 1 && is_command(w[0], n[0], "PING")) {
        reply(c, "PONG\n");
    } else if (words == 1 && is_command(w[0], n[0], "STATS")) {
        reply_stats(c);
    } else if (words == 1 && is_command(w[0], n[0], "QUIT")) {
        reply(c, "BYE\n");
        c->closing = 1;
    } else {
        reply_error(c, "unknown command");
    }
}

/* ---- input --------------------------------------------------------------------- */

static void consume(struct conn *c, uint32_t n)
{
    memmove(c->in, c->in + n, c->in_len - n);
    c->in_len -= n;
}

/* Drop what the skipping states drop: 1 if still skipping. */
static int skip_input(struct conn *c)
{
    if (c->state == ST_SKIP) {
        uint32_t k = c->skip < c->in_len ? c->skip : c->in_len;

        consume(c, k);
        c->skip -= k;
        if (c->skip > 0)
            return 1;
        c->state = ST_SKIP_LINE;
    }
    if (c->state == ST_SKIP_LINE) {
        char *nl = memchr(c->in, '\n', c->in_len);

        if (nl == NULL) {
            c->in_len = 0;
            return 1;
        }
        consume(c, (uint32_t)(nl - c->in) + 1);
        c->state = ST_LINE;
    }
    return 0;
}

/* Handle the next command or value if it is all here: 1 if a reply may
 * have been queued, 0 if waiting for input. */
static int next_command(struct conn *c)
{
    char *nl;

    if (skip_input(c))
        return 0;
    if (c->state == ST_VALUE) {
        uint32_t v = c->vlen;

        if (c->in_len < v + 1 || (c->in[v] == '\r' && c->in_len < v + 2))
            return 0;
        if (c->in[v] == '\n' || (c->in[v] == '\r' && c->in[v + 1] == '\n')) {
            cmd_put_value(c, c->in);
            consume(c, v + (c->in[v] == '\r' ? 2 : 1));
            c->state = ST_LINE;
        } else {
            reply_error(c, "value not followed by a line end");
            consume(c, v);
            c->state = ST_SKIP_LINE;
        }
        return 1;
    }
    nl = memchr(c->in, '\n', c->in_len);
    if (nl == NULL) {
        if (c->in_len < KV_LINE_MAX)
            return 0;
        reply_error(c, "line too long");
        c->in_len = 0;
        c->state = ST_SKIP_LINE;
        return 1;
    }
    {
        uint32_t n = (uint32_t)(nl - c->in);

        if (n + 1 > KV_LINE_MAX) {      /* after a value, the buffer is larger */
            reply_error(c, "line too long");
            consume(c, n + 1);
            return 1;
        }
        command(c, c->in, n > 0 && c->in[n - 1] == '\r' ? n - 1 : n);
        consume(c, n + 1);
    }
    return 1;
}

/* The buffer a connection needs for its state. */
static uint32_t want_cap(const struct conn *c)
{
    return c->state == ST_VALUE ? c->vlen + 2 : KV_LINE_MAX;
}

/* Read what has arrived: 0, or -1 when the connection is dead. */
static int receive(struct conn *c, uint64_t now)
{
    for (;;) {
        ssize_t n;

        if (c->in_cap < want_cap(c)) {
            char *in = realloc(c->in, want_cap(c));

            if (in == NULL)
                return c->in_len > 0 ? 0 : -1;
            c->in = in;
            c->in_cap = want_cap(c);
        }
        if (c->in_len == c->in_cap)
            return 0;
        n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
        if (n == 0) {
            c->peer_eof = 1;
            return 0;
        }
        if (n < 0) {
            if (errno == EAGAIN)
                return 0;
            st.resets++;
            return -1;
        }
        c->in_len += (uint32_t)n;
        c->deadline = now + KV_IDLE_NS;
        if (c->state == ST_SKIP || c->state == ST_SKIP_LINE)
            skip_input(c);
    }
}

/* ---- connections --------------------------------------------------------------- */

static void conn_close(int i)
{
    struct conn *c = conns[i];

    close(c->fd);
    free(c->in);
    out_done(c);
    free(c);
    conns[i] = conns[--nconns];
    st.closed++;
}

/* Send the reply: 0, or -1 when the connection is dead. */
static int flush(struct conn *c, uint64_t now)
{
    while (c->out_off < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

        if (n < 0)
            return errno == EAGAIN ? 0 : -1;
        c->out_off += (uint32_t)n;
        c->deadline = now + KV_IDLE_NS;
    }
    out_done(c);
    return 0;
}

/* Everything the connection can do now: 0, or -1 to close it. */
static int conn_step(struct conn *c, short revents, uint64_t now)
{
    if (revents & POLLNVAL)
        return -1;
    if ((revents & (POLLIN | POLLHUP | POLLERR)) && !c->peer_eof && c->out == NULL
        && receive(c, now) < 0)
        return -1;
    for (;;) {
        if (flush(c, now) < 0) {
            st.resets++;
            return -1;
        }
        if (c->out != NULL)
            return 0;
        if (c->closing)
            return -1;
        if (!next_command(c))
            break;
    }
    if (c->peer_eof)
        return -1;
    if (c->in_len == 0 && c->in != NULL) {
        free(c->in);                    /* idle: hold no buffer */
        c->in = NULL;
        c->in_cap = 0;
    }
    return 0;
}

static void accept_some(uint64_t now)
{
    for (;;) {
        struct conn *c;
        int fd;

        if (nconns == KV_MAX_CONNS) {
            st.at_limit++;
            return;
        }
        fd = accept(listen_fd, NULL, NULL);
        if (fd < 0) {
            if (errno != EAGAIN && errno != ECONNABORTED)
                st.accept_failed++;
            return;
        }
        c = calloc(1, sizeof *c);
        if (c == NULL || fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
            st.accept_failed++;
            free(c);
            close(fd);
            return;
        }
        c->fd = fd;
        c->deadline = now + KV_IDLE_NS;
        conns[nconns++] = c;
        st.accepted++;
    }
}

/* ---- the loop ---------------------------------------------------------------------- */

static int open_listener(void)
{
    struct sockaddr_in a;
    int one = 1;

    listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd < 0)
        return -1;
    setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(KV_PORT);
    a.sin_addr.s_addr = INADDR_ANY;
    if (bind(listen_fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(listen_fd, 16) < 0
        || fcntl(listen_fd, F_SETFL, O_NONBLOCK) < 0)
        return -1;
    return 0;
}

static int prepare(struct pollfd *p, uint64_t now)
{
    uint64_t next = UINT64_MAX;

    p[0] = (struct pollfd){ nconns < KV_MAX_CONNS ? listen_fd : -1, POLLIN, 0 };
    for (int i = 0; i < nconns; i++) {
        /* at EOF a connection is here only while its last reply goes out:
         * POLLOUT, not POLLIN (which stays set at EOF) */
        p[i + 1] = (struct pollfd){ conns[i]->fd, conns[i]->out ? POLLOUT : POLLIN, 0 };
        if (conns[i]->deadline < next)
            next = conns[i]->deadline;
    }
    if (next == UINT64_MAX)
        return -1;
    return next <= now ? 0 : (int)((next - now + 999999) / 1000000);
}

int main(void)
{
    struct pollfd p[KV_MAX_CONNS + 1];

    if (kvlog_open() < 0)
        return 1;
    if (open_listener() < 0) {
        printf("kv: cannot listen on port %d: errno %d\n", KV_PORT, errno);
        return 1;
    }
    printf("kv: listening on port %d\n", KV_PORT);
    for (;;) {
        uint64_t now = denali_time_ns();
        int timeout = prepare(p, now);
        int n = nconns;

        if (poll(p, (nfds_t)n + 1, timeout) < 0) {
            printf("kv: poll: errno %d\n", errno);
            return 1;
        }
        now = denali_time_ns();
        for (int i = n; i-- > 0;) {     /* last first: conn_close fills the hole from the end */
            if (conn_step(conns[i], p[i + 1].revents, now) < 0) {
                conn_close(i);
            } else if (now >= conns[i]->deadline) {
                st.timeouts++;
                conn_close(i);
            }
        }
        if (p[0].revents & POLLIN)
            accept_some(now);
    }
}
