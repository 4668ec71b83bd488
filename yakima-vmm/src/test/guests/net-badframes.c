/*
 * net-badframes: before starting its own stack, sends VM PEER (a net-node)
 * six malformed IPv4 frames straight through NIC_SEND, each otherwise a UDP
 * datagram to port 7 that would be echoed: a bad header checksum, a
 * fragment (MF), a total length beyond the frame (truncated), a header
 * length beyond the datagram, an unknown protocol (99), a bad UDP checksum.
 * Then it starts its stack, pings the node and asks it to print its
 * counters (net-node's "stats").  Exits 0 when the node answered.
 *   -DPEER=n  the node's VM id (default 1)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <denali/hcall.h>
#include <denali/vregs.h>
#include <ilwaco/net.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef PEER
#define PEER 1
#endif

enum { GOOD, BAD_IP_CSUM, FRAGMENT, TRUNCATED, LONG_HEADER, UNKNOWN_PROTO, BAD_UDP_CSUM, KINDS };

static uint8_t frame[128];

static uint16_t csum(const uint8_t *p, size_t len, uint32_t sum)
{
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1)
        sum += (uint32_t)p[len - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* A 14 + 20 + 8 + 8 byte frame of the given kind; its length. */
static size_t build(int kind)
{
    uint32_t own_ip = denali_vreg32(DENALI_VREG_IPV4), lo = denali_vreg32(DENALI_VREG_MAC);
    uint32_t hi = denali_vreg32(DENALI_VREG_MAC + 4);
    uint8_t peer_mac[6] = {0x02, 0, 0, 0, 0, PEER}, peer_ip[4] = {10, 0, 0, 1 + PEER};
    uint8_t *ip = frame + 14, *udp = ip + 20;

    memset(frame, 0, sizeof frame);
    memcpy(frame, peer_mac, 6);
    memcpy(frame + 6, &lo, 4);
    memcpy(frame + 10, &hi, 2);
    frame[12] = 0x08;
    ip[0] = kind == LONG_HEADER ? 0x4f : 0x45;
    ip[3] = kind == TRUNCATED ? 100 : 36;               /* total length */
    ip[6] = kind == FRAGMENT ? 0x20 : 0x40;             /* MF, or DF */
    ip[8] = 64;
    ip[9] = kind == UNKNOWN_PROTO ? 99 : 17;
    memcpy(ip + 12, &own_ip, 4);
    memcpy(ip + 16, peer_ip, 4);
    udp[0] = 0x30;                                      /* from port 12345 */
    udp[1] = 0x39;
    udp[3] = 7;                                         /* to port 7 */
    udp[5] = 16;
    memcpy(udp + 8, "badframe", 8);
    /* UDP checksum over the pseudo-header and the datagram */
    uint32_t pseudo = (uint32_t)(ip[12] << 8 | ip[13]) + (uint32_t)(ip[14] << 8 | ip[15]) + (uint32_t)(ip[16] << 8 | ip[17])
                      + (uint32_t)(ip[18] << 8 | ip[19]) + 17 + 16;
    uint16_t uc = csum(udp, 16, pseudo);
    udp[6] = (uint8_t)(uc >> 8);
    udp[7] = (uint8_t)(uc ^ (kind == BAD_UDP_CSUM ? 0x5a : 0));
    uint16_t c = csum(ip, 20, 0);
    ip[10] = (uint8_t)(c >> 8);
    ip[11] = (uint8_t)(c ^ (kind == BAD_IP_CSUM ? 0x01 : 0));
    return 14 + 36;
}

int main(void)
{
    uint32_t peer = htonl(0x0A000001u + PEER);
    struct sockaddr_in to = {AF_INET, htons(7), {peer}};
    struct timeval tv = {2, 0};
    char reply[8];
    int sent = 0, fd;

    for (int kind = BAD_IP_CSUM; kind < KINDS; kind++)
        if (denali_hc_nic_send(frame, (uint32_t)build(kind)) == 0)
            sent++;
    printf("sent %d bad frames\n", sent);
    if (net_start() != 0)
        return 1;
    int64_t rtt = net_ping(peer, 1, 32, 2000000000ull);
    printf("ping after the bad frames: %s\n", rtt > 0 ? "replied" : "failed");
    fd = socket(AF_INET, SOCK_DGRAM, 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (sendto(fd, "stats", 5, 0, (struct sockaddr *)&to, sizeof to) != 5 || recv(fd, reply, sizeof reply, 0) != 2)
        return 1;
    close(fd);
    return rtt > 0 && sent == 6 ? 0 : 1;
}
