/* sim/evq.c - the pending-event set: a radix queue over integer time
 * (EVQ_RADIX, the default), and the front that forwards to the 4-ary heap
 * (sim/evq_heap.c) for queues made with EVQ_HEAP. Hot path of every run;
 * knows nothing of models.
 *
 * Why a radix queue. Time is an integer (microseconds) and never goes
 * back: every push is at or after the last pop. A radix heap (Ahuja,
 * Mehlhorn, Orlin & Tarjan 1990) exploits exactly that, here with 8-bit
 * digits. With `last` a lower bound of every pending key, a key k is filed
 * by the highest 8-bit digit l in which it differs from last (l = 0 if
 * equal) and by its own digit d at l: bucket (l, d), 8 levels of 256.
 * Every key of bucket (l, d) is smaller than every key of (l, d + 1) and
 * of every bucket of level l + 1. A pop takes from the current bucket
 * (0, last's digit 0), which holds the keys equal to last. When it is
 * empty, the lowest non-empty bucket (l, d) becomes the base: last takes
 * digit d at l followed by zeros, and the bucket's keys are redistributed
 * into levels below l, in one sequential pass. A key therefore moves about
 * three times in its life whatever the number of pending events: no
 * comparisons against other keys, no O(log n) sift through a tree much
 * bigger than the cache. Measured against the 4-ary heap and a plain
 * binary heap in docs/performance.md.
 *
 * Keys. key = time with the sign bit flipped, so that unsigned order is
 * time order for every int64 (negative times included; INT64_MAX works).
 *
 * (time, seq) order. Two entries with the same time always sit in the same
 * bucket (the bucket is a function of the key) and every operation keeps
 * the order of a bucket: a push appends, a redistribution reads a bucket
 * from head to tail and appends to the targets, a compaction filters in
 * place. A push has the largest seq so far. Hence entries of equal time
 * sit in seq order in their bucket, and the current bucket (all of time ==
 * last) is a FIFO in seq order: no seq comparison is ever needed.
 *
 * Storage. An entry is the whole event, 32 bytes: key, seq, kind, target,
 * data. A pop reads nothing but its entry, which it reaches sequentially,
 * so the only random access an event costs is its handler's own state;
 * and when entries move into level 0 (they pop within 256 us of simulated
 * time) the queue knows their targets and can start loading that state
 * (evq_set_prefetch) hundreds of events ahead. A bucket is a list of 4 KiB
 * chunks of 127 entries. Chunks come from a free list, refilled from
 * blocks of up to 2 MiB (huge pages advised; evq_reserve allocates one
 * block for all it is told); a redistribution returns each chunk it has
 * read to the free list before reading the next, so the targets reuse it
 * at once. After warm-up nothing is allocated: memory is 32 bytes per
 * peak entry plus one partial chunk per non-empty bucket.
 *
 * Pushes below last. A peek may take last ahead of the last pop (it
 * refills the current bucket to learn the next time); if the caller then
 * pushes an event between the two (legal: e.g. sim_run stopped at `until`
 * before the next event, or a tick scheduling at its own instant), the
 * entry goes into `early`, a small binary heap ordered by (key, seq) whose
 * entries are all below last and so pop before every bucket. Empty in
 * steady state.
 *
 * Cancel and reschedule. The handle is the seq. On the first cancel or
 * reschedule, an open-addressing hash seq -> payload of every pending live
 * event is built (O(n), once) and kept from then on: a queue that never
 * cancels never pays for it. An entry is live if and only if its seq is in
 * that hash. Cancelling removes the seq from the hash and leaves the entry
 * where it is (finding an entry inside a bucket would cost a position
 * array updated on every move); a reschedule also pushes the payload the
 * hash held, under a new seq. A dead entry is dropped when it reaches a
 * pop or a peek (which look the seq up anyway, to remove it from the
 * hash), or by a compaction, which runs when dead entries outnumber live
 * ones by EVQ_DEAD_SLACK: each bucket and `early` are filtered in order.
 * So memory stays bounded by about twice the peak number of live events
 * (the hash by four times, and at least EVQ_INDEX_MIN slots),
 * and a cancel costs O(1) amortised.
 *
 * Limits: the seq is 64 bits; the queue stops with a message (g_error)
 * before it would wrap, never silently. */
#include "evq.h"

#include <glib.h>
#include <string.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

#include "evq_heap.h"

