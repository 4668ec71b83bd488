/*
 * ilwaco/param.h - the kernel's fixed sizes, in one place.
 */
#ifndef ILWACO_PARAM_H
#define ILWACO_PARAM_H

#define ILWACO_THREAD_MAX          128       /* threads alive at once, main and netd included */
#define ILWACO_THREAD_STACK_BYTES  (16 * 1024) /* default stack of thread_create */
#define ILWACO_MAIN_STACK_BYTES    (64 * 1024) /* kept below MEM_SIZE for main's stack */
#define ILWACO_SOCKET_MAX          256       /* open sockets at once (descriptors 3 .. 258) */

#endif /* ILWACO_PARAM_H */
