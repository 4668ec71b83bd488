/*
 * kv-client: a client of services/kv (port 6379), in a VM beside it.
 * -DSERVER=n: the server is VM n (10.0.0.1 + n).  One of:
 *
 * -DPHASE=1  PUTs keys k0..k19 (value of k<i>: 100 * i + 1 bytes of a
 *            pattern; k19's 4,096 bytes, the largest allowed), overwrites
 *            k3, DELETEs k5 (twice: DELETED, then NOT_FOUND) and checks
 *            every GET; prints "phase 1 ok".
 * -DPHASE=2  the same server's data after the VM was destroyed and created
 *            again on its disk: every key as phase 1 left it, k5 gone;
 *            prints "phase 2 ok".
 * -DCOMPACT  with PHASE=1: puts every key 8 times over (versions 1..8,
 *            about 170 KB through a log of 124 KB, so the log is compacted)
 *            and deletes k5; with PHASE=2 checks that all keys hold version
 *            8 and k5 is gone.
 * -DMALFORMED  bad commands; each must get its ERROR line and the next
 *            command must still work; prints one line per reply and
 *            "malformed ok".
 *
 * Exits 0 when every check passed, 1 otherwise.
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
#define KEYS 20

static int fd;
static char in[8192];
static uint32_t in_len;

static void fail(const char *what, const char *detail)
{
    printf("FAIL %s: %s\n", what, detail);
    failures++;
}

static void send_bytes(const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t k = send(fd, c, n, 0);
        if (k <= 0) {
            fail("send", "refused");
            return;
        }
        c += k;
        n -= (size_t)k;
    }
}

static void send_str(const char *s)
{
    send_bytes(s, strlen(s));
}

/* At least n bytes in the buffer: 0, or -1 at EOF. */
static int need(uint32_t n)
{
    while (in_len < n) {
        ssize_t k = recv(fd, in + in_len, sizeof in - in_len, 0);
        if (k <= 0)
            return -1;
        in_len += (uint32_t)k;
    }
    return 0;
}

static void take(void *dst, uint32_t n)
{
    if (dst)
        memcpy(dst, in, n);
    memmove(in, in + n, in_len - n);
    in_len -= n;
}

/* The next reply line, without its '\n', into line (NUL-terminated). */
static int read_line(char *line, size_t cap)
{
    for (;;) {
        char *nl = memchr(in, '\n', in_len);
        if (nl) {
            uint32_t n = (uint32_t)(nl - in);
            if (n >= cap)
                n = (uint32_t)cap - 1;
            memcpy(line, in, n);
            line[n] = 0;
            take(NULL, (uint32_t)(nl - in) + 1);
            return 0;
        }
        if (in_len == sizeof in || need(in_len + 1) < 0)
            return -1;
    }
}

__attribute__((unused)) static void expect_line(const char *label, const char *want)
{
    char line[128];

    if (read_line(line, sizeof line) < 0)
        strcpy(line, "<eof>");
    if (strcmp(line, want) != 0)
        fail(label, line);
    printf("%s: %s\n", label, line);
}

/* ---- values ------------------------------------------------------------------ */

static uint32_t value_len(int i)
{
    return i == KEYS - 1 ? 4096 : 100 * (uint32_t)i + 1;
}

static char value_byte(int i, int version, uint32_t k)
{
    return (char)(k * 13 + (uint32_t)i * 7 + (uint32_t)version * 101);
}

__attribute__((unused)) static void put(int i, int version)
{
    static char v[4096];
    char head[64];
    uint32_t n = value_len(i);

    for (uint32_t k = 0; k < n; k++)
        v[k] = value_byte(i, version, k);
    snprintf(head, sizeof head, "PUT k%d %u\n", i, (unsigned)n);
    send_str(head);
    send_bytes(v, n);
    send_str("\n");
    char line[64];
    if (read_line(line, sizeof line) < 0 || strcmp(line, "STORED") != 0)
        fail("put", line);
}

