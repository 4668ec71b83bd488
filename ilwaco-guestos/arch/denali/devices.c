/*
 * arch/denali/devices.c - the NIC and the disk as the VMM offers them:
 * hypercalls (denali/hcall.h) and virtual registers (denali/vregs.h).
 * See docs/denali-isa.md sections 8 and 10.
 */
#include "../arch.h"
#include <denali/abi.h>
#include <denali/hcall.h>
#include <denali/vregs.h>

void arch_net_config(struct arch_net_config *out)
{
    /* the six MAC bytes in memory order, read as two little-endian words */
    uint32_t lo = denali_vreg32(DENALI_VREG_MAC), hi = denali_vreg32(DENALI_VREG_MAC + 4);
    uint32_t status = denali_vreg32(DENALI_VREG_DEVICE_STATUS);

    for (int i = 0; i < 4; i++)
        out->mac[i] = (uint8_t)(lo >> (8 * i));
    out->mac[4] = (uint8_t)hi;
    out->mac[5] = (uint8_t)(hi >> 8);
    out->ip = denali_vreg32(DENALI_VREG_IPV4);
    out->netmask = denali_vreg32(DENALI_VREG_NETMASK);
    out->gateway = denali_vreg32(DENALI_VREG_GATEWAY);
    out->nic = (status & (DENALI_DEV_NIC | DENALI_DEV_NIC_LINK_UP)) == (DENALI_DEV_NIC | DENALI_DEV_NIC_LINK_UP);
}

int32_t arch_nic_send(const void *frame, uint32_t len)
{
    return denali_hc_nic_send(frame, len);
}

int32_t arch_nic_recv(void *buf, uint32_t cap)
{
    return denali_hc_nic_recv(buf, cap);
}

uint32_t arch_disk_blocks(void)
{
    return denali_vreg32(DENALI_VREG_DISK_BLOCKS);
}

int32_t arch_disk_read(uint32_t block, void *buf, uint32_t count)
{
    return denali_hc_disk_read(block, buf, count);
}

int32_t arch_disk_write(uint32_t block, const void *buf, uint32_t count)
{
    return denali_hc_disk_write(block, buf, count);
}

uint32_t arch_disk_done(void)
{
    return denali_vreg32(DENALI_VREG_DISK_DONE);
}
