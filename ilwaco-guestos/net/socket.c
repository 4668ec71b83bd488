/*
 * net/socket.c - descriptors and the BSD socket calls, poll, fcntl.
 *
 * A descriptor is an index (plus FD_BASE) into a table of pointers to
 * sockets, each malloc'ed when created, so an unused table costs one word
 * per slot.  Every call takes net_lock, holds a reference on the socket for
 * as long as it runs (it may sleep in sock_wait), and hands the work to
 * tcp.c (SOCK_STREAM) or udp.c (SOCK_DGRAM).
 *
 * close() takes the descriptor out of the table at once; the socket itself
 * (and tcp_close/udp_close) goes when the last call still using it from
 * another thread returns.  Those calls are woken and fail with EBADF.
 *
 * poll() rescans its descriptors whenever a socket it may be watching
 * changes: sock_wakeup broadcasts poll_cond while any thread polls.  With
 * no poller that costs nothing; a poller is woken by every socket event of
 * the VM, which is right for the one-event-loop servers that poll.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <ilwaco/param.h>
#include "lower.h"

#define FD_BASE         3
#define SOCK_RESERVED   ((struct sockent *)1)   /* slot held by an accept in progress */
#define STREAM_BUF_SIZE 16384                   /* SO_SNDBUF / SO_RCVBUF: TCP_SNDBUF, TCP_RCVBUF */
#define DGRAM_BUF_SIZE  32768

struct sockent {
    struct socket so;           /* first: a struct socket * is a struct sockent * */
    int refs;                   /* calls using it now */
    int closed;                 /* its descriptor is gone */
    uint8_t reuseaddr, keepalive, nodelay;
};

static struct sockent *fds[ILWACO_SOCKET_MAX];
static cond_t poll_cond = COND_INITIALIZER;
static int pollers;

/* ---- for tcp.c and udp.c (lock held) ------------------------------------------ */

void sock_wakeup(struct socket *so)
{
    cond_broadcast(&so->cond);
    if (pollers)
        cond_broadcast(&poll_cond);
}

int sock_closed(const struct socket *so)
{
    return ((const struct sockent *)so)->closed;
}

int sock_wait(struct socket *so, uint64_t deadline_ns)
{
    int r;

    if (sock_closed(so))
        return -EBADF;
    if (deadline_ns && net_now() >= deadline_ns)
        return -ETIMEDOUT;
    r = cond_timedwait(&so->cond, &net_lock, deadline_ns ? deadline_ns : TIMER_NO_DEADLINE);
    if (sock_closed(so))
        return -EBADF;
    return r ? -ETIMEDOUT : 0;
}

uint64_t sock_deadline(const struct socket *so, int sending)
{
    uint64_t t = sending ? so->sndtimeo_ns : so->rcvtimeo_ns;

    return t ? net_now() + t : 0;
}

/* ---- the table ----------------------------------------------------------------------- */

static struct sockent *slot(int fd)
{
    struct sockent *e;

    if (fd < FD_BASE || fd >= FD_BASE + ILWACO_SOCKET_MAX)
        return 0;
    e = fds[fd - FD_BASE];
    return e == SOCK_RESERVED ? 0 : e;
}

/* A free slot, marked reserved: its index, or -EMFILE. */
static int reserve(void)
{
    for (int i = 0; i < ILWACO_SOCKET_MAX; i++) {
        if (!fds[i]) {
            fds[i] = SOCK_RESERVED;
            return i;
        }
    }
    return -EMFILE;
}

static struct sockent *new_socket(int idx, int type)
{
    struct sockent *e = calloc(1, sizeof *e);

    if (e) {
        e->so.fd = idx + FD_BASE;
        e->so.type = type;
        cond_init(&e->so.cond);
    }
    return e;
}

static void destroy(struct sockent *e)
{
    if (e->so.type == SOCK_STREAM)
        tcp_close(&e->so);
    else
        udp_close(&e->so);
    free(e);
}

/* Take the lock and a reference on fd's socket; NULL (lock released) and
 * errno = EBADF when fd is not an open socket. */
static struct sockent *enter(int fd)
{
    struct sockent *e;

    net_lock_take();
    e = slot(fd);
    if (!e) {
        mutex_unlock(&net_lock);
        errno = EBADF;
        return 0;
    }
    e->refs++;
    return e;
}

