/* models/names.c - a run's component names, each made once (names.h).
 *
 * The table: open addressing with linear probing over 8-byte slots, the
 * key (index << 4 | kind) in the high half and the name's place in the
 * store (block << 16 | offset) in the low half; an empty slot is all ones
 * (no key is: a kind is below 15). Hashed by Fibonacci multiplication;
 * doubled when 16/17 full, GLib's GHashTable's rule, so that at any count
 * it takes two thirds of the bytes of the GHashTable string set it
 * replaced (8-byte slots against 12): fleet-100k names 61,653 components,
 * 94% of 2^16 slots. A lookup of a name made before (the common case)
 * stops at its key: ~9 probes, one or two cache lines, at that load. An
 * index too large for a 32-bit key (2^28 and over: no shipped fleet comes
 * near) is named and kept through the interned-text set instead.
 *
 * The store: blocks of 64 KiB, never moved or freed before names_free, so
 * a name's address is stable for the run. Text larger than a block (no
 * component name is: topo.h bounds them by 96 bytes) gets a block of its
 * own. */
#include "names.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#define BLOCK_SIZE 65536u
#define MAX_BLOCKS 65536u
#define KEY_INDEX_LIMIT (1u << 28)
#define EMPTY UINT64_MAX
#define MIN_BITS 8

G_STATIC_ASSERT (TOPO_N_KINDS < 16);

struct Names
{
  const Topo *topo;
  uint64_t *slots;    /* 1 << bits: key << 32 | ref, or EMPTY */
  uint32_t bits;
  uint32_t count;     /* occupied slots */
  char **blocks;      /* the store */
  uint32_t n_blocks, cap_blocks;
  uint32_t used;      /* bytes used of the last block */
  uint32_t last_size; /* its size */
  GHashTable *text;   /* names_intern's strings (in the store), or NULL */
};

Names *
names_new (const Topo *topo)
{
  g_return_val_if_fail (topo != NULL, NULL);
  Names *n = g_new0 (Names, 1);
  n->topo = topo;
  n->bits = MIN_BITS;
  n->slots = g_new (uint64_t, 1u << n->bits);
  memset (n->slots, 0xff, sizeof (uint64_t) << n->bits);
  return n;
}

void
names_free (Names *n)
{
  if (n == NULL)
    return;
  for (uint32_t b = 0; b < n->n_blocks; b++)
    g_free (n->blocks[b]);
  g_free (n->blocks);
  g_free (n->slots);
  if (n->text != NULL)
    g_hash_table_unref (n->text);
  g_free (n);
}

uint32_t
names_count (const Names *n)
{
  g_return_val_if_fail (n != NULL, 0);
  return n->count;
}

/* Copies len bytes of s and a NUL into the store; returns the copy's
 * place (block << 16 | offset; offset 0 for a block of its own). */
static uint32_t
store (Names *n, const char *s, size_t len)
{
  if (n->n_blocks == 0 || len + 1 > n->last_size - n->used)
    {
      if (n->n_blocks == MAX_BLOCKS)
        g_error ("names: more than %u blocks of component names", MAX_BLOCKS);
      if (n->n_blocks == n->cap_blocks)
        {
          n->cap_blocks = MAX (16, n->cap_blocks * 2);
          n->blocks = g_renew (char *, n->blocks, n->cap_blocks);
        }
      n->last_size = (uint32_t) MAX (BLOCK_SIZE, len + 1);
      n->blocks[n->n_blocks++] = g_malloc (n->last_size);
      n->used = 0;
    }
  uint32_t ref = (n->n_blocks - 1) << 16 | n->used;
  memcpy (n->blocks[n->n_blocks - 1] + n->used, s, len);
  n->blocks[n->n_blocks - 1][n->used + len] = '\0';
  n->used += (uint32_t) len + 1;
  return ref;
}

static inline const char *
ref_text (const Names *n, uint32_t ref)
{
  return n->blocks[ref >> 16] + (ref & 0xffff);
}

static inline uint32_t
slot_of (uint32_t key, uint32_t bits)
{
  return (key * 2654435769u) >> (32 - bits);
}

static void
grow (Names *n)
{
  uint32_t old_cap = 1u << n->bits;
  uint64_t *old = n->slots;
  n->bits++;
  uint32_t mask = (1u << n->bits) - 1;
  n->slots = g_new (uint64_t, 1u << n->bits);
  memset (n->slots, 0xff, sizeof (uint64_t) << n->bits);
  for (uint32_t i = 0; i < old_cap; i++)
    if (old[i] != EMPTY)
      {
        uint32_t j = slot_of ((uint32_t) (old[i] >> 32), n->bits);
        while (n->slots[j] != EMPTY)
          j = (j + 1) & mask;
        n->slots[j] = old[i];
      }
  g_free (old);
}

/* Writes the name of (kind, index) into buf; returns its length (which
 * may exceed len - 1, as snprintf's). */
static size_t
format (const Names *n, TopoKind kind, uint32_t index, char *buf, size_t len)
{
  size_t l = topo_name (n->topo, kind, index, buf, len);
  if (l > 0)
    return l;
  int r = snprintf (buf, len, "%s#%u", topo_kind_name (kind), index);
  return r > 0 ? (size_t) r : 0;
}

/* Formats (kind, index) and stores it; returns its place. */
static uint32_t
make (Names *n, TopoKind kind, uint32_t index)
{
  char buf[160];
  size_t len = format (n, kind, index, buf, sizeof buf);
  if (len < sizeof buf)
    return store (n, buf, len);
  g_autofree char *big = g_malloc (len + 1);
  format (n, kind, index, big, len + 1);
  return store (n, big, len);
}

const char *
names_intern (Names *n, const char *text)
{
  g_return_val_if_fail (n != NULL && text != NULL, NULL);
  if (n->text == NULL)
    n->text = g_hash_table_new (g_str_hash, g_str_equal);
  const char *have = g_hash_table_lookup (n->text, text);
  if (have != NULL)
    return have;
  char *mine = (char *) ref_text (n, store (n, text, strlen (text)));
  g_hash_table_add (n->text, mine);
  return mine;
}

const char *
names_get (Names *n, TopoKind kind, uint32_t index)
{
  g_return_val_if_fail (n != NULL && (unsigned) kind < TOPO_N_KINDS, NULL);
  if (index >= KEY_INDEX_LIMIT)
    {
      char buf[160];
      size_t len = format (n, kind, index, buf, sizeof buf);
      g_assert (len < sizeof buf); /* "kind#index": no topology names these */
      return names_intern (n, buf);
    }
  uint32_t key = index << 4 | (uint32_t) kind;
  uint32_t mask = (1u << n->bits) - 1;
  uint32_t i = slot_of (key, n->bits);
  for (; n->slots[i] != EMPTY; i = (i + 1) & mask)
    if ((uint32_t) (n->slots[i] >> 32) == key)
      return ref_text (n, (uint32_t) n->slots[i]);
  uint32_t c = n->count + 1;
  if ((uint64_t) c + c / 16 >= (uint64_t) 1 << n->bits)
    {
      grow (n);
      mask = (1u << n->bits) - 1;
      for (i = slot_of (key, n->bits); n->slots[i] != EMPTY; i = (i + 1) & mask)
        ;
    }
  uint32_t ref = make (n, kind, index);
  n->slots[i] = (uint64_t) key << 32 | ref;
  n->count++;
  return ref_text (n, ref);
}
