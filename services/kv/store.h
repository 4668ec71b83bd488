/*
 * services/kv/store.h - the key-value store in memory (store.c).
 *
 * A hash table of entries, each one malloc'd block holding its key and
 * value.  All data lives here; the disk (kvlog.h) only makes it durable.
 * Updating is two steps so that the disk can be written in between: make
 * the entry (may fail for memory), write the log record, then insert it
 * (cannot fail).
 */
#ifndef KV_STORE_H
#define KV_STORE_H
#include <stddef.h>
#include <stdint.h>

#define KV_KEY_MAX    64                /* bytes; keys are 1..64 visible ASCII */
#define KV_VALUE_MAX  4096              /* bytes; values are any bytes */
#define KV_MAX_KEYS   4096
#define KV_MAX_BYTES  (1024u * 1024u)   /* keys + values held at once */

struct kv_entry {
    struct kv_entry *next;              /* hash chain */
    uint16_t vlen;
    uint8_t klen;
    char data[];                        /* key, then value */
};

static inline const char *kv_key(const struct kv_entry *e) { return e->data; }
static inline const char *kv_value(const struct kv_entry *e) { return e->data + e->klen; }

/* A key the protocol and the log accept: 1..KV_KEY_MAX bytes 0x21..0x7e. */
int kv_key_valid(const char *key, size_t klen);

struct kv_entry *store_get(const char *key, size_t klen);
/* A new entry, not yet in the table; NULL when memory is short. */
struct kv_entry *store_entry_new(const char *key, size_t klen, const char *val, size_t vlen);
/* Put e in the table, replacing (and freeing) the entry with its key. */
void store_insert(struct kv_entry *e);
/* Remove and free the key's entry: 1, or 0 if there was none. */
int store_delete(const char *key, size_t klen);

/* Would putting klen+vlen under key stay within KV_MAX_KEYS and
 * KV_MAX_BYTES? */
int store_fits(const char *key, size_t klen, size_t vlen);
uint32_t store_keys(void);
uint32_t store_bytes(void);             /* keys + values */
/* Call fn on every entry (in no particular order) until it returns
 * non-zero, which is returned. */
int store_each(int (*fn)(const struct kv_entry *e, void *arg), void *arg);

#endif /* KV_STORE_H */
