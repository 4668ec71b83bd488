/*
 * net/nic.c - the NIC driver: NIC_SEND / NIC_RECV (arch_nic_send/recv) and
 * the receive interrupt.
 *
 * The interrupt handler does nothing but wake netd (netd_kick_rx): frames
 * are taken on netd, one at a time into one receive buffer on netd's stack
 * (whose pages a running netd has made private anyway; a static buffer
 * would cost its own), and each is handled (eth_input and up) before the
 * next is taken.  DENALI_INT_NIC_RX is
 * level-triggered, so frames left in the NIC after a batch raise it again.
 * A full TX queue (NIC_SEND -EAGAIN) is counted in tx_full and reported as
 * -ENOBUFS: transports treat it as a lost frame.
 */
#include <errno.h>
#include <denali/abi.h>
#include <ilwaco/intr.h>
#include "../arch/arch.h"
#include "lower.h"

static void nic_intr(uint32_t bits)
{
    netd_kick_rx();
}

void nic_start(void)
{
    intr_set_handler(DENALI_INT_NIC_RX, nic_intr);
    netd_kick_rx();             /* frames that came before the handler */
}

int nic_poll(int max)
{
    uint8_t rx_frame[NET_FRAME_MAX];    /* on netd's stack: its pages are private anyway */

    for (int i = 0; i < max; i++) {
        int32_t n = arch_nic_recv(rx_frame, NET_FRAME_MAX);
        if (n <= 0)
            return 0;           /* none left (or the NIC refused: nothing to retry) */
        net_stats.rx_frames++;
        eth_input(rx_frame, (size_t)n);
    }
    return 1;
}

int nic_send(const uint8_t *frame, size_t len)
{
    int32_t r = arch_nic_send(frame, (uint32_t)len);

    if (r == 0) {
        net_stats.tx_frames++;
        return 0;
    }
    if (r == -EAGAIN) {
        net_stats.tx_full++;
        return -ENOBUFS;
    }
    return -EIO;
}
