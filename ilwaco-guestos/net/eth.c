/*
 * net/eth.c - Ethernet II framing.
 *
 * Received: a frame for our MAC or the broadcast address goes to ip.c or
 * arp.c by ethertype; anything else is counted (rx_not_for_us, rx_bad for a
 * runt).  Sent: one transmit buffer, filled either by gathering the pieces
 * of eth_output or in place by ip.c (eth_tx_payload / eth_send_built), then
 * handed to the NIC, which copies it.  Everything runs under net_lock.
 */
#include <errno.h>
#include <string.h>
#include "lower.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP  0x0806

const uint8_t eth_broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static uint8_t tx_frame[NET_FRAME_MAX] __attribute__((aligned(4)));

uint8_t *eth_tx_payload(void)
{
    return tx_frame + NET_ETH_HLEN;
}

int eth_send_built(const uint8_t dst_mac[6], uint16_t ethertype, size_t payload_len)
{
    memcpy(tx_frame, dst_mac, 6);
    memcpy(tx_frame + 6, net_cfg.mac, 6);
    net_put16(tx_frame + 12, ethertype);
    return nic_send(tx_frame, NET_ETH_HLEN + payload_len);
}

int eth_output(const uint8_t dst_mac[6], uint16_t ethertype, const struct net_iov *iov, int n)
{
    size_t len = 0;

    for (int i = 0; i < n; i++) {
        if (iov[i].len > NET_MTU - len)
            return -EMSGSIZE;
        if (iov[i].base != tx_frame + NET_ETH_HLEN + len)
            memmove(tx_frame + NET_ETH_HLEN + len, iov[i].base, iov[i].len);
        len += iov[i].len;
    }
    return eth_send_built(dst_mac, ethertype, len);
}

void eth_input(const uint8_t *frame, size_t len)
{
    if (len < NET_ETH_HLEN) {
        net_stats.rx_bad++;
        return;
    }
    if (memcmp(frame, net_cfg.mac, 6) != 0 && memcmp(frame, eth_broadcast, 6) != 0) {
        net_stats.rx_not_for_us++;
        return;
    }
    switch (net_get16(frame + 12)) {
    case ETHERTYPE_IPV4:
        ip_input(frame + NET_ETH_HLEN, len - NET_ETH_HLEN, frame + 6);
        break;
    case ETHERTYPE_ARP:
        arp_input(frame + NET_ETH_HLEN, len - NET_ETH_HLEN);
        break;
    default:
        net_stats.rx_not_for_us++;
    }
}
