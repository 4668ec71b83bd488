/*
 * services/kv/kvlog.c - the store's log on disk 0 (format in kvlog.h).
 *
 * One buffer of three blocks (allocated when a disk is found) does all
 * the work: its first block holds the active log's tail block, as on disk
 * up to the log's end and zero after it, and a record is built after that
 * and written with the blocks it touches (a record of at most 4,176 bytes
 * touches at most three).  Rewriting the tail block rewrites the records
 * already in it with the same bytes, so a torn write cannot damage them.
 * Reads (replay) go through the second block; the third holds a value
 * being replayed.  Disk requests block this thread until they complete.
 */
#include <errno.h>
#include <ilwaco/disk.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kvlog.h"
#include "store.h"

#define BLOCK         DISK_BLOCK_SIZE
#define SB_MAGIC      "ILWCOKV1"
#define SB_VERSION    1
#define SB_BYTES      32                /* 28 bytes + CRC */
#define REC_MAGIC     0x3152564bu       /* "KVR1" */
#define REC_HDR       16
#define REC_PUT       1
#define REC_DELETE    2
#define FIRST_LOG_BLOCK 2

/* Where the next record goes in a log. */
struct writer {
    uint32_t first;             /* the log's first block */
    uint32_t off;               /* bytes written */
    uint32_t gen;
};

static int on;
static uint8_t *buf;            /* 3 blocks, see above */
static uint32_t log_blocks, active, gen, seq;
static struct writer w;         /* the active log */
static uint32_t live;           /* bytes the live entries' records take */
static uint32_t compactions;

/* ---- little-endian fields and CRC-32 ------------------------------------------ */

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* CRC-32 (IEEE, reflected), four bits at a time: a 64-byte table. */
static uint32_t crc32_add(uint32_t crc, const void *data, size_t n)
{
    static const uint32_t t[16] = {
        0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
        0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
        0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
    };
    const uint8_t *p = data;

    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        crc = (crc >> 4) ^ t[crc & 15];
        crc = (crc >> 4) ^ t[crc & 15];
    }
    return ~crc;
}

static uint32_t rec_size(size_t klen, size_t vlen)
{
    return REC_HDR + (((uint32_t)(klen + vlen) + 3) & ~3u);
}

static uint32_t log_bytes(void)
{
    return log_blocks * BLOCK;
}

/* The live entries may fill 3/4 of a log, so that a compaction always
 * frees at least a quarter of it: each byte appended costs at most three
 * more in compactions. */
static uint32_t live_max(void)
{
    return log_bytes() / 4 * 3;
}

static uint32_t log_first(uint32_t which)
{
    return FIRST_LOG_BLOCK + which * log_blocks;
}

/* ---- the disk ------------------------------------------------------------------ */

static int dread(uint32_t block, void *p, uint32_t count)
{
    return disk_read(block, p, count) < 0 ? -EIO : 0;
}

static int dwrite(uint32_t block, const void *p, uint32_t count)
{
    return disk_write(block, p, count) < 0 ? -EIO : 0;
}

/* ---- writing records ----------------------------------------------------------- */

/* Append a record to lw's log through buf (whose first block is lw's tail
 * block).  sync: write every block it touches, so it is durable on return;
 * otherwise only the blocks it fills (compaction writes the tail at the
 * end).  0, -ENOSPC (the log is full), -EIO. */
