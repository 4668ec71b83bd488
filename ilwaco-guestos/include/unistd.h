/* unistd.h - descriptors are sockets (net/socket.c); there are no files. */
#ifndef _UNISTD_H
#define _UNISTD_H
#include <sys/types.h>

int close(int fd);
ssize_t read(int fd, void *buf, size_t len);        /* recv(fd, buf, len, 0) */
ssize_t write(int fd, const void *buf, size_t len); /* send(fd, buf, len, 0) */

#endif /* _UNISTD_H */
