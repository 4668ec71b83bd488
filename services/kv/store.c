/*
 * services/kv/store.c - the key-value store in memory (see store.h).
 *
 * KV_BUCKETS chains, FNV-1a hashing; the bucket array is allocated with
 * the first entry, so a store that was never written holds no heap.
 */
#include <stdlib.h>
#include <string.h>
#include "store.h"

#define KV_BUCKETS 256

static struct kv_entry **buckets;
static uint32_t nkeys, nbytes;

int kv_key_valid(const char *key, size_t klen)
{
    if (klen == 0 || klen > KV_KEY_MAX)
        return 0;
    for (size_t i = 0; i < klen; i++)
        if ((unsigned char)key[i] < 0x21 || (unsigned char)key[i] > 0x7e)
            return 0;
    return 1;
}

static uint32_t hash(const char *key, size_t klen)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < klen; i++)
        h = (h ^ (unsigned char)key[i]) * 16777619u;
    return h % KV_BUCKETS;
}

/* The link that points at key's entry (or at the NULL ending its chain). */
static struct kv_entry **find(const char *key, size_t klen)
{
    struct kv_entry **link = &buckets[hash(key, klen)];

    while (*link && ((*link)->klen != klen || memcmp(kv_key(*link), key, klen) != 0))
        link = &(*link)->next;
    return link;
}

struct kv_entry *store_get(const char *key, size_t klen)
{
    return buckets ? *find(key, klen) : NULL;
}

struct kv_entry *store_entry_new(const char *key, size_t klen, const char *val, size_t vlen)
{
    struct kv_entry *e;

    if (buckets == NULL && (buckets = calloc(KV_BUCKETS, sizeof *buckets)) == NULL)
        return NULL;
    e = malloc(sizeof *e + klen + vlen);
    if (e == NULL)
        return NULL;
    e->next = NULL;
    e->klen = (uint8_t)klen;
    e->vlen = (uint16_t)vlen;
    memcpy(e->data, key, klen);
    memcpy(e->data + klen, val, vlen);
    return e;
}

void store_insert(struct kv_entry *e)
{
    struct kv_entry **link = find(kv_key(e), e->klen);

    if (*link) {
        struct kv_entry *old = *link;

        e->next = old->next;
        nbytes -= old->klen + old->vlen;
        nkeys--;
        free(old);
    }
    *link = e;
    nbytes += e->klen + e->vlen;
    nkeys++;
}

int store_delete(const char *key, size_t klen)
{
    struct kv_entry **link, *e;

    if (buckets == NULL)
        return 0;
    link = find(key, klen);
    if ((e = *link) == NULL)
        return 0;
    *link = e->next;
    nbytes -= e->klen + e->vlen;
    nkeys--;
    free(e);
    return 1;
}

int store_fits(const char *key, size_t klen, size_t vlen)
{
    const struct kv_entry *old = store_get(key, klen);
    uint32_t keys = nkeys + (old == NULL);
    uint32_t bytes = nbytes - (old ? old->klen + old->vlen : 0) + (uint32_t)(klen + vlen);

    return keys <= KV_MAX_KEYS && bytes <= KV_MAX_BYTES;
}

uint32_t store_keys(void)
{
    return nkeys;
}

uint32_t store_bytes(void)
{
    return nbytes;
}

int store_each(int (*fn)(const struct kv_entry *e, void *arg), void *arg)
{
    if (buckets == NULL)
        return 0;
    for (int b = 0; b < KV_BUCKETS; b++)
        for (const struct kv_entry *e = buckets[b]; e; e = e->next) {
            int r = fn(e, arg);
            if (r != 0)
                return r;
        }
    return 0;
}
