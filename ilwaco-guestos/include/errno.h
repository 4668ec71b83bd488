/* errno.h - the error numbers the runtime sets (libc/errno.c). */
#ifndef _ERRNO_H
#define _ERRNO_H

extern int errno;

#define EDOM    33
#define ENOMEM  12
#define EINVAL  22
#define ERANGE  34
#define EAGAIN  11      /* thread_create: no free thread slot */
#define ENOMEM  12      /* thread_create: no pages for the stack */
#define EBUSY   16      /* mutex_trylock: held */
#define EDEADLK 35      /* thread_join on itself */
#define ETIMEDOUT 110   /* cond_timedwait: the deadline passed */

#endif /* _ERRNO_H */