static int append(struct writer *lw, int type, const char *key, size_t klen,
                  const char *val, size_t vlen, int sync)
{
    uint32_t size = rec_size(klen, vlen);
    uint32_t pos = lw->off % BLOCK, end = pos + size;
    uint32_t blocks = (end + BLOCK - 1) / BLOCK;
    uint32_t done = sync ? blocks : end / BLOCK;
    uint8_t *r = buf + pos;

    if (lw->off + size > log_bytes())
        return -ENOSPC;
    put32(r, REC_MAGIC);
    put32(r + 4, lw->gen);
    r[8] = (uint8_t)type;
    r[9] = (uint8_t)klen;
    r[10] = (uint8_t)vlen;
    r[11] = (uint8_t)(vlen >> 8);
    memcpy(r + REC_HDR, key, klen);
    memcpy(r + REC_HDR + klen, val, vlen);
    memset(r + REC_HDR + klen + vlen, 0, 3 * BLOCK - (pos + REC_HDR + klen + vlen));
    put32(r + 12, crc32_add(crc32_add(0, r, 12), r + REC_HDR, klen + vlen));
    if (done > 0 && dwrite(lw->first + lw->off / BLOCK, buf, done) < 0) {
        memset(buf + pos, 0, 3 * BLOCK - pos);  /* the tail as it was */
        return -EIO;
    }
    lw->off += size;
    /* the block the log now ends in becomes the first */
    if (end / BLOCK > 0) {
        memmove(buf, buf + (end / BLOCK) * BLOCK, BLOCK);
        memset(buf + BLOCK, 0, 2 * BLOCK);
    }
    return 0;
}

/* Write the tail block of a log built without sync. */
static int finish(const struct writer *lw)
{
    if (lw->off % BLOCK == 0)
        return 0;
    return dwrite(lw->first + lw->off / BLOCK, buf, 1);
}

/* ---- superblocks --------------------------------------------------------------- */

static int write_superblock(uint32_t new_seq, uint32_t new_active, uint32_t new_gen)
{
    uint8_t *sb = buf + BLOCK;          /* free between appends */
    int r;

    memset(sb, 0, BLOCK);
    memcpy(sb, SB_MAGIC, 8);
    put32(sb + 8, SB_VERSION);
    put32(sb + 12, new_seq);
    put32(sb + 16, new_active);
    put32(sb + 20, new_gen);
    put32(sb + 24, log_blocks);
    put32(sb + 28, crc32_add(0, sb, 28));
    r = dwrite(new_seq & 1, sb, 1);
    memset(sb, 0, BLOCK);
    if (r == 0) {
        seq = new_seq;
        active = new_active;
        gen = new_gen;
    }
    return r;
}

/* A superblock copy that is whole and fits this disk: 1 (fields set). */
static int superblock_valid(const uint8_t *sb, uint32_t disk, uint32_t *s, uint32_t *a,
                            uint32_t *g, uint32_t *lb)
{
    if (memcmp(sb, SB_MAGIC, 8) != 0 || get32(sb + 8) != SB_VERSION
        || get32(sb + 28) != crc32_add(0, sb, 28))
        return 0;
    *s = get32(sb + 12);
    *a = get32(sb + 16);
    *g = get32(sb + 20);
    *lb = get32(sb + 24);
    return *a <= 1 && *lb >= 3 && *lb <= (disk - FIRST_LOG_BLOCK) / 2;
}

static int all_zero(const uint8_t *p, size_t n)
{
    while (n--)
        if (*p++)
            return 0;
    return 1;
}

/* ---- compaction ---------------------------------------------------------------- */

struct compact_job {
    struct writer w;
    const char *key;            /* the entry being changed: skipped */
    size_t klen;
};

static int copy_entry(const struct kv_entry *e, void *arg)
{
    struct compact_job *j = arg;

    if (e->klen == j->klen && memcmp(kv_key(e), j->key, j->klen) == 0)
        return 0;
    return append(&j->w, REC_PUT, kv_key(e), e->klen, kv_value(e), e->vlen, 0);
}

/* Put the active tail block back in buf (after a failed compaction). */
static int reload_tail(void)
{
    memset(buf, 0, 3 * BLOCK);
    if (w.off % BLOCK == 0)
        return 0;
    if (dread(w.first + w.off / BLOCK, buf, 1) < 0)
        return -EIO;
    memset(buf + w.off % BLOCK, 0, BLOCK - w.off % BLOCK);
    return 0;
}