#define EVQ_DIGIT_BITS 8
#define EVQ_DIGITS (1u << EVQ_DIGIT_BITS)          /* 256 buckets per level */
#define EVQ_LEVELS (64 / EVQ_DIGIT_BITS)           /* 8 */
#define EVQ_BUCKETS (EVQ_LEVELS * EVQ_DIGITS)      /* 2048 */
#define EVQ_WORDS (EVQ_BUCKETS / 64)               /* bitmap words */
#define EVQ_CHUNK_BYTES 4096
#define EVQ_DEAD_SLACK 256
/* The live-event hash never shrinks below this many slots (24 KiB), and
 * shrinks only when 1/16 full: with 64 slots and shrinking at 1/8, a run
 * whose live count swings in bursts (a switch failure's 64 link
 * observations) rebuilt the table 1,483 times in fleet-100k, 2.3% of it. */
#define EVQ_INDEX_MIN 1024
#define EVQ_SIGN ((uint64_t) 1 << 63)
#define EVQ_HUGE ((size_t) 2 << 20)
#define EVQ_HUGE_MIN ((size_t) 16 << 20)
#define EVQ_BLOCK_MAX (EVQ_HUGE / EVQ_CHUNK_BYTES) /* chunks per block */

typedef struct
{
  uint64_t key; /* time ^ EVQ_SIGN */
  uint64_t seq;
  uint32_t kind;
  uint32_t target;
  uint64_t data;
} EvqEnt;

G_STATIC_ASSERT (sizeof (EvqEnt) == 32);

/* The header sits after the entries, so that every entry is aligned on
 * 32 bytes and never straddles a cache line. */
#define EVQ_CHUNK_ENTS (EVQ_CHUNK_BYTES / sizeof (EvqEnt) - 1) /* 127 */

typedef struct EvqChunk EvqChunk;
struct EvqChunk
{
  EvqEnt e[EVQ_CHUNK_ENTS];
  EvqChunk *next;
  uint32_t first; /* entries [first, n) are in the bucket */
  uint32_t n;
  uint64_t pad[2]; /* to 4 KiB: every chunk of a block 64-byte aligned */
};

G_STATIC_ASSERT (sizeof (EvqChunk) == EVQ_CHUNK_BYTES);

typedef struct
{
  EvqChunk *head, *tail; /* NULL when empty */
} EvqBucket;

/* One slot of the seq -> payload hash (seq 0 = empty). */
typedef struct
{
  uint64_t seq;
  uint64_t data;
  uint32_t kind;
  uint32_t target;
} EvqIdx;

/* evq_set_prefetch: the per-target state of a kind's handler. */
typedef struct
{
  const char *base; /* NULL: none */
  size_t stride;
} EvqPrefetch;

struct Evq
{
  EvqHeap *heap; /* non-NULL: an EVQ_HEAP queue, everything forwards */
  EvqBucket b[EVQ_BUCKETS];
  uint64_t used[EVQ_WORDS]; /* bit j set when bucket j is not empty */
  uint32_t used_words;      /* bit w set when used[w] != 0 */
  uint64_t last; /* every key in the buckets is >= last; its digit 0
                    names the current bucket */
  EvqEnt *early;     /* binary heap of entries below last */
  size_t early_n, early_cap;
  uint64_t next_seq;
  size_t live; /* pushed, not popped, not cancelled */
  size_t dead; /* cancelled, entry still in a bucket or early */
  SimTime last_pop;
  EvqChunk *free_chunks;
  GPtrArray *blocks; /* chunk blocks, for evq_free */
  size_t chunks;     /* chunks allocated */
  size_t next_block; /* chunks in the next block */
  EvqPrefetch *pf;   /* indexed by kind, pf_n of them */
  uint32_t pf_n;
  bool indexed;
  EvqIdx *index;
  size_t index_cap, index_n;
  unsigned index_shift;
};

/* ---- internals: chunks ---- */

static void *
evq_array_new (size_t n, size_t size)
{
  size_t bytes = n * size;
  if (bytes < EVQ_HUGE_MIN)
    return g_aligned_alloc (n, size, 64);
  void *p = g_aligned_alloc (n, size, EVQ_HUGE);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  (void) madvise (p, bytes & ~(EVQ_HUGE - 1), MADV_HUGEPAGE);
#endif
  return p;
}

static inline SimTime
key_time (uint64_t key)
{
  return (SimTime) (key ^ EVQ_SIGN);
}