/* GET k<i>: version it must hold, or -1 for NOT_FOUND. */
__attribute__((unused)) static void check_key(int i, int version)
{
    char cmd[32], line[64];
    uint32_t n;

    snprintf(cmd, sizeof cmd, "GET k%d\n", i);
    send_str(cmd);
    if (read_line(line, sizeof line) < 0) {
        fail("get", "eof");
        return;
    }
    if (version < 0) {
        if (strcmp(line, "NOT_FOUND") != 0)
            fail("get (deleted)", line);
        return;
    }
    if (strncmp(line, "VALUE ", 6) != 0 || (n = (uint32_t)strtoul(line + 6, NULL, 10)) != value_len(i)
        || need(n + 1) < 0) {
        fail("get", line);
        return;
    }
    for (uint32_t k = 0; k < n; k++)
        if (in[k] != value_byte(i, version, k)) {
            fail("get", "value differs");
            break;
        }
    if (in[n] != '\n')
        fail("get", "no line end after the value");
    take(NULL, n + 1);
}

#ifdef COMPACT
#define PUT_ROUNDS 8
#else
#define PUT_ROUNDS 1
#endif

/* What phase 1 leaves: k5 deleted, k3 at version 2 (-DCOMPACT: every key
 * at version 8), the rest at version 1. */
__attribute__((unused)) static void check_all(void)
{
    for (int i = 0; i < KEYS; i++)
        check_key(i, i == 5 ? -1 : PUT_ROUNDS > 1 ? PUT_ROUNDS : i == 3 ? 2 : 1);
}

int main(void)
{
    fd = connect_retrying(vm_ip(SERVER), 6379);     /* the server replays its log first */
    if (fd < 0) {
        printf("FAIL connect: errno %d\n", errno);
        return 1;
    }
#if PHASE == 1
    for (int v = 1; v <= PUT_ROUNDS; v++)
        for (int i = 0; i < KEYS; i++)
            put(i, v);
    if (PUT_ROUNDS == 1)
        put(3, 2);
    send_str("DELETE k5\n");
    expect_line("delete k5", "DELETED");
    send_str("DELETE k5\n");
    expect_line("delete k5 again", "NOT_FOUND");
    check_all();
    send_str("STATS\n");
    char line[192];
    read_line(line, sizeof line);
    printf("%s\n", line);
    printf("phase 1 %s\n", failures ? "FAILED" : "ok");
#elif PHASE == 2
    check_all();
    printf("phase 2 %s\n", failures ? "FAILED" : "ok");
#elif defined(MALFORMED)
    static char big[5000];
    memset(big, 'v', sizeof big);
    send_str("FROB x\n");
    expect_line("unknown", "ERROR unknown command");
    send_str("GET\n");
    expect_line("no key", "ERROR wrong number of arguments");
    send_str("PUT a\n");
    expect_line("put without length", "ERROR wrong number of arguments");
    send_str("GET aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n");
    expect_line("key of 65", "ERROR key too long");
    send_str("GET a\x01z\n");
    expect_line("control byte in key", "ERROR bad key");
    send_str("PUT a x1\n");
    expect_line("bad length", "ERROR bad length");
    send_str("PUT a 5000\n");
    send_bytes(big, sizeof big);
    send_str("\n");
    expect_line("value of 5000", "ERROR value too long");
    send_str("PUT a 3\nabcdef\n");
    expect_line("value without its line end", "ERROR value not followed by a line end");
    for (int i = 0; i < 300; i++)
        send_str("x");
    send_str("\n");
    expect_line("line of 301", "ERROR line too long");
    /* the connection is still in step */
    send_str("PUT a 3\r\nabc\r\n");
    expect_line("put after errors", "STORED");
    send_str("get a\n");
    expect_line("get after errors", "VALUE 3");
    char v[4];
    if (need(4) == 0) {
        take(v, 4);
        if (memcmp(v, "abc\n", 4) != 0)
            fail("value", "differs");
    }
    send_str("PING\n");
    expect_line("ping", "PONG");
    send_str("QUIT\n");
    expect_line("quit", "BYE");
    char c;
    if (recv(fd, &c, 1, 0) != 0)
        fail("quit", "not closed");
    printf("malformed %s\n", failures ? "FAILED" : "ok");
#endif
    close(fd);
    return failures ? 1 : 0;
}
