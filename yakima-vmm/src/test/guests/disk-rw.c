/*
 * disk-rw: with -DWRITE writes a pattern seeded by SEED to blocks 0..2 and
 * waits until the disk says it is done; without, reads blocks 0..2 and
 * prints the first bytes and a checksum. Either way it then asks for a block
 * just past the end of its disk, and prints what the hypercall said.
 */
#include <stdint.h>
#include <stdio.h>
#include <denali/hcall.h>
#include <denali/vregs.h>

#ifndef SEED
#define SEED 1
#endif
#define BLOCKS 3

static uint8_t buf[BLOCKS * 4096];

static void wait_done(int32_t id)
{
    while ((int32_t)denali_vreg32(DENALI_VREG_DISK_DONE) < id)
        denali_idle(~0ull); /* the completion interrupt wakes us */
}

int main(void)
{
    uint32_t blocks = denali_vreg32(DENALI_VREG_DISK_BLOCKS);
#ifdef WRITE
    for (uint32_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 7 + SEED);
    int32_t id = denali_hc_disk_write(0, buf, BLOCKS);
    if (id <= 0) {
        printf("write refused: %d\n", (int)id);
        return 1;
    }
    wait_done(id);
    printf("wrote %d blocks of %u\n", BLOCKS, blocks);
#else
    int32_t id = denali_hc_disk_read(0, buf, BLOCKS);
    if (id <= 0) {
        printf("read refused: %d\n", (int)id);
        return 1;
    }
    wait_done(id);
    uint32_t sum = 0;
    for (uint32_t i = 0; i < sizeof buf; i++)
        sum = sum * 31 + buf[i];
    printf("read %02x %02x %02x %02x sum %08x of %u\n", buf[0], buf[1], buf[2], buf[4095], sum, blocks);
#endif
    printf("past end: %d\n", (int)denali_hc_disk_read(blocks, buf, 1));
    return 0;
}
