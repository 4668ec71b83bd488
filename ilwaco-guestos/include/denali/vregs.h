/*
 * denali/vregs.h - reading the virtual-registers page at guest address 0.
 *
 * The page is plain memory that the VMM keeps up to date; reading it never
 * traps.  Loads are written as inline assembly with absolute addresses so the
 * compiler neither treats address 0 as a null dereference nor caches a value
 * across reads.  Offsets are the DENALI_VREG_* constants in denali/abi.h.
 */
#ifndef DENALI_VREGS_H
#define DENALI_VREGS_H

#include <stdint.h>
#include <denali/abi.h>

/* u32 at DENALI_VREGS_BASE + off; off must be a compile-time constant. */
#define denali_vreg32(off) __extension__({                               \
        uint32_t v_;                                                     \
        __asm__ volatile("movl %c1, %0" : "=r"(v_) : "i"(off) : "memory"); \
        v_; })

/*
 * u64 at off.  A 32-bit guest reads the two halves separately and the VMM
 * may update the value between them (e.g. at a quantum boundary), so read
 * high, low, high again and retry until the high half is stable.
 */
#define denali_vreg64(off) __extension__({                               \
        uint32_t hi_, lo_, hi2_;                                         \
        do {                                                             \
            hi_ = denali_vreg32((off) + 4);                              \
            lo_ = denali_vreg32(off);                                    \
            hi2_ = denali_vreg32((off) + 4);                             \
        } while (hi_ != hi2_);                                           \
        ((uint64_t)hi_ << 32) | lo_; })

/* Store v to the u32 at off (only the guest-written fields 0x20-0x2F may be
 * written: INT_ENABLE, INT_PENDING, INT_HANDLER, GUEST_SCRATCH). */
#define denali_vreg_write32(off, v) \
        __asm__ volatile("movl %0, %c1" : : "r"((uint32_t)(v)), "i"(off) : "memory")

static inline uint32_t denali_mem_size(void)
{
    return denali_vreg32(DENALI_VREG_MEM_SIZE);
}

static inline uint64_t denali_vreg_time_ns(void)
{
    return denali_vreg64(DENALI_VREG_TIME_NS);
}

#endif /* DENALI_VREGS_H */