/* Write the live entries, key with its new value (put) or without it
 * (a delete), to the other log under the next generation, and make that
 * log the active one. */
static int compact(const char *key, size_t klen, int put, const char *val, size_t vlen)
{
    struct compact_job j = { { log_first(1 - active), 0, gen + 1 }, key, klen };
    int r;

    memset(buf, 0, 3 * BLOCK);
    r = store_each(copy_entry, &j);
    if (r == 0 && put)
        r = append(&j.w, REC_PUT, key, klen, val, vlen, 0);
    if (r == 0)
        r = finish(&j.w);
    if (r == 0)
        r = write_superblock(seq + 1, 1 - active, gen + 1);
    if (r < 0) {
        reload_tail();
        return r;
    }
    w = j.w;
    compactions++;
    return 0;
}

/* ---- replay -------------------------------------------------------------------- */

/* Read n bytes at off of the log starting at block first, through buf's
 * second block. */
static int log_read(uint32_t first, uint32_t off, void *dst, size_t n, uint32_t *cached)
{
    uint8_t *cache = buf + BLOCK, *d = dst;

    while (n > 0) {
        uint32_t b = off / BLOCK, o = off % BLOCK;
        size_t k = BLOCK - o < n ? BLOCK - o : n;

        if (*cached != b) {
            if (dread(first + b, cache, 1) < 0)
                return -EIO;
            *cached = b;
        }
        memcpy(d, cache + o, k);
        d += k;
        off += (uint32_t)k;
        n -= k;
    }
    return 0;
}

/* Apply one record to the store: 0, or -ENOMEM. */
static int apply(int type, const char *key, size_t klen, const char *val, size_t vlen)
{
    struct kv_entry *e;

    if (type == REC_DELETE) {
        store_delete(key, klen);
        return 0;
    }
    if ((e = store_entry_new(key, klen, val, vlen)) == NULL)
        return -ENOMEM;
    store_insert(e);
    return 0;
}

static int add_live(const struct kv_entry *e, void *arg)
{
    live += rec_size(e->klen, e->vlen);
    return 0;
}

/* Replay the active log: the count of records, or -ENOMEM / -EIO. */
static int replay(void)
{
    uint32_t off = 0, cached = UINT32_MAX, first = log_first(active);
    char key[KV_KEY_MAX];
    char *val = (char *)buf + 2 * BLOCK;
    int records = 0;

    for (;;) {
        uint8_t h[REC_HDR];
        uint32_t klen, vlen;

        if (off + REC_HDR > log_bytes())
            break;
        if (log_read(first, off, h, REC_HDR, &cached) < 0)
            return -EIO;
        klen = h[9];
        vlen = h[10] | (uint32_t)h[11] << 8;
        if (get32(h) != REC_MAGIC || get32(h + 4) != gen || (h[8] != REC_PUT && h[8] != REC_DELETE)
            || klen == 0 || klen > KV_KEY_MAX || vlen > KV_VALUE_MAX
            || (h[8] == REC_DELETE && vlen != 0) || off + rec_size(klen, vlen) > log_bytes())
            break;
        if (log_read(first, off + REC_HDR, key, klen, &cached) < 0
            || log_read(first, off + REC_HDR + klen, val, vlen, &cached) < 0)
            return -EIO;
        if (get32(h + 12) != crc32_add(crc32_add(crc32_add(0, h, 12), key, klen), val, vlen)
            || !kv_key_valid(key, klen))
            break;
        if (apply(h[8], key, klen, val, vlen) < 0)
            return -ENOMEM;
        off += rec_size(klen, vlen);
        records++;
    }
    w = (struct writer){ first, off, gen };
    live = 0;
    store_each(add_live, NULL);
    return reload_tail() < 0 ? -EIO : records;
}

/* ---- opening ------------------------------------------------------------------- */

