/*
 * poll.h - wait for any of several sockets (net/socket.c).
 * timeout_ms < 0 waits forever, 0 only looks.  Returns how many entries have
 * revents != 0, 0 on timeout, -1 with errno.  A listening TCP socket is
 * POLLIN when accept() would not block.  A connection is POLLIN at EOF too
 * (recv returns 0), and POLLHUP, as in Linux, only when both directions are
 * done: the peer's FIN has arrived (or SHUT_RD) and our FIN is queued
 * (shutdown(SHUT_WR)), or the connection is closed; so a server whose
 * client shut down its side still waits for POLLOUT.  POLLERR (with POLLHUP)
 * after a reset.  Negative fds are skipped; an fd that is not open gets
 * POLLNVAL.
 */
#ifndef _POLL_H
#define _POLL_H

#define POLLIN   0x001
#define POLLPRI  0x002
#define POLLOUT  0x004
#define POLLERR  0x008
#define POLLHUP  0x010
#define POLLNVAL 0x020

typedef unsigned int nfds_t;

struct pollfd {
    int fd;
    short events;
    short revents;
};

int poll(struct pollfd *fds, nfds_t nfds, int timeout_ms);

#endif /* _POLL_H */
