/*
 * services/httpd/http.h - parsing an HTTP/1.x request head (RFC 9112).
 *
 * http_head_len() finds where a request head (request line, header fields,
 * empty line) ends in the bytes a connection has received so far, and
 * http_parse() parses a whole head.  Neither writes the buffer; the
 * request's path points into it.  What is accepted:
 *
 *   request line   METHOD SP target SP HTTP/d.d, one space each
 *   line ends      CRLF or a bare LF (a CR anywhere else is an error)
 *   empty lines    before the request line are skipped (RFC 9112 2.2)
 *   target         origin form "/path[?query]", or absolute form
 *                  "http://host/path"; "*" (only OPTIONS means anything by it)
 *   header fields  token ":" OWS value OWS; no whitespace before the colon,
 *                  no obs-fold, no control characters but HTAB in values
 *   Host           exactly one for HTTP/1.1, at most one for 1.0
 *   Connection     "close" / "keep-alive" tokens, any case
 *   Content-Length digits only, at most 9; repeats must agree
 *   Transfer-Encoding   refused with 501 (no request bodies are chunked here)
 */
#ifndef HTTPD_HTTP_H
#define HTTPD_HTTP_H
#include <stddef.h>
#include <stdint.h>

enum http_method {
    HTTP_GET,
    HTTP_HEAD,
    HTTP_KNOWN_OTHER,           /* POST, PUT, ...: 405, Allow: GET, HEAD */
    HTTP_UNKNOWN,               /* any other token: 501 */
};

struct http_request {
    enum http_method method;
    const char *path;           /* into the buffer; query stripped */
    size_t path_len;
    int minor;                  /* HTTP/1.minor: 0 or 1 (1.2+ counts as 1) */
    int keep_alive;             /* after this request (version default, Connection) */
    uint32_t content_length;    /* body bytes that follow the head */
};

/* The length of the request head at the start of buf[0, len), through its
 * empty line, or 0 while it is incomplete.  *scan (0 at first) is where the
 * next call resumes, so a head that arrives in many pieces is not scanned
 * from its start every time; reset it to 0 when the buffer's start moves. */
size_t http_head_len(const char *buf, size_t len, size_t *scan);

/* Parse a whole head of head_len bytes (as http_head_len found it) into
 * req: 0, or the status to answer a bad request with (400, 501, 505),
 * after which the connection must be closed. */
int http_parse(const char *buf, size_t head_len, struct http_request *req);

#endif /* HTTPD_HTTP_H */
