/*
 * services/kv/kvlog.h - the store's log on the VM's disk (kvlog.c).
 *
 * Disk layout, 4096-byte blocks, integers little-endian:
 *
 *   block 0, 1   superblock copies, written alternately (copy = seq & 1):
 *                "ILWCOKV1", version 1, seq, active log (0/1), generation,
 *                blocks per log, CRC-32 of those 28 bytes.  The valid copy
 *                with the higher seq is the current one.
 *   log 0, log 1 two equal halves of the rest: the active one holds an
 *                append-only log of records, from its first byte:
 *
 *     magic "KVR1", generation, type (1 put, 2 delete), key length,
 *     value length (u16), CRC-32 of the 12 header bytes before it + key +
 *     value; then key and value, zero-padded to a multiple of 4.
 *
 * The live entries' records may take at most 3/4 of a log (a put beyond
 * that is refused), so a compaction always frees at least a quarter.
 *
 * Opening replays the active log into the store, stopping at the first
 * record that is not whole and valid with the current generation (the
 * end of the log, or a record a crash cut short).  Each put or delete is
 * appended and written (the blocks it touches) before it is acknowledged.
 * When the active log is full, compaction writes the live entries, with
 * the change being made, to the other log under generation + 1 and then
 * writes the next superblock copy: until that write the old log is
 * current, after it the new one, so a crash at any point loses nothing
 * acknowledged.  Records of older generations left in a log are never
 * taken for current ones.
 *
 * A blank disk (both superblocks all zero) is formatted; a disk with
 * anything else but no valid superblock is left alone and the store runs
 * in memory only, as it does without a disk or with one under
 * KVLOG_MIN_BLOCKS blocks.
 */
#ifndef KV_KVLOG_H
#define KV_KVLOG_H
#include <stddef.h>
#include <stdint.h>

#define KVLOG_MIN_BLOCKS 8              /* 2 superblocks + 2 logs of 3 */

/* Open the disk: replay its log into the (empty) store, or format it.
 * Prints one line saying what it found.  1: the disk is in use; 0:
 * memory only; -1: the log could not be loaded (memory too short; the
 * store must not run, or compaction would drop what was not loaded). */
int kvlog_open(void);
int kvlog_on(void);

/* Would the live data, after putting vlen bytes under key, still fit in
 * 3/4 of a log?  (Always 1 in memory-only mode.) */
int kvlog_fits(const char *key, size_t klen, size_t vlen);

/* Make a put or a delete durable, before the store is changed: 0, or
 * -EIO when a disk request was refused, -ENOSPC when the data does not
 * fit (kvlog_fits said so).  In memory-only mode, 0 and nothing done. */
int kvlog_put(const char *key, size_t klen, const char *val, size_t vlen);
int kvlog_delete(const char *key, size_t klen);

struct kvlog_stats {
    uint32_t log_bytes;         /* one log's capacity */
    uint32_t used;              /* bytes of the active log written */
    uint32_t live;              /* bytes the live entries' records take */
    uint32_t generation;
    uint32_t compactions;
};
void kvlog_stats(struct kvlog_stats *out);

#endif /* KV_KVLOG_H */
