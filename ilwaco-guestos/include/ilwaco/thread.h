/*
 * ilwaco/thread.h - threads, mutexes and condition variables (kern/thread.c).
 *
 * One VM, one CPU: threads take turns.  A thread runs until it blocks,
 * yields, exits, or is preempted at the start of a VMM quantum while another
 * thread is ready (see README "Threads and timers").  main() is the first
 * thread; exit() from any thread ends the program, and so does returning from
 * main or the last thread's thread_exit (with 0).
 *
 * Errors are returned as errno values (0 = success), as pthreads does.
 * Times are ns on the VM's clock, denali_time_ns().  A thread handle is
 * valid until thread_join returns or a detached thread ends.
 */
#ifndef ILWACO_THREAD_H
#define ILWACO_THREAD_H

#include <stddef.h>
#include <stdint.h>
#include <ilwaco/param.h>
#include <ilwaco/timer.h>

typedef struct thread thread_t;
typedef void *(*thread_fn)(void *arg);

/* A FIFO of blocked threads (internal to mutexes and condition variables). */
struct thread_queue {
    struct thread *head, *tail;
};

/* Start fn(arg) in a new thread with a ILWACO_THREAD_STACK_BYTES stack;
 * *out (if not NULL) gets its handle.  EAGAIN: ILWACO_THREAD_MAX threads
 * exist; ENOMEM: no pages for the stack.  The new thread is ready, but the
 * caller keeps running. */
int thread_create(thread_t **out, thread_fn fn, void *arg);
/* Same with a stack of stack_bytes (rounded up to pages). */
int thread_create_stack(thread_t **out, thread_fn fn, void *arg, size_t stack_bytes);
/* Wait for t to end; *result (if not NULL) gets its return value.
 * EDEADLK: t is the caller; EINVAL: t is detached or already being joined. */
int thread_join(thread_t *t, void **result);
/* Nobody will join t: its stack is freed when it ends. */
int thread_detach(thread_t *t);
__attribute__((noreturn)) void thread_exit(void *result);
void thread_yield(void);
thread_t *thread_self(void);
int thread_id(const thread_t *t);       /* main is 0, then 1, 2, ... */

void thread_sleep_ns(uint64_t ns);
void thread_sleep_until(uint64_t deadline_ns);

/* ---- mutexes: FIFO hand-off, not recursive -------------------------------- */
typedef struct mutex {
    struct thread *owner;
    struct thread_queue waiters;
} mutex_t;
#define MUTEX_INITIALIZER {0, {0, 0}}

void mutex_init(mutex_t *m);
void mutex_lock(mutex_t *m);
int mutex_trylock(mutex_t *m);           /* 0 or EBUSY */
void mutex_unlock(mutex_t *m);           /* the longest waiter becomes the owner */

/* ---- condition variables ----------------------------------------------------- */
typedef struct cond {
    struct thread_queue waiters;
} cond_t;
#define COND_INITIALIZER {{0, 0}}

void cond_init(cond_t *c);
void cond_wait(cond_t *c, mutex_t *m);
/* As cond_wait, but gives up at deadline_ns (absolute): 0 when signalled,
 * ETIMEDOUT when the deadline passed first.  m is held again either way. */
int cond_timedwait(cond_t *c, mutex_t *m, uint64_t deadline_ns);
void cond_signal(cond_t *c);             /* wakes the longest waiter */
void cond_broadcast(cond_t *c);

#endif /* ILWACO_THREAD_H */