/* Drop the reference and the lock; r < 0 is -errno: set errno, return -1. */
static int leave(struct sockent *e, int r)
{
    if (r < 0 && e->closed)
        r = -EBADF;
    if (--e->refs == 0 && e->closed)
        destroy(e);
    mutex_unlock(&net_lock);
    if (r < 0) {
        errno = -r;
        return -1;
    }
    return r;
}

static int fail(int err)
{
    errno = err;
    return -1;
}

/* ---- addresses ----------------------------------------------------------------------- */

static int addr_in(const struct sockaddr *a, socklen_t len, uint32_t *ip, uint16_t *port)
{
    struct sockaddr_in sin;

    if (!a || len < sizeof sin)
        return -EINVAL;
    memcpy(&sin, a, sizeof sin);
    if (sin.sin_family != AF_INET)
        return -EAFNOSUPPORT;
    *ip = sin.sin_addr.s_addr;
    *port = ntohs(sin.sin_port);
    return 0;
}

static void addr_out(struct sockaddr *a, socklen_t *len, uint32_t ip, uint16_t port)
{
    struct sockaddr_in sin;

    if (!a || !len)
        return;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    sin.sin_addr.s_addr = ip;
    memcpy(a, &sin, *len < sizeof sin ? *len : sizeof sin);
    *len = sizeof sin;
}

static int is_stream(const struct sockent *e)
{
    return e->so.type == SOCK_STREAM;
}

/* ---- creating and closing --------------------------------------------------------------- */

int socket(int domain, int type, int protocol)
{
    struct sockent *e;
    int idx, r;

    if (domain != AF_INET)
        return fail(EAFNOSUPPORT);
    if (type != SOCK_STREAM && type != SOCK_DGRAM)
        return fail(EINVAL);
    if (protocol != 0 && protocol != (type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP))
        return fail(EPROTONOSUPPORT);
    if ((r = net_start()) != 0)
        return fail(-r);
    net_lock_take();
    idx = reserve();
    if (idx < 0) {
        mutex_unlock(&net_lock);
        return fail(EMFILE);
    }
    e = new_socket(idx, type);
    r = !e ? -ENOMEM : type == SOCK_STREAM ? tcp_open(&e->so) : udp_open(&e->so);
    if (r < 0) {
        fds[idx] = 0;
        free(e);
        mutex_unlock(&net_lock);
        return fail(-r);
    }
    fds[idx] = e;
    mutex_unlock(&net_lock);
    return idx + FD_BASE;
}

int close(int fd)
{
    struct sockent *e;

    net_lock_take();            /* tcp_close may send: from the current address */
    e = slot(fd);
    if (!e) {
        mutex_unlock(&net_lock);
        return fail(EBADF);
    }
    fds[fd - FD_BASE] = 0;
    e->closed = 1;
    if (e->refs == 0)
        destroy(e);
    else
        sock_wakeup(&e->so);    /* its callers see EBADF; the last one destroys it */
    mutex_unlock(&net_lock);
    return 0;
}

/* ---- connections ---------------------------------------------------------------------------- */

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
    struct sockent *e = enter(fd);
    uint32_t ip;
    uint16_t port;
    int r;

    if (!e)
        return -1;
    r = addr_in(addr, len, &ip, &port);
    if (r == 0)
        r = is_stream(e) ? tcp_bind(&e->so, ip, port) : udp_bind(&e->so, ip, port);
    return leave(e, r);
}

int listen(int fd, int backlog)
{
    struct sockent *e = enter(fd);

    if (!e)
        return -1;
    if (backlog > SOMAXCONN)
        backlog = SOMAXCONN;
    if (backlog < 1)
        backlog = 1;
    return leave(e, is_stream(e) ? tcp_listen(&e->so, backlog) : -EOPNOTSUPP);
}