/* Level l = the highest 8-bit digit in which key differs from last (0 if
 * equal), bucket = l * 256 + key's digit l. */
static inline unsigned
bucket_of (const Evq *q, uint64_t key)
{
  uint64_t x = key ^ q->last;
  unsigned l = x ? (63 - (unsigned) __builtin_clzll (x)) / EVQ_DIGIT_BITS : 0;
  return l * EVQ_DIGITS
         + (unsigned) ((key >> (l * EVQ_DIGIT_BITS)) & (EVQ_DIGITS - 1));
}

static inline unsigned
cur_bucket (const Evq *q)
{
  return (unsigned) (q->last & (EVQ_DIGITS - 1));
}

static inline void
mark_used (Evq *q, unsigned j)
{
  q->used[j / 64] |= (uint64_t) 1 << (j % 64);
  q->used_words |= 1u << (j / 64);
}

static inline void
mark_empty (Evq *q, unsigned j)
{
  q->used[j / 64] &= ~((uint64_t) 1 << (j % 64));
  if (q->used[j / 64] == 0)
    q->used_words &= ~(1u << (j / 64));
}

static inline void
chunk_put (Evq *q, EvqChunk *c)
{
  c->next = q->free_chunks;
  q->free_chunks = c;
}

/* Adds a block of n chunks to the free list. */
static void
chunk_block (Evq *q, size_t n)
{
  EvqChunk *blk = n * EVQ_CHUNK_BYTES >= EVQ_HUGE
                    ? evq_array_new (n, sizeof (EvqChunk))
                    : g_aligned_alloc (n, sizeof (EvqChunk), 64);
  g_ptr_array_add (q->blocks, blk);
  q->chunks += n;
  for (size_t i = n; i-- > 0;)
    chunk_put (q, &blk[i]);
}

/* A block of chunks: 2 at first, doubling up to 2 MiB (EVQ_BLOCK_MAX). */
static G_GNUC_NO_INLINE void
chunk_refill (Evq *q)
{
  chunk_block (q, q->next_block);
  if (q->next_block < EVQ_BLOCK_MAX)
    q->next_block *= 2;
}

static inline EvqChunk *
chunk_get (Evq *q)
{
  if (G_UNLIKELY (q->free_chunks == NULL))
    chunk_refill (q);
  EvqChunk *c = q->free_chunks;
  q->free_chunks = c->next;
  c->next = NULL;
  c->first = c->n = 0;
  return c;
}

static inline G_ALWAYS_INLINE void
bucket_append (Evq *q, unsigned j, const EvqEnt *e)
{
  EvqBucket *b = &q->b[j];
  EvqChunk *t = b->tail;
  if (G_UNLIKELY (t == NULL || t->n == EVQ_CHUNK_ENTS))
    {
      EvqChunk *c = chunk_get (q);
      if (t == NULL)
        {
          b->head = c;
          mark_used (q, j);
        }
      else
        t->next = c;
      b->tail = t = c;
    }
  t->e[t->n++] = *e;
}

/* Removes and returns the head entry of the current bucket (not empty). */
static inline EvqEnt
cur_take (Evq *q)
{
  unsigned j = cur_bucket (q);
  EvqBucket *b = &q->b[j];
  EvqChunk *c = b->head;
  EvqEnt e = c->e[c->first++];
  if (c->first == c->n)
    {
      if (c == b->tail)
        {
          chunk_put (q, c);
          b->head = b->tail = NULL;
          mark_empty (q, j);
        }
      else
        {
          b->head = c->next;
          chunk_put (q, c);
        }
    }
  return e;
}

static inline const EvqEnt *
cur_head (const Evq *q)
{
  const EvqChunk *c = q->b[cur_bucket (q)].head;
  return c != NULL ? &c->e[c->first] : NULL;
}

/* Starts loading the state e's handler will touch (evq_set_prefetch). */
static inline void
prefetch_target (const Evq *q, const EvqEnt *e)
{
  if (e->kind < q->pf_n && q->pf[e->kind].base != NULL)
    __builtin_prefetch (q->pf[e->kind].base
                        + (size_t) e->target * q->pf[e->kind].stride);
}

/* ---- internals: early, a binary heap of entries below last ---- */

static inline bool
ent_lt (const EvqEnt *a, const EvqEnt *b)
{
  return a->key < b->key || (a->key == b->key && a->seq < b->seq);
}

