/*
 * ilwaco/param.h - the kernel's fixed sizes, in one place.
 */
#ifndef ILWACO_PARAM_H
#define ILWACO_PARAM_H

#define ILWACO_THREAD_MAX          64        /* threads alive at once, main included */
#define ILWACO_THREAD_STACK_BYTES  (16 * 1024) /* default stack of thread_create */
#define ILWACO_MAIN_STACK_BYTES    (64 * 1024) /* kept below MEM_SIZE for main's stack */

#endif /* ILWACO_PARAM_H */