int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
    struct sockent *e = enter(fd), *ne;
    uint32_t ip = 0;
    uint16_t port = 0;
    int idx, r;

    if (!e)
        return -1;
    if (!is_stream(e))
        return leave(e, -EOPNOTSUPP);
    idx = reserve();
    if (idx < 0)
        return leave(e, idx);
    ne = new_socket(idx, SOCK_STREAM);
    r = ne ? tcp_accept(&e->so, &ne->so, &ip, &port) : -ENOMEM;
    if (r < 0) {
        fds[idx] = 0;
        free(ne);
        return leave(e, r);
    }
    fds[idx] = ne;
    addr_out(addr, len, ip, port);
    return leave(e, ne->so.fd);
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    struct sockent *e = enter(fd);
    uint32_t ip;
    uint16_t port;
    int r;

    if (!e)
        return -1;
    if (!is_stream(e) && addr && len >= sizeof(sa_family_t) && addr->sa_family == AF_UNSPEC)
        return leave(e, udp_connect(&e->so, 0, 0));
    r = addr_in(addr, len, &ip, &port);
    if (r == 0)
        r = is_stream(e) ? tcp_connect(&e->so, ip, port) : udp_connect(&e->so, ip, port);
    return leave(e, r);
}

int shutdown(int fd, int how)
{
    struct sockent *e = enter(fd);

    if (!e)
        return -1;
    if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
        return leave(e, -EINVAL);
    return leave(e, is_stream(e) ? tcp_shutdown(&e->so, how) : udp_shutdown(&e->so, how));
}

/* ---- data ---------------------------------------------------------------------------------------- */

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tolen)
{
    struct sockent *e = enter(fd);
    uint32_t ip = 0;
    uint16_t port = 0;
    int r = 0;

    if (!e)
        return -1;
    if (is_stream(e))
        return leave(e, tcp_send(&e->so, buf, len, flags));
    if (to) {
        r = addr_in(to, tolen, &ip, &port);
        if (r == 0 && ip == 0)
            ip = NET_IP_LOOPBACK;       /* 0.0.0.0: this host */
    }
    if (r == 0)
        r = udp_sendto(&e->so, buf, len, flags, ip, port);
    return leave(e, r);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
    return sendto(fd, buf, len, flags, 0, 0);
}

ssize_t write(int fd, const void *buf, size_t len)
{
    return sendto(fd, buf, len, 0, 0, 0);
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from, socklen_t *fromlen)
{
    struct sockent *e = enter(fd);
    uint32_t ip = 0;
    uint16_t port = 0;
    int r;

    if (!e)
        return -1;
    if (is_stream(e)) {
        r = tcp_recv(&e->so, buf, len, flags);
        if (r >= 0 && from && tcp_getname(&e->so, 1, &ip, &port) == 0)
            addr_out(from, fromlen, ip, port);
    } else {
        r = udp_recvfrom(&e->so, buf, len, flags, &ip, &port);
        if (r >= 0)
            addr_out(from, fromlen, ip, port);
    }
    return leave(e, r);
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
    return recvfrom(fd, buf, len, flags, 0, 0);
}

ssize_t read(int fd, void *buf, size_t len)
{
    return recvfrom(fd, buf, len, 0, 0, 0);
}

/* ---- names and options ------------------------------------------------------------------------------ */

static int getname(int fd, struct sockaddr *addr, socklen_t *len, int peer)
{
    struct sockent *e = enter(fd);
    uint32_t ip = 0;
    uint16_t port = 0;
    int r;

    if (!e)
        return -1;
    if (!addr || !len)
        return leave(e, -EFAULT);
    r = is_stream(e) ? tcp_getname(&e->so, peer, &ip, &port) : udp_getname(&e->so, peer, &ip, &port);
    if (r == 0)
        addr_out(addr, len, ip, port);
    return leave(e, r);
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
    return getname(fd, addr, len, 0);
}

int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
    return getname(fd, addr, len, 1);
}

static uint64_t timeval_ns(const struct timeval *tv)
{
    return (uint64_t)tv->tv_sec * 1000000000ull + (uint64_t)tv->tv_usec * 1000ull;
}

static int set_opt(struct sockent *e, int level, int name, const void *val, socklen_t len)
{
    int v;

    if (!val)
        return -EFAULT;
    if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO)) {
        struct timeval tv;
        if (len < sizeof tv)
            return -EINVAL;
        memcpy(&tv, val, sizeof tv);
        if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
            return -EINVAL;
        *(name == SO_RCVTIMEO ? &e->so.rcvtimeo_ns : &e->so.sndtimeo_ns) = timeval_ns(&tv);
        return 0;
    }
    if (len < sizeof v)
        return -EINVAL;
    memcpy(&v, val, sizeof v);
    if (level == SOL_SOCKET && name == SO_REUSEADDR)
        e->reuseaddr = v != 0;
    else if (level == SOL_SOCKET && name == SO_KEEPALIVE)
        e->keepalive = v != 0;
    else if (level == IPPROTO_TCP && name == TCP_NODELAY && is_stream(e))
        e->nodelay = v != 0;
    else
        return -ENOPROTOOPT;
    return 0;
}