static void
early_sift_down (Evq *q, size_t i)
{
  EvqEnt *h = q->early;
  size_t n = q->early_n;
  EvqEnt e = h[i];
  for (;;)
    {
      size_t c = 2 * i + 1;
      if (c >= n)
        break;
      if (c + 1 < n && ent_lt (&h[c + 1], &h[c]))
        c++;
      if (!ent_lt (&h[c], &e))
        break;
      h[i] = h[c];
      i = c;
    }
  h[i] = e;
}

static void
early_push (Evq *q, const EvqEnt *e)
{
  if (q->early_n == q->early_cap)
    {
      q->early_cap = q->early_cap ? 2 * q->early_cap : 16;
      q->early = g_renew (EvqEnt, q->early, q->early_cap);
    }
  size_t i = q->early_n++;
  while (i > 0 && ent_lt (e, &q->early[(i - 1) / 2]))
    {
      q->early[i] = q->early[(i - 1) / 2];
      i = (i - 1) / 2;
    }
  q->early[i] = *e;
}

static EvqEnt
early_pop (Evq *q)
{
  EvqEnt top = q->early[0];
  q->early[0] = q->early[--q->early_n];
  if (q->early_n > 0)
    early_sift_down (q, 0);
  return top;
}

/* ---- internals: the seq -> payload hash of live events ---- */

static inline size_t
index_home (const Evq *q, uint64_t seq)
{
  return (size_t) ((seq * 0x9e3779b97f4a7c15ULL) >> q->index_shift);
}

static void index_put (Evq *q, const EvqIdx *x);

static void
index_resize (Evq *q, size_t cap)
{
  EvqIdx *old = q->index;
  size_t old_cap = q->index_cap;
  unsigned bits = 0;
  while (((size_t) 1 << bits) < cap)
    bits++;
  q->index_cap = (size_t) 1 << bits;
  q->index_shift = 64 - bits;
  q->index = g_new0 (EvqIdx, q->index_cap);
  q->index_n = 0;
  for (size_t i = 0; i < old_cap; i++)
    if (old[i].seq != 0)
      index_put (q, &old[i]);
  g_free (old);
}

static void
index_put (Evq *q, const EvqIdx *x)
{
  if (2 * (q->index_n + 1) > q->index_cap)
    index_resize (q, 2 * q->index_cap);
  size_t mask = q->index_cap - 1;
  size_t i = index_home (q, x->seq);
  while (q->index[i].seq != 0)
    i = (i + 1) & mask;
  q->index[i] = *x;
  q->index_n++;
}

static EvqIdx *
index_find (const Evq *q, uint64_t seq)
{
  size_t mask = q->index_cap - 1;
  for (size_t i = index_home (q, seq);; i = (i + 1) & mask)
    {
      if (q->index[i].seq == seq)
        return &q->index[i];
      if (q->index[i].seq == 0)
        return NULL;
    }
}

/* Removes s (backward-shift deletion: no tombstones) and shrinks the
 * table when it is mostly empty, so that it follows the live count. */
static void
index_remove (Evq *q, EvqIdx *s)
{
  size_t mask = q->index_cap - 1;
  size_t hole = (size_t) (s - q->index);
  for (size_t j = (hole + 1) & mask; q->index[j].seq != 0; j = (j + 1) & mask)
    {
      size_t home = index_home (q, q->index[j].seq);
      bool stays = hole <= j ? (hole < home && home <= j)
                             : (hole < home || home <= j);
      if (!stays)
        {
          q->index[hole] = q->index[j];
          hole = j;
        }
    }
  q->index[hole].seq = 0;
  q->index_n--;
  if (q->index_cap > EVQ_INDEX_MIN && 16 * q->index_n < q->index_cap)
    index_resize (q, q->index_cap / 2);
}

static inline void
index_add_ent (Evq *q, const EvqEnt *e)
{
  index_put (q, &(EvqIdx) { .seq = e->seq, .data = e->data,
                            .kind = e->kind, .target = e->target });
}

/* Before the first cancel nothing is dead: every entry goes in. */
static void
index_build (Evq *q)
{
  size_t want = EVQ_INDEX_MIN;
  while (want < 2 * (q->live + 1))
    want *= 2;
  index_resize (q, want);
  for (unsigned j = 0; j < EVQ_BUCKETS; j++)
    for (EvqChunk *c = q->b[j].head; c != NULL; c = c->next)
      for (uint32_t i = c->first; i < c->n; i++)
        index_add_ent (q, &c->e[i]);
  for (size_t i = 0; i < q->early_n; i++)
    index_add_ent (q, &q->early[i]);
  q->indexed = true;
}

