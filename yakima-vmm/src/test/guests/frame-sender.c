/*
 * frame-sender: sends IPv4 frames to VM PEER of the same host (MAC
 * 02:00:00 followed by PEER, IPv4 10.0.0.1 + PEER), then exits.
 *   -DPEER=n      the receiving VM's id (default 1)
 *   -DCOUNT=n     frames to send back to back (default 1); prints how many the NIC took
 *   -DSPOOF_MAC   claim the peer's MAC as the source
 *   -DSPOOF_IP    claim the peer's IPv4 address as the source
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <denali/hcall.h>
#include <denali/vregs.h>

#ifndef PEER
#define PEER 1
#endif
#ifndef COUNT
#define COUNT 1
#endif

static uint8_t frame[64];

int main(void)
{
    uint32_t peer_ip = 0x0A000001u + PEER; /* host order */
    uint8_t peer_mac[6] = {0x02, 0, 0, (uint8_t)(PEER >> 16), (uint8_t)(PEER >> 8), (uint8_t)PEER};
    uint8_t own_mac[6];
    uint32_t own_ip = denali_vreg32(DENALI_VREG_IPV4); /* network order as stored */
    uint32_t lo = denali_vreg32(DENALI_VREG_MAC), hi = denali_vreg32(DENALI_VREG_MAC + 4);
    memcpy(own_mac, &lo, 4);
    memcpy(own_mac + 4, &hi, 2);

    memcpy(frame, peer_mac, 6);
#ifdef SPOOF_MAC
    memcpy(frame + 6, peer_mac, 6);
#else
    memcpy(frame + 6, own_mac, 6);
#endif
    frame[12] = 0x08; frame[13] = 0x00;          /* IPv4 */
    uint8_t *ip = frame + 14;
    ip[0] = 0x45; ip[3] = 20 + 8;                  /* version, IHL, total length */
    ip[8] = 64; ip[9] = 17;                        /* TTL, UDP */
#ifdef SPOOF_IP
    ip[12] = 10; ip[13] = (uint8_t)(peer_ip >> 16); ip[14] = (uint8_t)(peer_ip >> 8); ip[15] = (uint8_t)peer_ip;
#else
    memcpy(ip + 12, &own_ip, 4);
#endif
    ip[16] = 10; ip[17] = (uint8_t)(peer_ip >> 16); ip[18] = (uint8_t)(peer_ip >> 8); ip[19] = (uint8_t)peer_ip;
    memcpy(frame + 34, "denali!!", 8);           /* the payload the receiver prints */

    int taken = 0, refused = 0;
    for (int i = 0; i < COUNT; i++) {
        int32_t r = denali_hc_nic_send(frame, 42);
        if (r == 0)
            taken++;
        else if (r == -DENALI_EAGAIN)
            refused++;
        else {
            printf("send failed: %d\n", (int)r);
            return 1;
        }
    }
    printf("sent %d refused %d\n", taken, refused);
    return 0;
}
