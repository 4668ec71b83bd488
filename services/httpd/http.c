/*
 * services/httpd/http.c - parsing an HTTP/1.x request head (see http.h).
 *
 * The head is checked strictly, as RFC 9112 asks of a server that cannot
 * afford to guess: anything it does not accept is a 400 and the connection
 * is closed, so a malformed request never desynchronises the next one.
 */
#include <string.h>
#include "http.h"

#define BAD 400

/* A cursor over the head: [p, end). */
struct cursor {
    const char *p, *end;
};

/* RFC 9110 tchar: the characters of a token (method, field name). */
static int is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* field-vchar, SP or HTAB: what a field value may hold (obs-text included). */
static int is_field_char(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* s[0, n) equals the lower-case word, ignoring case. */
static int equals_nocase(const char *s, size_t n, const char *word)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (word[i] == 0 || lower((unsigned char)s[i]) != (unsigned char)word[i])
            return 0;
    return word[i] == 0;
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* ---- finding the head's end ------------------------------------------------ */

/* Skip the empty lines a request may be preceded by: the offset of the
 * request line, or len when the buffer holds nothing else (yet). */
static size_t skip_empty_lines(const char *buf, size_t len)
{
    size_t i = 0;

    while (i < len) {
        if (buf[i] == '\n')
            i++;
        else if (buf[i] == '\r' && i + 1 < len && buf[i + 1] == '\n')
            i += 2;
        else if (buf[i] == '\r' && i + 1 == len)
            return len;
        else
            break;
    }
    return i;
}

size_t http_head_len(const char *buf, size_t len, size_t *scan)
{
    size_t i = *scan;

    if (i == 0) {
        i = skip_empty_lines(buf, len);
        if (i == len)
            return 0;
    }
    for (; i < len; i++) {
        if (buf[i] != '\n')
            continue;
        /* a line ends at i: is the next one empty? */
        if (i + 1 < len && buf[i + 1] == '\n')
            return i + 2;
        if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
            return i + 3;
        if (i + 1 == len || (i + 2 == len && buf[i + 1] == '\r'))
            break;                          /* can't tell yet */
    }
    *scan = i;
    return 0;
}

/* ---- lines ----------------------------------------------------------------- */

/* The next line (without its CRLF or LF) into *line, *n; advances c.
 * 0, or BAD when the head ends without a line end (it cannot: the caller
 * passes a whole head). */
static int next_line(struct cursor *c, const char **line, size_t *n)
{
    const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));

    if (nl == NULL)
        return BAD;
    *line = c->p;
    *n = (size_t)(nl - c->p);
    if (*n > 0 && nl[-1] == '\r')
        (*n)--;
    c->p = nl + 1;
    return 0;
}

/* ---- the request line ------------------------------------------------------ */

static enum http_method method_of(const char *s, size_t n)
{
    static const char *const others[] = {
        "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", NULL,
    };

    if (n == 3 && memcmp(s, "GET", 3) == 0)
        return HTTP_GET;
    if (n == 4 && memcmp(s, "HEAD", 4) == 0)
        return HTTP_HEAD;
    for (int i = 0; others[i]; i++)
        if (strlen(others[i]) == n && memcmp(s, others[i], n) == 0)
            return HTTP_KNOWN_OTHER;
    return HTTP_UNKNOWN;           /* methods are case-sensitive */
}

/* The path of a request target: origin form, absolute form, or "*". */
static int parse_target(const char *t, size_t n, struct http_request *req)
{
    const char *q;

    if (n == 1 && t[0] == '*') {
        if (req->method != HTTP_KNOWN_OTHER && req->method != HTTP_UNKNOWN)
            return BAD;                     /* "*" is for OPTIONS only */
        req->path = t;
        req->path_len = 1;
        return 0;
    }
    if (n >= 7 && equals_nocase(t, 7, "http://")) {
        const char *auth = t + 7, *stop = t + n;
        const char *slash = auth;

        while (slash < stop && *slash != '/' && *slash != '?')
            slash++;
        if (slash == auth)
            return BAD;                     /* no host */
        if (slash == stop || *slash == '?') {
            req->path = "/";
            req->path_len = 1;
            return 0;
        }
        n = (size_t)(stop - slash);
        t = slash;
    }
    if (t[0] != '/')
        return BAD;
    q = memchr(t, '?', n);
    req->path = t;
    req->path_len = q ? (size_t)(q - t) : n;
    return 0;
}

/* "HTTP/" DIGIT "." DIGIT: 0 (req->minor set), BAD, or 505 for a version
 * this server does not speak (major other than 1). */
