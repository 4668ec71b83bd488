/*
 * kern/thread.c - threads and the scheduler, mutexes, condition variables.
 *
 * One CPU, so mutual exclusion inside the kernel is masking interrupts
 * (arch_intr_save/restore): every change to a run or wait queue happens with
 * INT_ENABLE = 0, and a thread switch happens only inside such a section.  A
 * thread therefore always resumes inside the masked section it switched away
 * from, and restores its own interrupt state as it leaves it; a new thread
 * starts in thread_start(), which enables interrupts.
 *
 * States:  READY -> RUNNING            picked by schedule()
 *          RUNNING -> READY            thread_yield, preemption
 *          RUNNING -> BLOCKED          mutex, cond, join, sleep
 *          BLOCKED -> READY            wake(): unlock, signal, exit, a timer
 *          RUNNING -> DEAD             thread_exit (returning from fn)
 *          DEAD -> UNUSED              joined, or (detached) reaped after
 *                                      the next switch, when its stack is
 *                                      no longer in use
 *
 * Preemption: while another thread is ready, the kernel keeps
 * DENALI_INT_TIMER set in INT_PENDING (the "tick", arch_tick_arm), so the
 * VMM's interrupt delivery at the start of each quantum enters
 * intr_dispatch(), which calls sched_preempt().  A thread that spins
 * forever thus gives way once per VMM quantum.
 *
 * Idle: when no thread is ready, schedule() runs the idle loop on the
 * current (blocked) thread's stack: device handlers, due timers, then IDLE
 * until the earliest timer deadline (or none: wait for an interrupt).
 */
#include <errno.h>
#include <stdlib.h>
#include <ilwaco.h>
#include <ilwaco/thread.h>
#include <ilwaco/pages.h>
#include "../arch/arch.h"
#include "kern.h"

#define STACK_CANARY 0x57ACC0DEu

enum tstate { T_UNUSED, T_READY, T_RUNNING, T_BLOCKED, T_DEAD };

struct thread {
    void *sp;                   /* saved ESP while not running (arch_switch) */
    struct thread *next;        /* in ready or in one wait queue */
    struct thread_queue *queue; /* the wait queue it blocks in, if any */
    enum tstate state;
    int id;
    int detached;
    int timed_out;              /* cond_timedwait: the timer woke it */
    thread_fn fn;
    void *arg;
    void *result;
    struct thread *joiner;
    uint32_t *stack;            /* lowest word holds STACK_CANARY; NULL for main */
    size_t stack_pages;
    struct timer timer;         /* sleep and timed-wait deadline */
    int saved_errno;            /* errno while another thread runs */
};

static struct thread threads[ILWACO_THREAD_MAX];
static struct thread *current;
static struct thread_queue ready;
static struct thread *dead_detached;    /* linked by next; stacks to free */
static int live;                        /* threads not DEAD or UNUSED */
static int next_id = 1;

/* ---- queues ------------------------------------------------------------------- */

static void q_push(struct thread_queue *q, struct thread *t)
{
    t->next = 0;
    if (q->tail)
        q->tail->next = t;
    else
        q->head = t;
    q->tail = t;
}

static struct thread *q_pop(struct thread_queue *q)
{
    struct thread *t = q->head;

    if (t) {
        q->head = t->next;
        if (!q->head)
            q->tail = 0;
        t->next = 0;
    }
    return t;
}

static void q_remove(struct thread_queue *q, struct thread *t)
{
    struct thread *prev = 0;

    for (struct thread *p = q->head; p; prev = p, p = p->next) {
        if (p == t) {
            if (prev)
                prev->next = t->next;
            else
                q->head = t->next;
            if (q->tail == t)
                q->tail = prev;
            t->next = 0;
            return;
        }
    }
}

/* ---- the scheduler (interrupts masked from here to "public") --------------- */

static void deadline_passed(struct timer *tm, void *arg);

void sched_start(void)
{
    struct thread *m = &threads[0];

    if (current)
        return;
    m->state = T_RUNNING;
    m->id = 0;
    timer_init(&m->timer, deadline_passed, m);
    current = m;
    live = 1;
    arch_intr_init();
    arch_intr_restore(1);       /* main runs with interrupts enabled from now on */
}

int sched_tick_needed(void)
{
    return ready.head != 0 || timer_next_deadline() != TIMER_NO_DEADLINE;
}

static void wake(struct thread *t)
{
    t->state = T_READY;
    q_push(&ready, t);
}

static void stack_check(struct thread *t)
{
    static const char msg[] = "ilwaco: a thread overflowed its stack\n";

    if (t->stack && t->stack[0] != STACK_CANARY) {
        console_write(msg, sizeof msg - 1);
        console_flush();
        arch_terminate(134);
    }
}

