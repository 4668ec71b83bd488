/*
 * arch/linux/devices.c - the native build has no NIC and no disk: the
 * stack's net_start and disk_* report -ENOSYS, as in a VM without them.
 */
#include "../arch.h"

#define ENOSYS 38

void arch_net_config(struct arch_net_config *out)
{
    for (int i = 0; i < 6; i++)
        out->mac[i] = 0;
    out->ip = out->netmask = out->gateway = 0;
    out->nic = 0;
}

int32_t arch_nic_send(const void *frame, uint32_t len)
{
    return -ENOSYS;
}

int32_t arch_nic_recv(void *buf, uint32_t cap)
{
    return -ENOSYS;
}

uint32_t arch_disk_blocks(void)
{
    return 0;
}

int32_t arch_disk_read(uint32_t block, void *buf, uint32_t count)
{
    return -ENOSYS;
}

int32_t arch_disk_write(uint32_t block, const void *buf, uint32_t count)
{
    return -ENOSYS;
}

uint32_t arch_disk_done(void)
{
    return 0;
}