static int parse_version(const char *v, size_t n, struct http_request *req)
{
    if (n != 8 || memcmp(v, "HTTP/", 5) != 0 || !is_digit(v[5]) || v[6] != '.' || !is_digit(v[7]))
        return BAD;
    if (v[5] != '1')
        return 505;
    req->minor = v[7] == '0' ? 0 : 1;
    return 0;
}

static int parse_request_line(const char *s, size_t n, struct http_request *req)
{
    size_t i = 0, m, t0;
    int r;

    while (i < n && is_tchar((unsigned char)s[i]))
        i++;
    if (i == 0 || i == n || s[i] != ' ')
        return BAD;
    m = i++;
    req->method = method_of(s, m);
    t0 = i;
    while (i < n && (unsigned char)s[i] > 0x20 && (unsigned char)s[i] < 0x7f)
        i++;
    if (i == t0 || i == n || s[i] != ' ')
        return BAD;
    /* the version first: a bad version is a 400 before a bad target is */
    r = parse_version(s + i + 1, n - i - 1, req);
    if (r != 0)
        return r;
    return parse_target(s + t0, i - t0, req);
}

/* ---- header fields --------------------------------------------------------- */

struct fields {
    int hosts;
    int close, keep_alive;          /* Connection tokens seen */
    int has_length;
    int transfer_encoding;
};

/* A comma-separated Connection value: note close and keep-alive. */
static void connection_tokens(const char *v, size_t n, struct fields *f)
{
    size_t i = 0;

    while (i < n) {
        size_t a, b;

        while (i < n && (is_ows(v[i]) || v[i] == ','))
            i++;
        a = i;
        while (i < n && v[i] != ',')
            i++;
        b = i;
        while (b > a && is_ows(v[b - 1]))
            b--;
        if (equals_nocase(v + a, b - a, "close"))
            f->close = 1;
        else if (equals_nocase(v + a, b - a, "keep-alive"))
            f->keep_alive = 1;
    }
}

static int content_length(const char *v, size_t n, struct fields *f, struct http_request *req)
{
    uint32_t len = 0;

    if (n == 0 || n > 9)
        return BAD;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit((unsigned char)v[i]))
            return BAD;
        len = len * 10 + (uint32_t)(v[i] - '0');
    }
    if (f->has_length && len != req->content_length)
        return BAD;                         /* two lengths that disagree */
    f->has_length = 1;
    req->content_length = len;
    return 0;
}

/* One field line: name ":" OWS value OWS. */
static int parse_field(const char *s, size_t n, struct fields *f, struct http_request *req)
{
    size_t i = 0, name_len, v0, v1;

    while (i < n && is_tchar((unsigned char)s[i]))
        i++;
    if (i == 0 || i == n || s[i] != ':')
        return BAD;                         /* also: obs-fold, space before ':' */
    name_len = i++;
    while (i < n && is_ows(s[i]))
        i++;
    v0 = i;
    for (; i < n; i++)
        if (!is_field_char((unsigned char)s[i]))
            return BAD;
    v1 = n;
    while (v1 > v0 && is_ows(s[v1 - 1]))
        v1--;

    if (equals_nocase(s, name_len, "host"))
        f->hosts++;
    else if (equals_nocase(s, name_len, "connection"))
        connection_tokens(s + v0, v1 - v0, f);
    else if (equals_nocase(s, name_len, "content-length"))
        return content_length(s + v0, v1 - v0, f, req);
    else if (equals_nocase(s, name_len, "transfer-encoding"))
        f->transfer_encoding = 1;
    return 0;
}

int http_parse(const char *buf, size_t head_len, struct http_request *req)
{
    struct cursor c = { buf + skip_empty_lines(buf, head_len), buf + head_len };
    struct fields f = { 0 };
    const char *line;
    size_t n;
    int r;

    memset(req, 0, sizeof *req);
    if (next_line(&c, &line, &n) != 0)
        return BAD;
    r = parse_request_line(line, n, req);
    if (r != 0)
        return r;
    for (;;) {
        if (next_line(&c, &line, &n) != 0)
            return BAD;
        if (n == 0)
            break;
        r = parse_field(line, n, &f, req);
        if (r != 0)
            return r;
    }
    if (f.hosts > 1 || (req->minor == 1 && f.hosts == 0))
        return BAD;
    if (f.transfer_encoding)
        return 501;
    req->keep_alive = req->minor == 1 ? !f.close : f.keep_alive && !f.close;
    return 0;
}
