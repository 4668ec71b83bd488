/*
 * ilwaco/disk.h - the VM's virtual disk 0, in 4096-byte blocks (kern/disk.c).
 *
 * Requests are asynchronous under the hood (DISK_READ / DISK_WRITE
 * hypercalls, completion by DENALI_INT_DISK and the DISK_DONE register);
 * the calling thread blocks until its own request completes while other
 * threads run.  Requests over 64 blocks are split; when 16 are in flight
 * callers wait for a slot.  Thread-safe.
 */
#ifndef ILWACO_DISK_H
#define ILWACO_DISK_H
#include <stdint.h>

#define DISK_BLOCK_SIZE 4096

/* Blocks on disk 0; 0 when the VM has no disk. */
uint32_t disk_blocks(void);

/* 0, or -ENOSYS (no disk), -EINVAL (count 0 or past the end),
 * -EFAULT (buffer outside guest memory). */
int disk_read(uint32_t block, void *buf, uint32_t count);
int disk_write(uint32_t block, const void *buf, uint32_t count);

#endif /* ILWACO_DISK_H */