static void release(struct thread *t)
{
    pages_free(t->stack, t->stack_pages);
    t->stack = 0;
    t->state = T_UNUSED;
}

/* Free the stacks of detached threads that ended: none of them is current. */
static void reap(void)
{
    while (dead_detached) {
        struct thread *t = dead_detached;
        dead_detached = t->next;
        release(t);
    }
}

static void idle(void)
{
    intr_poll();
    timer_run_due(arch_time_ns());
    if (ready.head)
        return;
    arch_tick_disarm();
    arch_idle(timer_next_deadline());
}

/* Run the next ready thread.  current->state is already READY (and queued),
 * BLOCKED (and queued where its waker finds it) or DEAD. */
static void schedule(void)
{
    struct thread *prev = current, *next;

    while ((next = q_pop(&ready)) == 0)
        idle();
    next->state = T_RUNNING;
    if (sched_tick_needed())
        arch_tick_arm();
    if (next == prev)
        return;
    stack_check(prev);
    current = next;
    prev->saved_errno = errno;  /* each thread has its own errno */
    arch_switch(&prev->sp, next->sp);
    errno = prev->saved_errno;  /* prev runs again */
    reap();
}

void sched_preempt(void)
{
    if (current && current->state == T_RUNNING && ready.head) {
        current->state = T_READY;
        q_push(&ready, current);
        schedule();
    }
}

/* Block the current thread in q until woken. */
static void block_in(struct thread_queue *q)
{
    current->state = T_BLOCKED;
    current->queue = q;
    if (q)
        q_push(q, current);
    schedule();
}

/* A timer of a blocked thread: sleep done, or a timed wait gave up. */
static void deadline_passed(struct timer *tm, void *arg)
{
    struct thread *t = arg;

    if (t->state != T_BLOCKED)
        return;
    if (t->queue) {
        q_remove(t->queue, t);
        t->queue = 0;
        t->timed_out = 1;
    }
    wake(t);
}

static void thread_start(void)
{
    struct thread *t = current;

    reap();
    errno = 0;
    arch_intr_restore(1);
    thread_exit(t->fn(t->arg));
}

/* ---- public: threads ---------------------------------------------------------- */

int thread_create(thread_t **out, thread_fn fn, void *arg)
{
    return thread_create_stack(out, fn, arg, ILWACO_THREAD_STACK_BYTES);
}

int thread_create_stack(thread_t **out, thread_fn fn, void *arg, size_t stack_bytes)
{
    size_t npages = (stack_bytes + ILWACO_PAGE_BYTES - 1) / ILWACO_PAGE_BYTES;
    struct thread *t = 0;
    uint32_t *stack, *sp;
    uint32_t s;

    sched_start();
    if (npages == 0)
        npages = 1;
    stack = pages_alloc(npages);
    if (!stack)
        return ENOMEM;
    s = arch_intr_save();
    for (int i = 1; i < ILWACO_THREAD_MAX; i++) {
        if (threads[i].state == T_UNUSED) {
            t = &threads[i];
            break;
        }
    }
    if (!t) {
        arch_intr_restore(s);
        pages_free(stack, npages);
        return EAGAIN;
    }
    t->id = next_id++;
    t->fn = fn;
    t->arg = arg;
    t->result = 0;
    t->joiner = 0;
    t->detached = 0;
    t->timed_out = 0;
    t->queue = 0;
    t->stack = stack;
    t->stack_pages = npages;
    timer_init(&t->timer, deadline_passed, t);
    stack[0] = STACK_CANARY;
    /* As if thread_start had called arch_switch: at its entry ESP is
     * 12 mod 16, as after a call from an aligned frame. */
    sp = stack + npages * ILWACO_PAGE_BYTES / 4;
    *--sp = 0;                          /* thread_start's return address: none */
    *--sp = (uint32_t)(uintptr_t)thread_start;
    *--sp = 0;                          /* EBP: ends the frame chain */
    *--sp = 0;                          /* EBX */
    *--sp = 0;                          /* ESI */
    *--sp = 0;                          /* EDI */
    t->sp = sp;
    live++;
    wake(t);
    arch_tick_arm();
    arch_intr_restore(s);
    if (out)
        *out = t;
    return 0;
}

int thread_join(thread_t *t, void **result)
{
    uint32_t s;

    sched_start();
    if (t == current)
        return EDEADLK;
    s = arch_intr_save();
    if (t->state == T_UNUSED || t->detached || t->joiner) {
        arch_intr_restore(s);
        return EINVAL;
    }
    if (t->state != T_DEAD) {
        t->joiner = current;
        block_in(0);
    }
    if (result)
        *result = t->result;
    release(t);
    arch_intr_restore(s);
    return 0;
}

