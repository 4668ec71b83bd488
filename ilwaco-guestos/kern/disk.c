/*
 * kern/disk.c - disk 0 in 4096-byte blocks (include/ilwaco/disk.h), over the
 * arch_disk_* hooks: DISK_READ / DISK_WRITE hypercalls, the DISK_DONE
 * register, the DENALI_INT_DISK interrupt.
 *
 * A call checks its arguments, then issues its blocks as requests of at most
 * DISK_MAX_BLOCKS blocks each and waits for the last one: the VMM completes
 * requests in the order they were issued, so that one finishing means they
 * all have.  Each request is numbered in issue order (seq, counting from
 * DISK_DONE when the disk is first used), and request seq is done once
 * DISK_DONE has reached it; this module assumes it is the only one issuing
 * disk hypercalls.  (The VMM's request ids wrap at 2^31-1 while DISK_DONE
 * counts on, so seq, compared modulo 2^32, is used instead of the id.)
 *
 * Waiting: a thread blocks on done_cond, which the DENALI_INT_DISK handler
 * broadcasts, so other threads run meanwhile and an idle VM sleeps in IDLE.
 * Every check of DISK_DONE and the cond_wait after it happen with
 * interrupts masked, so a completion between the two cannot be missed.
 * When DISK_MAX_IN_FLIGHT requests are in flight the caller waits for a
 * completion first; an -EAGAIN with none in flight (the host's queue was
 * full: no interrupt will come) is retried after DISK_RETRY_NS.
 *
 * A call that fails part way (-EFAULT for a later chunk) still waits for
 * the requests it issued before returning, so no read lands in a buffer
 * its caller has got back.
 */
#include <errno.h>
#include <stdint.h>
#include <denali/abi.h>
#include <ilwaco/disk.h>
#include <ilwaco/intr.h>
#include <ilwaco/thread.h>
#include "../arch/arch.h"
#include "kern.h"

#define DISK_MAX_BLOCKS    64           /* per DISK_READ / DISK_WRITE */
#define DISK_MAX_IN_FLIGHT 16           /* the VMM refuses more with -EAGAIN */
#define DISK_RETRY_NS      1000000ull   /* -EAGAIN with nothing in flight */

static mutex_t lock = MUTEX_INITIALIZER;
static cond_t done_cond = COND_INITIALIZER;
static int started;                     /* handler installed, issued set */
static uint32_t issued;                 /* seq of the newest request issued */

static void disk_interrupt(uint32_t bits)
{
    cond_broadcast(&done_cond);
}

/* Interrupts masked. */
static void start(void)
{
    if (started)
        return;
    started = 1;
    issued = arch_disk_done();
    intr_set_handler(DENALI_INT_DISK, disk_interrupt);
}

/* Interrupts masked: request seq has completed. */
static int done(uint32_t seq)
{
    return (int32_t)(arch_disk_done() - seq) >= 0;
}

/* Interrupts masked: requests issued and not yet completed. */
static uint32_t in_flight(void)
{
    int32_t n = (int32_t)(issued - arch_disk_done());

    return n > 0 ? (uint32_t)n : 0;
}

/* Lock held, interrupts masked: issue one request of 1..DISK_MAX_BLOCKS
 * blocks, waiting for a free slot if need be.  0 and *seq, or -errno. */
static int issue(int write, uint32_t block, void *buf, uint32_t count, uint32_t *seq)
{
    for (;;) {
        if (in_flight() < DISK_MAX_IN_FLIGHT) {
            int32_t r = write ? arch_disk_write(block, buf, count) : arch_disk_read(block, buf, count);
            if (r > 0) {
                *seq = ++issued;
                return 0;
            }
            if (r != -EAGAIN)
                return r;
        }
        if (in_flight() > 0)
            cond_wait(&done_cond, &lock);
        else
            cond_timedwait(&done_cond, &lock, arch_time_ns() + DISK_RETRY_NS);
    }
}

/* Lock held, interrupts masked: block until request seq has completed. */
static void wait_for(uint32_t seq)
{
    while (!done(seq))
        cond_wait(&done_cond, &lock);
}

static int check(uint32_t block, const void *buf, uint32_t count)
{
    uint32_t blocks = arch_disk_blocks();

    if (blocks == 0)
        return -ENOSYS;
    if (count == 0 || block >= blocks || count > blocks - block)
        return -EINVAL;
    if ((uint64_t)(uintptr_t)buf + (uint64_t)count * DISK_BLOCK_SIZE > 0x100000000ull)
        return -EFAULT;
    return 0;
}

static int transfer(int write, uint32_t block, void *buf, uint32_t count)
{
    char *p = buf;
    uint32_t s, seq = 0;
    int issued_any = 0, r;

    r = check(block, buf, count);
    if (r)
        return r;
    s = intr_save();
    mutex_lock(&lock);
    start();
    while (count > 0) {
        uint32_t n = count < DISK_MAX_BLOCKS ? count : DISK_MAX_BLOCKS;
        r = issue(write, block, p, n, &seq);
        if (r)
            break;
        issued_any = 1;
        block += n;
        p += n * DISK_BLOCK_SIZE;
        count -= n;
    }
    if (issued_any)
        wait_for(seq);
    mutex_unlock(&lock);
    intr_restore(s);
    return r;
}

uint32_t disk_blocks(void)
{
    return arch_disk_blocks();
}

int disk_read(uint32_t block, void *buf, uint32_t count)
{
    return transfer(0, block, buf, count);
}

int disk_write(uint32_t block, const void *buf, uint32_t count)
{
    return transfer(1, block, (void *)buf, count);
}