/* Format a blank disk: log 0 active, generation 1. */
static int format(uint32_t disk)
{
    log_blocks = (disk - FIRST_LOG_BLOCK) / 2;
    memset(buf, 0, BLOCK);
    if (dwrite(log_first(0), buf, 1) < 0 || write_superblock(1, 0, 1) < 0)
        return -EIO;
    w = (struct writer){ log_first(0), 0, 1 };
    printf("kv: formatted a blank disk of %u blocks: two logs of %u blocks\n",
           (unsigned)disk, (unsigned)log_blocks);
    return 1;
}

static int memory_only(const char *why)
{
    printf("kv: %s: running in memory only, nothing outlives the VM\n", why);
    free(buf);
    buf = NULL;
    return 0;
}

int kvlog_open(void)
{
    uint32_t disk = disk_blocks(), s[2], a[2], g[2], lb[2];
    int valid[2], r;

    if (disk == 0)
        return memory_only("no disk");
    if (disk < KVLOG_MIN_BLOCKS)
        return memory_only("the disk is too small");
    if ((buf = calloc(3, BLOCK)) == NULL)
        return memory_only("no memory for the disk buffer");
    if (dread(0, buf, 2) < 0)
        return memory_only("the disk cannot be read");
    for (int i = 0; i < 2; i++)
        valid[i] = superblock_valid(buf + i * BLOCK, disk, &s[i], &a[i], &g[i], &lb[i]);
    if (!valid[0] && !valid[1]) {
        if (!all_zero(buf, 2 * BLOCK))
            return memory_only("the disk holds no kv superblock and is not blank (left alone)");
        r = format(disk);
        if (r < 0)
            return memory_only("the disk cannot be written");
        on = 1;
        return 1;
    }
    int i = valid[0] && (!valid[1] || s[0] > s[1]) ? 0 : 1;
    seq = s[i];
    active = a[i];
    gen = g[i];
    log_blocks = lb[i];
    r = replay();
    if (r < 0) {
        printf("kv: cannot load the log from disk (%s)\n", r == -ENOMEM ? "out of memory" : "read refused");
        return -1;
    }
    on = 1;
    printf("kv: replayed %d records from disk: %u keys, %u bytes; log %u of %u bytes, generation %u\n",
           r, (unsigned)store_keys(), (unsigned)store_bytes(), (unsigned)w.off,
           (unsigned)log_bytes(), (unsigned)gen);
    return 1;
}

int kvlog_on(void)
{
    return on;
}

/* ---- changes ------------------------------------------------------------------- */

static uint32_t old_size(const char *key, size_t klen)
{
    const struct kv_entry *e = store_get(key, klen);

    return e ? rec_size(e->klen, e->vlen) : 0;
}

int kvlog_fits(const char *key, size_t klen, size_t vlen)
{
    return !on || live - old_size(key, klen) + rec_size(klen, vlen) <= live_max();
}

int kvlog_put(const char *key, size_t klen, const char *val, size_t vlen)
{
    uint32_t old = old_size(key, klen);
    int r;

    if (!on)
        return 0;
    if (live - old + rec_size(klen, vlen) > live_max())
        return -ENOSPC;
    r = append(&w, REC_PUT, key, klen, val, vlen, 1);
    if (r == -ENOSPC)
        r = compact(key, klen, 1, val, vlen);
    if (r == 0)
        live = live - old + rec_size(klen, vlen);
    return r;
}

int kvlog_delete(const char *key, size_t klen)
{
    uint32_t old = old_size(key, klen);
    int r;

    if (!on || old == 0)
        return 0;
    r = append(&w, REC_DELETE, key, klen, NULL, 0, 1);
    if (r == -ENOSPC)
        r = compact(key, klen, 0, NULL, 0);
    if (r == 0)
        live -= old;
    return r;
}

void kvlog_stats(struct kvlog_stats *out)
{
    out->log_bytes = on ? log_bytes() : 0;
    out->used = on ? w.off : 0;
    out->live = live;
    out->generation = gen;
    out->compactions = compactions;
}