static int get_opt(struct sockent *e, int level, int name, void *val, socklen_t *len)
{
    int v;

    if (!val || !len)
        return -EFAULT;
    if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO)) {
        uint64_t ns = name == SO_RCVTIMEO ? e->so.rcvtimeo_ns : e->so.sndtimeo_ns;
        struct timeval tv = {(int32_t)(ns / 1000000000ull), (int32_t)(ns % 1000000000ull / 1000)};
        if (*len < sizeof tv)
            return -EINVAL;
        memcpy(val, &tv, sizeof tv);
        *len = sizeof tv;
        return 0;
    }
    if (level == SOL_SOCKET && name == SO_ERROR) {
        v = e->so.error;
        e->so.error = 0;
    } else if (level == SOL_SOCKET && name == SO_REUSEADDR) {
        v = e->reuseaddr;
    } else if (level == SOL_SOCKET && name == SO_KEEPALIVE) {
        v = e->keepalive;
    } else if (level == SOL_SOCKET && (name == SO_SNDBUF || name == SO_RCVBUF)) {
        v = is_stream(e) ? STREAM_BUF_SIZE : DGRAM_BUF_SIZE;
    } else if (level == IPPROTO_TCP && name == TCP_NODELAY && is_stream(e)) {
        v = e->nodelay;
    } else {
        return -ENOPROTOOPT;
    }
    if (*len < sizeof v)
        return -EINVAL;
    memcpy(val, &v, sizeof v);
    *len = sizeof v;
    return 0;
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
    struct sockent *e = enter(fd);

    return e ? leave(e, set_opt(e, level, name, val, len)) : -1;
}

int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
    struct sockent *e = enter(fd);

    return e ? leave(e, get_opt(e, level, name, val, len)) : -1;
}

int fcntl(int fd, int cmd, ...)
{
    struct sockent *e = enter(fd);
    va_list ap;
    int r = 0;

    if (!e)
        return -1;
    if (cmd == F_GETFL) {
        r = e->so.nonblock ? O_NONBLOCK : 0;
    } else if (cmd == F_SETFL) {
        va_start(ap, cmd);
        e->so.nonblock = (va_arg(ap, int) & O_NONBLOCK) != 0;
        va_end(ap);
    } else {
        r = -EINVAL;
    }
    return leave(e, r);
}

/* ---- poll ------------------------------------------------------------------------------------------------- */

/* Lock held: fill in revents; how many are non-zero. */
static int scan(struct pollfd *fds_, nfds_t n)
{
    int ready = 0;

    for (nfds_t i = 0; i < n; i++) {
        struct pollfd *p = &fds_[i];
        struct sockent *e;
        int bits;

        p->revents = 0;
        if (p->fd < 0)
            continue;
        e = slot(p->fd);
        if (!e)
            bits = POLLNVAL;
        else
            bits = (is_stream(e) ? tcp_poll(&e->so) : udp_poll(&e->so)) & (p->events | POLLERR | POLLHUP);
        p->revents = (short)bits;
        if (bits)
            ready++;
    }
    return ready;
}

int poll(struct pollfd *fds_, nfds_t n, int timeout_ms)
{
    uint64_t deadline = TIMER_NO_DEADLINE;
    int ready;

    if (n > 0 && !fds_)
        return fail(EFAULT);
    net_lock_take();
    if (timeout_ms > 0)
        deadline = net_now() + (uint64_t)timeout_ms * 1000000ull;
    for (;;) {
        ready = scan(fds_, n);
        if (ready || timeout_ms == 0 || (timeout_ms > 0 && net_now() >= deadline))
            break;
        pollers++;
        int r = cond_timedwait(&poll_cond, &net_lock, deadline);
        pollers--;
        if (r) {
            ready = scan(fds_, n);
            break;
        }
    }
    mutex_unlock(&net_lock);
    return ready;
}
