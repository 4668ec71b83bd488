/*
 * disk-threads: Ilwaco's disk (ilwaco/disk.h) used by many threads at once.
 *
 * WORKERS threads (default 20) each own 2 blocks: each round a worker writes
 * both in one call, then reads them back one at a time and compares.  Main
 * meanwhile writes BIG blocks (72: more than one request's 64) in one call,
 * clears its buffer, reads them back in one call and compares.  More than 16
 * requests want to be in flight, so callers also wait for a slot.  The last
 * round's pattern depends on SEED; the final contents are
 * byte k of block b = b * 131 + k * 7 + SEED.
 *
 * -DVERIFY: write nothing, read every block back and check that pattern
 * (a VM created again on the same disk file).  Then, either way, bad calls:
 * count 0 and blocks past the end give -EINVAL, a buffer in page 0 or
 * running past 4 GiB gives -EFAULT.  Without a disk: every call -ENOSYS.
 *
 * Prints "workers ok N", "big ok 72" (or "persisted ok N"), "bad calls: ...",
 * "interrupts on" and exits 0; a mismatch prints where and exits 1.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ilwaco/disk.h>
#include <ilwaco/thread.h>
#include <denali/vregs.h>

#ifndef SEED
#define SEED 1
#endif
#ifndef WORKERS
#define WORKERS 20
#endif
#define ROUNDS 3
#define BIG 72
#define BIG_FIRST (2 * WORKERS)
#define STACK (8 * 1024)

static uint8_t wbuf[WORKERS][2 * DISK_BLOCK_SIZE];
static uint8_t rbuf[WORKERS][DISK_BLOCK_SIZE];
static uint8_t big[BIG * DISK_BLOCK_SIZE];
static int result[WORKERS];             /* 0 ok, else the failing step */

static uint8_t pattern(uint32_t block, uint32_t k, int seed)
{
    return (uint8_t)(block * 131 + k * 7 + (uint32_t)seed);
}

static void fill(uint8_t *p, uint32_t first, uint32_t count, int seed)
{
    for (uint32_t b = 0; b < count; b++)
        for (uint32_t k = 0; k < DISK_BLOCK_SIZE; k++)
            p[b * DISK_BLOCK_SIZE + k] = pattern(first + b, k, seed);
}

/* The first block that differs, or -1. */
static int32_t differs(const uint8_t *p, uint32_t first, uint32_t count, int seed)
{
    for (uint32_t b = 0; b < count; b++)
        for (uint32_t k = 0; k < DISK_BLOCK_SIZE; k++)
            if (p[b * DISK_BLOCK_SIZE + k] != pattern(first + b, k, seed))
                return (int32_t)(first + b);
    return -1;
}

static void *worker(void *arg)
{
    int i = (int)(uintptr_t)arg;
    uint32_t first = 2 * (uint32_t)i;

    for (int r = 0; r < ROUNDS; r++) {
        int seed = SEED + ROUNDS - 1 - r;
        fill(wbuf[i], first, 2, seed);
        if (disk_write(first, wbuf[i], 2) != 0) {
            result[i] = 1;
            return 0;
        }
        for (uint32_t j = 0; j < 2; j++) {
            memset(rbuf[i], 0xEE, DISK_BLOCK_SIZE);
            if (disk_read(first + j, rbuf[i], 1) != 0) {
                result[i] = 2;
                return 0;
            }
            if (differs(rbuf[i], first + j, 1, seed) >= 0) {
                result[i] = 3;
                return 0;
            }
        }
    }
    return 0;
}

static int write_and_read_back(void)
{
    thread_t *t[WORKERS];
    int created = 0, ok = 0, r;

    for (int i = 0; i < WORKERS; i++) {
        if (thread_create_stack(&t[i], worker, (void *)(uintptr_t)i, STACK) != 0) {
            printf("thread_create %d failed\n", i);
            return 1;
        }
        created++;
    }
    fill(big, BIG_FIRST, BIG, SEED);
    if ((r = disk_write(BIG_FIRST, big, BIG)) != 0) {
        printf("big write: %d\n", r);
        return 1;
    }
    memset(big, 0, sizeof big);
    if ((r = disk_read(BIG_FIRST, big, BIG)) != 0) {
        printf("big read: %d\n", r);
        return 1;
    }
    int32_t bad = differs(big, BIG_FIRST, BIG, SEED);
    for (int i = 0; i < created; i++)
        thread_join(t[i], 0);
    for (int i = 0; i < WORKERS; i++) {
        if (result[i] == 0)
            ok++;
        else
            printf("worker %d failed at step %d\n", i, result[i]);
    }
    printf("workers ok %d\n", ok);
    if (bad >= 0) {
        printf("big block %d differs\n", (int)bad);
        return 1;
    }
    printf("big ok %d\n", BIG);
    return ok == WORKERS ? 0 : 1;
}

static int verify(void)
{
    int r;
    int32_t bad = -1;

    memset(big, 0, sizeof big);
    if ((r = disk_read(0, big, BIG_FIRST)) != 0 || (bad = differs(big, 0, BIG_FIRST, SEED)) >= 0) {
        printf("workers' blocks: %d, block %d\n", r, r ? -1 : (int)bad);
        return 1;
    }
    memset(big, 0, sizeof big);
    if ((r = disk_read(BIG_FIRST, big, BIG)) != 0 || (bad = differs(big, BIG_FIRST, BIG, SEED)) >= 0) {
        printf("big blocks: %d, block %d\n", r, r ? -1 : (int)bad);
        return 1;
    }
    printf("persisted ok %d\n", BIG_FIRST + BIG);
    return 0;
}

int main(void)
{
    uint32_t blocks = disk_blocks();
    int rc;

    if (blocks == 0) {
        printf("no disk: %d %d\n", disk_read(0, rbuf[0], 1), disk_write(0, rbuf[0], 1));
        return 0;
    }
    if (blocks < BIG_FIRST + BIG) {
        printf("disk of %u blocks is too small\n", (unsigned)blocks);
        return 1;
    }
#ifdef VERIFY
    rc = verify();
    (void)write_and_read_back;
#else
    rc = write_and_read_back();
    (void)verify;
#endif
    printf("bad calls: %d %d %d %d %d\n",
           disk_read(0, rbuf[0], 0),
           disk_read(blocks, rbuf[0], 1),
           disk_write(blocks - 1, big, 2),
           disk_read(0, (void *)16, 1),
           disk_read(0, (void *)0xFFFFF000u, 2));
    /* the first disk call (in VERIFY, before any other thread call) must leave them on */
    printf("interrupts %s\n", denali_vreg32(DENALI_VREG_INT_ENABLE) ? "on" : "off");
    return rc;
}
