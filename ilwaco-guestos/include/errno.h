/* errno.h - the error numbers the runtime sets (libc/errno.c). */
#ifndef _ERRNO_H
#define _ERRNO_H

extern int errno;

/* The values are Linux's, so the native build agrees with a guest. */
#define EIO     5
#define EBADF   9       /* not an open socket */
#define EAGAIN  11      /* thread_create: no free thread slot; sockets: would block */
#define EWOULDBLOCK EAGAIN
#define ENOMEM  12      /* thread_create: no pages for the stack */
#define EFAULT  14
#define EBUSY   16      /* mutex_trylock: held */
#define EINVAL  22
#define EMFILE  24      /* no free socket descriptor */
#define ENOSPC  28
#define EPIPE   32      /* send after the connection was shut down */
#define EDOM    33
#define ERANGE  34
#define EDEADLK 35      /* thread_join on itself */
#define ENOSYS  38      /* no such device (no NIC, no disk) */
#define ENOTSOCK        88
#define EDESTADDRREQ    89
#define EMSGSIZE        90
#define EPROTOTYPE      91
#define ENOPROTOOPT     92
#define EPROTONOSUPPORT 93
#define EOPNOTSUPP      95
#define EAFNOSUPPORT    97
#define EADDRINUSE      98
#define EADDRNOTAVAIL   99
#define ENETDOWN        100
#define ENETUNREACH     101
#define ECONNABORTED    103
#define ECONNRESET      104
#define ENOBUFS         105
#define EISCONN         106
#define ENOTCONN        107
#define ETIMEDOUT       110     /* cond_timedwait: the deadline passed; connect/recv timeouts */
#define ECONNREFUSED    111
#define EHOSTUNREACH    113     /* ARP got no answer */
#define EALREADY        114
#define EINPROGRESS     115

#endif /* _ERRNO_H */