int thread_detach(thread_t *t)
{
    uint32_t s = arch_intr_save();
    int r = 0;

    if (t->state == T_UNUSED || t->detached || t->joiner)
        r = EINVAL;
    else if (t->state == T_DEAD && t != current)
        release(t);
    else
        t->detached = 1;
    arch_intr_restore(s);
    return r;
}

void thread_exit(void *result)
{
    struct thread *t;

    sched_start();
    arch_intr_save();
    t = current;
    t->result = result;
    t->state = T_DEAD;
    if (--live == 0)
        exit(0);
    if (t->joiner)
        wake(t->joiner);
    if (t->detached && t->stack) {
        t->next = dead_detached;
        dead_detached = t;
    }
    schedule();
    for (;;)                    /* not reached */
        arch_terminate(134);
}

void thread_yield(void)
{
    uint32_t s;

    sched_start();
    s = arch_intr_save();
    if (ready.head) {
        current->state = T_READY;
        q_push(&ready, current);
        schedule();
    }
    arch_intr_restore(s);
}

thread_t *thread_self(void)
{
    sched_start();
    return current;
}

int thread_id(const thread_t *t)
{
    return t->id;
}

void thread_sleep_until(uint64_t deadline_ns)
{
    uint32_t s;

    sched_start();
    s = arch_intr_save();
    if (deadline_ns > arch_time_ns()) {
        timer_arm(&current->timer, deadline_ns);
        block_in(0);
    }
    arch_intr_restore(s);
}

void thread_sleep_ns(uint64_t ns)
{
    thread_sleep_until(arch_time_ns() + ns);
}

/* ---- public: mutexes ------------------------------------------------------------ */

static void lock_masked(mutex_t *m)
{
    static const char msg[] = "ilwaco: mutex_lock by its owner\n";

    if (!m->owner) {
        m->owner = current;
        return;
    }
    if (m->owner == current) {
        console_write(msg, sizeof msg - 1);
        console_flush();
        arch_terminate(134);
    }
    block_in(&m->waiters);      /* mutex_unlock hands it over: owner == current */
}

static void unlock_masked(mutex_t *m)
{
    struct thread *t = q_pop(&m->waiters);

    m->owner = t;
    if (t) {
        t->queue = 0;
        wake(t);
    }
}

void mutex_init(mutex_t *m)
{
    m->owner = 0;
    m->waiters.head = m->waiters.tail = 0;
}

void mutex_lock(mutex_t *m)
{
    uint32_t s;

    sched_start();
    s = arch_intr_save();
    lock_masked(m);
    arch_intr_restore(s);
}

int mutex_trylock(mutex_t *m)
{
    uint32_t s;
    int r = EBUSY;

    sched_start();
    s = arch_intr_save();
    if (!m->owner) {
        m->owner = current;
        r = 0;
    }
    arch_intr_restore(s);
    return r;
}

void mutex_unlock(mutex_t *m)
{
    uint32_t s = arch_intr_save();
    unlock_masked(m);
    arch_intr_restore(s);
}

/* ---- public: condition variables ---------------------------------------------- */

void cond_init(cond_t *c)
{
    c->waiters.head = c->waiters.tail = 0;
}

int cond_timedwait(cond_t *c, mutex_t *m, uint64_t deadline_ns)
{
    struct thread *t;
    uint32_t s;

    sched_start();
    s = arch_intr_save();
    t = current;
    unlock_masked(m);
    t->timed_out = 0;
    if (deadline_ns != TIMER_NO_DEADLINE)
        timer_arm(&t->timer, deadline_ns);
    block_in(&c->waiters);
    timer_cancel(&t->timer);
    lock_masked(m);
    arch_intr_restore(s);
    return t->timed_out ? ETIMEDOUT : 0;
}

void cond_wait(cond_t *c, mutex_t *m)
{
    cond_timedwait(c, m, TIMER_NO_DEADLINE);
}

void cond_signal(cond_t *c)
{
    uint32_t s = arch_intr_save();
    struct thread *t = q_pop(&c->waiters);

    if (t) {
        t->queue = 0;
        wake(t);
    }
    arch_intr_restore(s);
}

void cond_broadcast(cond_t *c)
{
    uint32_t s = arch_intr_save();
    struct thread *t;

    while ((t = q_pop(&c->waiters)) != 0) {
        t->queue = 0;
        wake(t);
    }
    arch_intr_restore(s);
}