/* Whether entry e is still pending (not cancelled). */
static inline bool
ent_live (const Evq *q, const EvqEnt *e)
{
  return q->dead == 0 || index_find (q, e->seq) != NULL;
}

/* ---- internals: refill and compaction ---- */

/* Moves one chunk's entries [first, n) to their buckets under the new
 * last; entries that land in level 0 pop within 256 us of simulated time:
 * their handlers' state is prefetched if pf (evq_set_prefetch). */
static inline G_ALWAYS_INLINE void
redistribute (Evq *q, const EvqChunk *c, bool pf)
{
  for (uint32_t i = c->first; i < c->n; i++)
    {
      const EvqEnt *e = &c->e[i];
      unsigned j = bucket_of (q, e->key);
      if (pf && j < EVQ_DIGITS)
        prefetch_target (q, e);
      bucket_append (q, j, e);
    }
}

/* The current bucket is empty: moves last up to the lowest non-empty
 * bucket, redistributing it if it is above level 0 (a level-0 bucket
 * holds a single key, and becomes the current one). The current bucket
 * may still be empty afterwards (call again). Returns false if the
 * buckets are empty. */
static G_GNUC_NO_INLINE bool
refill (Evq *q)
{
  if (q->used_words == 0)
    return false;
  unsigned w = (unsigned) __builtin_ctz (q->used_words);
  unsigned j = w * 64 + (unsigned) __builtin_ctzll (q->used[w]);
  if (j < EVQ_DIGITS)
    {
      q->last = (q->last & ~(uint64_t) (EVQ_DIGITS - 1)) | j;
      return true;
    }
  /* The keys of bucket j = (l, d) share last's digits above l and have
   * digit d at l. last becomes the smallest key of that form, d followed
   * by zeros: below every key of the bucket, above the old last (whose
   * digit l is < d), and the other buckets keep their place. One pass, no
   * search for the minimum: the entries land at levels below l, mostly
   * l-1, whose buckets are 256 times smaller and are redistributed from
   * cache when their turn comes. */
  unsigned shift = (j / EVQ_DIGITS) * EVQ_DIGIT_BITS;
  EvqBucket src = q->b[j];
  q->b[j] = (EvqBucket) { 0 };
  mark_empty (q, j);
  q->last = (src.head->e[src.head->first].key >> shift) << shift;
  bool pf = q->pf_n > 0;
  for (EvqChunk *c = src.head; c != NULL;)
    {
      EvqChunk *next = c->next;
      /* Chunks are a linked list: fetch the next one while this one is
       * read (the hardware prefetcher does not follow pointers). */
      if (next != NULL)
        for (size_t off = 0; off < 512; off += 64)
          __builtin_prefetch ((const char *) next + off);
      if (pf)
        redistribute (q, c, true);
      else
        redistribute (q, c, false);
      chunk_put (q, c);
      c = next;
    }
  return true;
}

/* Drops the dead entries of every bucket and of early, in order. O(live +
 * dead). */
static void
compact (Evq *q)
{
  for (unsigned j = 0; j < EVQ_BUCKETS; j++)
    {
      EvqBucket src = q->b[j];
      if (src.head == NULL)
        continue;
      q->b[j] = (EvqBucket) { 0 };
      mark_empty (q, j);
      for (EvqChunk *c = src.head; c != NULL;)
        {
          for (uint32_t i = c->first; i < c->n; i++)
            if (index_find (q, c->e[i].seq) != NULL)
              bucket_append (q, j, &c->e[i]);
          EvqChunk *next = c->next;
          chunk_put (q, c);
          c = next;
        }
    }
  size_t k = 0;
  for (size_t i = 0; i < q->early_n; i++)
    if (index_find (q, q->early[i].seq) != NULL)
      q->early[k++] = q->early[i];
  q->early_n = k;
  for (size_t i = k / 2; i-- > 0;)
    early_sift_down (q, i);
  q->dead = 0;
}

/* Drops dead entries at the front until the next entry is live. Returns
 * it (still in place: in early or at the head of the current bucket), or
 * NULL when the queue is empty. front() is the inlined common case. */
