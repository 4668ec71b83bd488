/*
 * net/netif.c - the stack's lock, its thread (netd), net timers, the VM's
 * addresses and the counters.
 *
 * netd sleeps on netd_cond until one of three things needs it:
 *   - the NIC's receive interrupt (nic.c's handler calls netd_kick_rx),
 *   - a net timer fired (its kern/timer.c callback queues it on due_head),
 *   - a datagram was looped back (ip.c's queue, netd_kick_loop).
 * It then takes net_lock and handles a bounded batch of each, and lets go of
 * the lock between rounds so socket calls get their turn.  The flags and the
 * due list are touched by interrupt-time code, so netd reads them with
 * interrupts masked, and only then waits: no wake-up is lost between the
 * check and the wait.  With nothing to do netd is blocked and, unless a
 * timer is really armed, the VM sits in IDLE.
 *
 * The VM's identity (MAC, address, netmask, gateway) is read from the
 * virtual registers at net_start, and again whenever they change: a VM
 * cloned from a snapshot wakes with the template's whole memory, net_cfg
 * included, while the VMM has written the clone's own addresses into the
 * registers.  So netd compares the two after every wake, before it takes a
 * single frame (the clone's first frames are for its new address and would
 * otherwise be dropped as not for us) or runs a timer, and so does every
 * call from a program as it takes the lock (net_lock_take), so that none
 * sends from the old address.  The compare is a few loads from page 0
 * (about 60 instructions in all).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <ilwaco.h>
#include <ilwaco/intr.h>
#include "../arch/arch.h"
#include "lower.h"

#define NETD_STACK_BYTES (8 * 1024)
#define NETD_RX_BATCH    32     /* frames per round */
#define NETD_LOOP_BATCH  32     /* looped-back datagrams per round */

mutex_t net_lock = MUTEX_INITIALIZER;
struct net_stats net_stats;
struct net_config net_cfg;

static int started;
static cond_t netd_cond = COND_INITIALIZER;
static volatile int rx_pending;                 /* interrupts masked to change */
static struct net_timer *due_head, *due_tail;   /* interrupts masked to change */

uint64_t net_now(void)
{
    return denali_time_ns();
}

int net_started(void)
{
    return started;
}

/* ---- net timers ------------------------------------------------------------ */

/* kern/timer.c callback, interrupts masked: hand the timer to netd. */
static void timer_fired(struct timer *tm, void *arg)
{
    struct net_timer *t = arg;

    if (t->due)
        return;
    t->due = 1;
    t->next_due = 0;
    if (due_tail)
        due_tail->next_due = t;
    else
        due_head = t;
    due_tail = t;
    cond_signal(&netd_cond);
}

/* Interrupts masked. */
static void due_remove(struct net_timer *t)
{
    struct net_timer *prev = 0;

    for (struct net_timer *p = due_head; p; prev = p, p = p->next_due) {
        if (p != t)
            continue;
        if (prev)
            prev->next_due = t->next_due;
        else
            due_head = t->next_due;
        if (due_tail == t)
            due_tail = prev;
        break;
    }
    t->next_due = 0;
    t->due = 0;
}

void net_timer_init(struct net_timer *t, net_timer_fn fn, void *arg)
{
    timer_init(&t->timer, timer_fired, t);
    t->fn = fn;
    t->arg = arg;
    t->next_due = 0;
    t->due = 0;
}

void net_timer_arm(struct net_timer *t, uint64_t deadline_ns)
{
    uint32_t s = intr_save();

    if (t->due)
        due_remove(t);
    timer_arm(&t->timer, deadline_ns);
    intr_restore(s);
}

void net_timer_cancel(struct net_timer *t)
{
    uint32_t s = intr_save();

    timer_cancel(&t->timer);
    if (t->due)
        due_remove(t);
    intr_restore(s);
}

int net_timer_armed(const struct net_timer *t)
{
    return t->due || timer_is_armed(&t->timer);
}

/* Run the timers that were due when this round began (lock held).  A
 * callback may re-arm its timer; one that fires again meanwhile waits for
 * the next round. */
static void run_due_timers(void)
{
    uint32_t s = intr_save();
    int n = 0;

    for (struct net_timer *p = due_head; p; p = p->next_due)
        n++;
    while (n-- > 0 && due_head) {
        struct net_timer *t = due_head;
        due_head = t->next_due;
        if (!due_head)
            due_tail = 0;
        t->next_due = 0;
        t->due = 0;
        intr_restore(s);
        t->fn(t, t->arg);
        s = intr_save();
    }
    intr_restore(s);
}

/* ---- identity ---------------------------------------------------------------- */

