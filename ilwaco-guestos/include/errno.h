/* errno.h - the error numbers the runtime sets (libc/errno.c). */
#ifndef _ERRNO_H
#define _ERRNO_H

extern int errno;

#define EDOM    33
#define ENOMEM  12
#define EINVAL  22
#define ERANGE  34

#endif /* _ERRNO_H */
