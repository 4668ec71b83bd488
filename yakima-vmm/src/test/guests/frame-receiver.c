/*
 * frame-receiver: idles (no deadline) until a frame arrives, then prints
 * its length, the NIC_RX interrupt bit and the payload, and exits.
 * A too-small buffer is refused first, and the frame must still be there.
 */
#include <stdint.h>
#include <stdio.h>
#include <denali/hcall.h>
#include <denali/vregs.h>

static uint8_t buf[1514];

int main(void)
{
    int32_t n;
    while ((n = denali_hc_nic_recv(buf, sizeof buf)) == 0)
        denali_idle(~0ull); /* only an interrupt wakes us */
    /* more waiting? the frame we took is gone, NIC_RX_FRAMES says what is left */
    printf("got %d bytes, %u waiting, pending %u: %.8s\n", (int)n, denali_vreg32(DENALI_VREG_NIC_RX_FRAMES),
           denali_vreg32(DENALI_VREG_INT_PENDING) & DENALI_INT_NIC_RX, (const char *)buf + 34);
    return 0;
}