static void load_config(const struct arch_net_config *c)
{
    memcpy(net_cfg.mac, c->mac, 6);
    net_cfg.ip = c->ip;
    net_cfg.netmask = c->netmask;
    net_cfg.gateway = c->gateway;
}

/* Take the identity in c and let go of what belonged to the old one: the
 * ARP cache (learnt on what may be another LAN; its held datagrams carry
 * the old source address), TCP connections on the old address (tcp.c says
 * why they cannot go on), sockets bound to it (they move to the new one),
 * and the TCP key that every clone of one snapshot would otherwise share. */
static void identity_change(const struct arch_net_config *c)
{
    uint32_t old_ip = net_cfg.ip;

    load_config(c);
    net_stats.identity_changes++;
    arp_flush();
    udp_identity_changed(old_ip, c->ip);
    tcp_identity_changed(old_ip, c->ip);
}

/* Runs on every netd wake and socket call, nearly always to find nothing
 * changed: inline and without branches rather than a call to memcmp. */
static inline int same_mac(const uint8_t *a, const uint8_t *b)
{
    return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]) | (a[4] ^ b[4]) | (a[5] ^ b[5])) == 0;
}

void net_identity_check(void)
{
    struct arch_net_config c;

    if (!started)
        return;                 /* net_start reads them */
    arch_net_config(&c);
    if (c.ip != net_cfg.ip || c.netmask != net_cfg.netmask || c.gateway != net_cfg.gateway
        || !same_mac(c.mac, net_cfg.mac))
        identity_change(&c);
}

void net_lock_take(void)
{
    mutex_lock(&net_lock);
    net_identity_check();
}

/* ---- netd ----------------------------------------------------------------------- */

void netd_kick_rx(void)
{
    rx_pending = 1;
    cond_signal(&netd_cond);
}

void netd_kick_loop(void)
{
    cond_signal(&netd_cond);
}

/* Lock held: wait until there is work, with interrupts masked while looking
 * so that a kick between the look and the wait is not lost. */
static void netd_wait(void)
{
    uint32_t s = intr_save();

    while (!rx_pending && !due_head && !ip_loop_pending())
        cond_wait(&netd_cond, &net_lock);
    intr_restore(s);
}

static void *netd_main(void *arg)
{
    mutex_lock(&net_lock);
    for (;;) {
        netd_wait();
        net_identity_check();   /* before the first frame or timer of a clone */
        if (rx_pending) {
            uint32_t s = intr_save();
            rx_pending = 0;
            intr_restore(s);
            if (nic_poll(NETD_RX_BATCH))
                rx_pending = 1;         /* more wait: next round */
        }
        run_due_timers();
        ip_loop_drain(NETD_LOOP_BATCH);
        /* let socket calls waiting for the lock have it (FIFO hand-off) */
        mutex_unlock(&net_lock);
        mutex_lock(&net_lock);
    }
    return arg;
}

/* ---- starting, addresses, counters -------------------------------------------- */

/* At exit: data and FINs that close() queued would die with the VM, so give
 * the connections up to NET_LINGER_NS (VM time) to deliver them.  netd
 * keeps running meanwhile; the wait checks every NET_LINGER_STEP_NS. */
static void net_linger(void)
{
    uint64_t deadline = net_now() + NET_LINGER_NS;
    cond_t never = COND_INITIALIZER;

    net_lock_take();            /* connections on an address gone never finish */
    while (tcp_unsent() && net_now() < deadline) {
        uint64_t step = net_now() + NET_LINGER_STEP_NS;
        cond_timedwait(&never, &net_lock, step < deadline ? step : deadline);
    }
    mutex_unlock(&net_lock);
}

static int start_locked(void)
{
    struct arch_net_config c;
    int r;

    arch_net_config(&c);
    if (!c.nic)
        return -ENOSYS;
    load_config(&c);
    r = thread_create_stack(0, netd_main, 0, NETD_STACK_BYTES);
    if (r)
        return -r;
    started = 1;
    nic_start();
    atexit(net_linger);
    return 0;
}

int net_start(void)
{
    int r = 0;

    if (started)
        return 0;
    mutex_lock(&net_lock);
    if (!started)
        r = start_locked();
    mutex_unlock(&net_lock);
    return r;
}

uint32_t net_local_ip(void)
{
    struct arch_net_config c;

    /* the registers, not net_cfg: current even before the stack has looked
     * (a clone), and no lock, so any code may ask */
    arch_net_config(&c);
    return started || c.nic ? c.ip : 0;
}

void net_get_stats(struct net_stats *out)
{
    net_lock_take();
    *out = net_stats;
    mutex_unlock(&net_lock);
}