static G_GNUC_NO_INLINE const EvqEnt *
front_slow (Evq *q)
{
  for (;;)
    {
      const EvqEnt *e;
      bool in_early = q->early_n > 0;
      if (G_UNLIKELY (in_early))
        e = &q->early[0];
      else
        {
          while ((e = cur_head (q)) == NULL)
            if (!refill (q))
              return NULL;
        }
      if (ent_live (q, e))
        return e;
      if (in_early)
        early_pop (q);
      else
        cur_take (q);
      q->dead--;
    }
}

static inline G_ALWAYS_INLINE const EvqEnt *
front (Evq *q)
{
  if (G_LIKELY ((q->early_n | q->dead) == 0))
    {
      const EvqChunk *c = q->b[cur_bucket (q)].head;
      if (G_LIKELY (c != NULL))
        return &c->e[c->first];
    }
  return front_slow (q);
}

/* ---- public API ---- */

const char *
evq_kind_name (EvqKind kind)
{
  return kind == EVQ_HEAP ? "heap" : "radix";
}

bool
evq_kind_from_name (const char *name, EvqKind *out)
{
  if (g_strcmp0 (name, "radix") == 0)
    *out = EVQ_RADIX;
  else if (g_strcmp0 (name, "heap") == 0)
    *out = EVQ_HEAP;
  else
    return false;
  return true;
}

Evq *
evq_new_kind (EvqKind kind, size_t cap_hint)
{
  Evq *q = g_new0 (Evq, 1);
  if (kind == EVQ_HEAP)
    {
      q->heap = evq_heap_new (cap_hint);
      return q;
    }
  q->next_seq = 1;
  q->last_pop = INT64_MIN;
  q->blocks = g_ptr_array_new ();
  q->next_block = 2;
  return q;
}

Evq *
evq_new (size_t cap_hint)
{
  return evq_new_kind (EVQ_RADIX, cap_hint);
}

EvqKind
evq_kind (const Evq *q)
{
  g_return_val_if_fail (q != NULL, EVQ_RADIX);
  return q->heap != NULL ? EVQ_HEAP : EVQ_RADIX;
}

void
evq_free (Evq *q)
{
  if (q == NULL)
    return;
  if (q->heap != NULL)
    evq_heap_free (q->heap);
  else
    {
      for (guint i = 0; i < q->blocks->len; i++)
        g_aligned_free (q->blocks->pdata[i]);
      g_ptr_array_free (q->blocks, TRUE);
      g_free (q->early);
      g_free (q->index);
      g_free (q->pf);
    }
  g_free (q);
}

void
evq_reserve (Evq *q, size_t n)
{
  g_return_if_fail (q != NULL);
  if (q->heap != NULL)
    {
      evq_heap_reserve (q->heap, n);
      return;
    }
  /* One block of the chunks n entries fill (not a power of two: memory is
   * what the caller said it needs); the partial chunks of the buckets
   * come from the usual small blocks. */
  size_t want = (n + EVQ_CHUNK_ENTS - 1) / EVQ_CHUNK_ENTS;
  if (want > q->chunks)
    chunk_block (q, want - q->chunks);
}

void
evq_set_prefetch (Evq *q, uint32_t kind, const void *base, size_t stride)
{
  g_return_if_fail (q != NULL && kind != UINT32_MAX);
  if (q->heap != NULL)
    return;
  if (kind >= q->pf_n)
    {
      q->pf = g_renew (EvqPrefetch, q->pf, kind + 1);
      memset (q->pf + q->pf_n, 0, (kind + 1 - q->pf_n) * sizeof *q->pf);
      q->pf_n = kind + 1;
    }
  q->pf[kind] = (EvqPrefetch) { .base = base, .stride = stride };
}

EvqHandle
evq_push (Evq *q, SimTime time, uint32_t kind, uint32_t target,
          uint64_t data)
{
  g_return_val_if_fail (q != NULL, EVQ_NONE);
  if (q->heap != NULL)
    return evq_heap_push (q->heap, time, kind, target, data);
  g_return_val_if_fail (kind != UINT32_MAX, EVQ_NONE);
  /* Kept in release builds: an event in the past breaks causality. */
  g_assert (time >= q->last_pop);
  uint64_t seq = q->next_seq++;
  if (G_UNLIKELY (seq == UINT64_MAX))
    g_error ("%s:%d: event queue: 2^64 - 1 events pushed, the handles "
             "would wrap", __FILE__, __LINE__);
  EvqEnt e = { .key = (uint64_t) time ^ EVQ_SIGN, .seq = seq, .kind = kind,
               .target = target, .data = data };
  if (G_UNLIKELY (q->indexed))
    index_add_ent (q, &e);
  if (G_LIKELY (e.key >= q->last))
    bucket_append (q, bucket_of (q, e.key), &e);
  else
    early_push (q, &e);
  q->live++;
  return seq;
}

bool
evq_pop (Evq *q, SimEvent *out)
{
  g_return_val_if_fail (q != NULL && out != NULL, false);
  if (q->heap != NULL)
    return evq_heap_pop (q->heap, out);
  if (front (q) == NULL)
    return false;
  EvqEnt e = G_UNLIKELY (q->early_n > 0) ? early_pop (q) : cur_take (q);
  *out = (SimEvent) { .time = key_time (e.key), .seq = e.seq,
                      .kind = e.kind, .target = e.target, .data = e.data };
  q->live--;
  q->last_pop = out->time;
  if (G_UNLIKELY (q->indexed))
    index_remove (q, index_find (q, e.seq));
  return true;
}

bool
evq_next_hint (Evq *q, uint32_t *kind, uint32_t *target)
{
  if (G_UNLIKELY (q->heap != NULL || q->early_n > 0 || q->used_words == 0))
    return false;
  /* The current bucket, or if it is empty the lowest non-empty one when it
   * is at level 0 (a refill would only move last there). */
  const EvqChunk *c = q->b[cur_bucket (q)].head;
  if (c == NULL)
    {
      unsigned w = (unsigned) __builtin_ctz (q->used_words);
      unsigned j = w * 64 + (unsigned) __builtin_ctzll (q->used[w]);
      if (j >= EVQ_DIGITS)
        return false;
      c = q->b[j].head;
    }
  *kind = c->e[c->first].kind;
  *target = c->e[c->first].target;
  return true;
}

SimTime
evq_peek_time (Evq *q)
{
  g_return_val_if_fail (q != NULL, SIM_NEVER);
  if (q->heap != NULL)
    return evq_heap_peek_time (q->heap);
  const EvqEnt *e = front (q);
  return e != NULL ? key_time (e->key) : SIM_NEVER;
}

/* Removes pending event h from the index into *x, its entry becoming dead
 * (compacting if the dead now outnumber the live by the slack). False if h
 * is not pending. */
static bool
take_pending (Evq *q, EvqHandle h, EvqIdx *x)
{
  if (h == EVQ_NONE || h >= q->next_seq)
    return false;
  if (!q->indexed)
    index_build (q);
  EvqIdx *s = index_find (q, h);
  if (s == NULL)
    return false;
  *x = *s;
  index_remove (q, s);
  q->live--;
  q->dead++;
  if (q->dead > q->live + EVQ_DEAD_SLACK)
    compact (q);
  return true;
}

bool
evq_cancel (Evq *q, EvqHandle h)
{
  g_return_val_if_fail (q != NULL, false);
  if (q->heap != NULL)
    return evq_heap_cancel (q->heap, h);
  EvqIdx x;
  return take_pending (q, h, &x);
}

EvqHandle
evq_reschedule (Evq *q, EvqHandle h, SimTime when)
{
  g_return_val_if_fail (q != NULL, EVQ_NONE);
  if (q->heap != NULL)
    return evq_heap_reschedule (q->heap, h, when);
  g_return_val_if_fail (when >= q->last_pop, EVQ_NONE);
  EvqIdx x;
  if (!take_pending (q, h, &x))
    return EVQ_NONE;
  return evq_push (q, when, x.kind, x.target, x.data);
}

size_t
evq_size (const Evq *q)
{
  g_return_val_if_fail (q != NULL, 0);
  if (q->heap != NULL)
    return evq_heap_size (q->heap);
  return q->live;
}

size_t
evq_bytes (const Evq *q)
{
  g_return_val_if_fail (q != NULL, 0);
  if (q->heap != NULL)
    return sizeof (Evq) + evq_heap_bytes (q->heap);
  return sizeof (Evq) + q->chunks * sizeof (EvqChunk)
         + q->early_cap * sizeof (EvqEnt) + q->index_cap * sizeof (EvqIdx)
         + q->pf_n * sizeof (EvqPrefetch);
}
