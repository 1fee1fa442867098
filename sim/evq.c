/* sim/evq.c - the pending-event set: a radix queue over integer time
 * (EVQ_RADIX, the default), and the front that forwards to the 4-ary heap
 * (sim/evq_heap.c) for queues made with EVQ_HEAP. Hot path of every run;
 * knows nothing of models.
 *
 * Why a radix queue. Time is an integer (microseconds) and never goes
 * back: every push is at or after the last pop. A radix heap (Ahuja,
 * Mehlhorn, Orlin & Tarjan 1990) exploits exactly that. With `last` the
 * smallest key taken out so far (a lower bound of every pending key), a
 * key k lives in bucket b(k) = bit length of (k XOR last): bucket 0 holds
 * the keys equal to last, bucket j >= 1 those that first differ from last
 * in bit j-1. Every key of bucket j is smaller than every key of bucket
 * j+1. A pop takes from bucket 0; when it is empty, the lowest non-empty
 * bucket j is scanned for its minimum, last becomes that minimum, and the
 * bucket's keys are redistributed: each lands in a bucket below j. A key
 * therefore moves at most 64 times in its life and in practice a few times
 * (log2 of its delay, spread over refills), whatever the number of pending
 * events: no comparisons against other keys, no O(log n) sift through a
 * tree much bigger than the cache. Measured against the 4-ary heap and a
 * plain binary heap in docs/performance.md.
 *
 * Keys. key = time with the sign bit flipped, so that unsigned order is
 * time order for every int64 (negative times included; INT64_MAX works).
 *
 * (time, seq) order. Two entries with the same time always sit in the same
 * bucket (the bucket is a function of the key) and every operation keeps
 * the order of a bucket: a push appends, a redistribution reads a bucket
 * from head to tail and appends to the targets, a compaction filters in
 * place. A push has the largest seq so far. Hence entries of equal time
 * sit in seq order in their bucket, and bucket 0 (all of time == last) is
 * a FIFO in seq order: no seq comparison is ever needed.
 *
 * Storage. A bucket is a list of 1 KiB chunks of 63 entries of 16 bytes
 * (key, tag), tag = seq << slot_bits | slot; the event body (kind, target,
 * data) sits in a slab slot that never moves. Chunks come from a free
 * list, refilled from blocks of up to 2 MiB (huge pages advised); a
 * redistribution returns each chunk it has read to the free list before
 * reading the next, so the targets reuse it at once. After warm-up nothing
 * is allocated: memory is the peak number of entries (plus one partial
 * chunk per bucket), never a power-of-two overshoot of a heap array.
 *
 * Pushes below last. A peek may take last ahead of the last pop (it
 * refills bucket 0 to learn the next time); if the caller then pushes an
 * event between the two (legal: e.g. sim_run stopped at `until` before the
 * next event, or a tick scheduling at its own instant), the entry goes
 * into `early`, a small binary heap ordered by (key, tag) whose entries
 * are all below last and so pop before every bucket. Empty in steady
 * state.
 *
 * Cancel and reschedule. The handle is the seq. As in the heap, a seq ->
 * slot hash is built on the first cancel/reschedule (O(n), once) and kept
 * from then on; a queue that never cancels never pays for it. Cancelling
 * marks the body dead (kind = EVQ_DEAD) and leaves its entry where it is:
 * finding an entry inside a bucket would cost a position array updated on
 * every move. A dead entry is dropped, and its slot freed, when it reaches
 * a pop or a peek, or by a compaction, which runs when dead entries
 * outnumber live ones by EVQ_DEAD_SLACK: each bucket and `early` are
 * filtered in order. So memory stays bounded by about twice the peak
 * number of live events, and a cancel costs O(1) amortised. A reschedule
 * is a cancel plus a push of the same payload (a new seq, as the API says).
 *
 * Limits: as in the heap, the seq gets 64 - slot_bits bits (2^42 pushes
 * with 4 million pending events), past which the queue stops with a
 * message (g_error), never a silent wrap. */
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
#define EVQ_MIN_BITS 6
#define EVQ_MAX_BITS 32 /* slots are uint32_t */
#define EVQ_NIL UINT32_MAX
#define EVQ_DEAD UINT32_MAX /* body.kind of a cancelled event */
#define EVQ_DEAD_SLACK 256
#define EVQ_SIGN ((uint64_t) 1 << 63)
#define EVQ_HUGE ((size_t) 2 << 20)
#define EVQ_HUGE_MIN ((size_t) 16 << 20)
#define EVQ_BLOCK_MAX (EVQ_HUGE / EVQ_CHUNK_BYTES) /* chunks per block */

typedef struct
{
  uint64_t key; /* time ^ EVQ_SIGN */
  uint64_t tag; /* seq << bits | slot */
} EvqEnt;

#define EVQ_CHUNK_ENTS (EVQ_CHUNK_BYTES / sizeof (EvqEnt) - 1)

typedef struct EvqChunk EvqChunk;
struct EvqChunk
{
  EvqChunk *next;
  uint32_t first; /* entries [first, n) are in the bucket */
  uint32_t n;
  EvqEnt e[EVQ_CHUNK_ENTS];
};

typedef struct
{
  EvqChunk *head, *tail; /* NULL when empty */
} EvqBucket;

typedef struct
{
  uint32_t kind;   /* EVQ_DEAD once cancelled */
  uint32_t target; /* next free slot while the slot is free */
  uint64_t data;
} EvqBody;

typedef struct
{
  uint64_t seq; /* 0 = empty slot */
  uint64_t slot;
} EvqSlot;

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
  EvqBody *body; /* slab of cap bodies */
  size_t cap;
  unsigned bits;
  uint64_t slot_mask;
  uint32_t free_head; /* freed slots, linked through body.target */
  uint32_t fresh;     /* slots [fresh, cap) never used */
  uint64_t next_seq;
  uint64_t seq_limit;
  size_t live; /* pushed, not popped, not cancelled */
  size_t dead; /* cancelled, entry still in a bucket or early */
  SimTime last_pop;
  EvqChunk *free_chunks;
  GPtrArray *blocks; /* chunk blocks, for evq_free */
  size_t chunks;     /* chunks allocated */
  size_t next_block; /* chunks in the next block */
  bool indexed;
  EvqSlot *index;
  size_t index_cap, index_n;
  unsigned index_shift;
};

/* ---- internals: slab, chunks ---- */

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

static inline uint32_t
tag_slot (const Evq *q, uint64_t tag)
{
  return (uint32_t) (tag & q->slot_mask);
}

static inline uint64_t
tag_seq (const Evq *q, uint64_t tag)
{
  return tag >> q->bits;
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

static void chunk_refill (Evq *q);

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

static inline void
chunk_put (Evq *q, EvqChunk *c)
{
  c->next = q->free_chunks;
  q->free_chunks = c;
}

/* A block of chunks: 2 at first, doubling up to 2 MiB (EVQ_BLOCK_MAX). */
static void
chunk_refill (Evq *q)
{
  size_t n = q->next_block;
  EvqChunk *blk = n * EVQ_CHUNK_BYTES >= EVQ_HUGE
                    ? evq_array_new (n, sizeof (EvqChunk))
                    : g_aligned_alloc (n, sizeof (EvqChunk), 64);
  g_ptr_array_add (q->blocks, blk);
  q->chunks += n;
  for (size_t i = n; i-- > 0;)
    chunk_put (q, &blk[i]);
  if (q->next_block < EVQ_BLOCK_MAX)
    q->next_block *= 2;
}

static inline G_ALWAYS_INLINE void
bucket_append (Evq *q, unsigned j, EvqEnt e)
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
  t->e[t->n++] = e;
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

/* Grows the slab to hold want slots: to exactly want if exact, else by
 * doubling. */
static void
body_grow (Evq *q, size_t want, bool exact)
{
  size_t cap = q->cap ? q->cap : (size_t) 1 << EVQ_MIN_BITS;
  if (exact)
    cap = want;
  while (cap < want)
    cap *= 2;
  if (cap > (size_t) 1 << EVQ_MAX_BITS)
    {
      if (want > (size_t) 1 << EVQ_MAX_BITS)
        g_error ("%s:%d: event queue cannot grow past %zu entries", __FILE__,
                 __LINE__, (size_t) 1 << EVQ_MAX_BITS);
      cap = (size_t) 1 << EVQ_MAX_BITS;
    }
  if (cap <= q->cap)
    return;
  unsigned bits = EVQ_MIN_BITS;
  while (((size_t) 1 << bits) < cap)
    bits++;
  uint64_t limit = (uint64_t) 1 << (64 - bits);
  if (q->next_seq >= limit)
    g_error ("%s:%d: event queue: %" G_GUINT64_FORMAT " events pushed, more "
             "than a queue of %zu entries can number (2^%u)", __FILE__,
             __LINE__, q->next_seq - 1, cap, 64 - bits);
  EvqBody *body = evq_array_new (cap, sizeof (EvqBody));
  if (q->fresh > 0)
    memcpy (body, q->body, q->fresh * sizeof (EvqBody));
  g_aligned_free (q->body);
  q->body = body;
  q->cap = cap;
  if (bits != q->bits)
    {
      /* The slot field widens: repack every pending tag (O(n), at most
       * once per doubling). Order is unchanged: seq stays the high part. */
      uint64_t old_mask = q->slot_mask;
      unsigned old_bits = q->bits;
      for (unsigned j = 0; j < EVQ_BUCKETS; j++)
        for (EvqChunk *c = q->b[j].head; c != NULL; c = c->next)
          for (uint32_t i = c->first; i < c->n; i++)
            c->e[i].tag = (c->e[i].tag >> old_bits) << bits
                          | (c->e[i].tag & old_mask);
      for (size_t i = 0; i < q->early_n; i++)
        q->early[i].tag = (q->early[i].tag >> old_bits) << bits
                          | (q->early[i].tag & old_mask);
      q->bits = bits;
      q->slot_mask = ((uint64_t) 1 << bits) - 1;
      q->seq_limit = limit;
    }
}

static inline uint32_t
slot_alloc (Evq *q)
{
  uint32_t s = q->free_head;
  if (s != EVQ_NIL)
    {
      q->free_head = q->body[s].target;
      return s;
    }
  if (G_UNLIKELY (q->fresh == q->cap))
    body_grow (q, q->cap + 1, false);
  return q->fresh++;
}

static inline void
slot_free (Evq *q, uint32_t s)
{
  q->body[s].target = q->free_head;
  q->free_head = s;
}

/* ---- internals: early, a binary heap of entries below last ---- */

static inline bool
ent_lt (const EvqEnt *a, const EvqEnt *b)
{
  return a->key < b->key || (a->key == b->key && a->tag < b->tag);
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
early_push (Evq *q, EvqEnt e)
{
  if (q->early_n == q->early_cap)
    {
      q->early_cap = q->early_cap ? 2 * q->early_cap : 16;
      q->early = g_renew (EvqEnt, q->early, q->early_cap);
    }
  size_t i = q->early_n++;
  while (i > 0 && ent_lt (&e, &q->early[(i - 1) / 2]))
    {
      q->early[i] = q->early[(i - 1) / 2];
      i = (i - 1) / 2;
    }
  q->early[i] = e;
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

/* ---- internals: the seq -> slot hash (as in evq_heap.c) ---- */

static inline size_t
index_home (const Evq *q, uint64_t seq)
{
  return (size_t) ((seq * 0x9e3779b97f4a7c15ULL) >> q->index_shift);
}

static void index_put (Evq *q, uint64_t seq, uint32_t slot);

static void
index_resize (Evq *q, size_t cap)
{
  EvqSlot *old = q->index;
  size_t old_cap = q->index_cap;
  unsigned bits = 0;
  while (((size_t) 1 << bits) < cap)
    bits++;
  q->index_cap = (size_t) 1 << bits;
  q->index_shift = 64 - bits;
  q->index = g_new0 (EvqSlot, q->index_cap);
  q->index_n = 0;
  for (size_t i = 0; i < old_cap; i++)
    if (old[i].seq != 0)
      index_put (q, old[i].seq, (uint32_t) old[i].slot);
  g_free (old);
}

static void
index_put (Evq *q, uint64_t seq, uint32_t slot)
{
  if (2 * (q->index_n + 1) > q->index_cap)
    index_resize (q, 2 * q->index_cap);
  size_t mask = q->index_cap - 1;
  size_t i = index_home (q, seq);
  while (q->index[i].seq != 0)
    i = (i + 1) & mask;
  q->index[i].seq = seq;
  q->index[i].slot = slot;
  q->index_n++;
}

static EvqSlot *
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

static void
index_remove (Evq *q, EvqSlot *s)
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
}

static void
index_add_ent (Evq *q, const EvqEnt *e)
{
  uint32_t s = tag_slot (q, e->tag);
  if (q->body[s].kind != EVQ_DEAD)
    index_put (q, tag_seq (q, e->tag), s);
}

static void
index_build (Evq *q)
{
  size_t want = 64;
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

/* ---- internals: refill and compaction ---- */

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
  for (EvqChunk *c = src.head; c != NULL;)
    {
      EvqChunk *next = c->next;
      /* Chunks are a linked list: fetch the next one while this one is
       * read (the hardware prefetcher does not follow pointers). */
      if (next != NULL)
        {
          __builtin_prefetch (next);
          __builtin_prefetch ((char *) next + 64);
          __builtin_prefetch ((char *) next + 128);
          __builtin_prefetch ((char *) next + 192);
        }
      if (shift == EVQ_DIGIT_BITS)
        /* Level 1 to level 0: these events pop next, within 256 us of
         * simulated time. Start loading their bodies now, so that the
         * pops find them in cache instead of waiting on a random line of
         * the slab each. */
        for (uint32_t i = c->first; i < c->n; i++)
          {
            __builtin_prefetch (&q->body[tag_slot (q, c->e[i].tag)]);
            bucket_append (q, bucket_of (q, c->e[i].key), c->e[i]);
          }
      else
        for (uint32_t i = c->first; i < c->n; i++)
          bucket_append (q, bucket_of (q, c->e[i].key), c->e[i]);
      chunk_put (q, c);
      c = next;
    }
  return true;
}

/* Drops the dead entries of every bucket and of early, in order, freeing
 * their slots. O(live + dead). */
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
            {
              uint32_t s = tag_slot (q, c->e[i].tag);
              if (q->body[s].kind == EVQ_DEAD)
                slot_free (q, s);
              else
                bucket_append (q, j, c->e[i]);
            }
          EvqChunk *next = c->next;
          chunk_put (q, c);
          c = next;
        }
    }
  size_t k = 0;
  for (size_t i = 0; i < q->early_n; i++)
    {
      uint32_t s = tag_slot (q, q->early[i].tag);
      if (q->body[s].kind == EVQ_DEAD)
        slot_free (q, s);
      else
        q->early[k++] = q->early[i];
    }
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
      if (G_LIKELY (q->dead == 0))
        return e;
      uint32_t s = tag_slot (q, e->tag);
      if (q->body[s].kind != EVQ_DEAD)
        return e;
      if (in_early)
        early_pop (q);
      else
        cur_take (q);
      slot_free (q, s);
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

static uint64_t
next_seq (Evq *q)
{
  uint64_t seq = q->next_seq++;
  if (G_UNLIKELY (seq >= q->seq_limit))
    g_error ("%s:%d: event queue: more than 2^%u events pushed into a queue "
             "of %zu entries", __FILE__, __LINE__, 64 - q->bits, q->cap);
  return seq;
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
  q->free_head = EVQ_NIL;
  q->blocks = g_ptr_array_new ();
  q->next_block = 2;
  q->bits = EVQ_MIN_BITS;
  q->slot_mask = ((uint64_t) 1 << EVQ_MIN_BITS) - 1;
  q->seq_limit = (uint64_t) 1 << (64 - EVQ_MIN_BITS);
  body_grow (q, cap_hint > 0 ? cap_hint : 1, false);
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
      g_aligned_free (q->body);
      g_free (q->early);
      g_free (q->index);
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
  /* Exactly n slots (not the next power of two): memory is what the
   * caller said it needs. */
  body_grow (q, n, true);
}

EvqHandle
evq_push (Evq *q, SimTime time, uint32_t kind, uint32_t target,
          uint64_t data)
{
  g_return_val_if_fail (q != NULL, EVQ_NONE);
  if (q->heap != NULL)
    return evq_heap_push (q->heap, time, kind, target, data);
  g_return_val_if_fail (kind != EVQ_DEAD, EVQ_NONE);
  /* Kept in release builds: an event in the past breaks causality. */
  g_assert (time >= q->last_pop);
  uint32_t s = slot_alloc (q);
  uint64_t seq = next_seq (q);
  q->body[s] = (EvqBody) { .kind = kind, .target = target, .data = data };
  EvqEnt e = { .key = (uint64_t) time ^ EVQ_SIGN, .tag = seq << q->bits | s };
  if (G_UNLIKELY (q->indexed))
    index_put (q, seq, s);
  if (G_LIKELY (e.key >= q->last))
    bucket_append (q, bucket_of (q, e.key), e);
  else
    early_push (q, e);
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
  EvqEnt e;
  if (G_UNLIKELY (q->early_n > 0))
    e = early_pop (q);
  else
    {
      e = cur_take (q);
      /* The next pop is (almost always) the next entry of the current
       * bucket: start loading its body while the handler runs. */
      const EvqEnt *next = cur_head (q);
      if (next != NULL)
        __builtin_prefetch (&q->body[tag_slot (q, next->tag)]);
    }
  uint32_t s = tag_slot (q, e.tag);
  const EvqBody *b = &q->body[s];
  *out = (SimEvent) { .time = key_time (e.key), .seq = tag_seq (q, e.tag),
                      .kind = b->kind, .target = b->target, .data = b->data };
  slot_free (q, s);
  q->live--;
  q->last_pop = out->time;
  if (G_UNLIKELY (q->indexed))
    index_remove (q, index_find (q, out->seq));
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
  const EvqBody *b = &q->body[tag_slot (q, c->e[c->first].tag)];
  *kind = b->kind;
  *target = b->target;
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

/* The slot of pending event h, removed from the index; EVQ_NIL if h is
 * not pending. */
static uint32_t
take_pending (Evq *q, EvqHandle h)
{
  if (h == EVQ_NONE || h >= q->next_seq)
    return EVQ_NIL;
  if (!q->indexed)
    index_build (q);
  EvqSlot *e = index_find (q, h);
  if (e == NULL)
    return EVQ_NIL;
  uint32_t s = (uint32_t) e->slot;
  index_remove (q, e);
  return s;
}

static void
bury (Evq *q, uint32_t s)
{
  q->body[s].kind = EVQ_DEAD;
  q->live--;
  q->dead++;
  if (q->dead > q->live + EVQ_DEAD_SLACK)
    compact (q);
}

bool
evq_cancel (Evq *q, EvqHandle h)
{
  g_return_val_if_fail (q != NULL, false);
  if (q->heap != NULL)
    return evq_heap_cancel (q->heap, h);
  uint32_t s = take_pending (q, h);
  if (s == EVQ_NIL)
    return false;
  bury (q, s);
  return true;
}

EvqHandle
evq_reschedule (Evq *q, EvqHandle h, SimTime when)
{
  g_return_val_if_fail (q != NULL, EVQ_NONE);
  if (q->heap != NULL)
    return evq_heap_reschedule (q->heap, h, when);
  g_return_val_if_fail (when >= q->last_pop, EVQ_NONE);
  uint32_t s = take_pending (q, h);
  if (s == EVQ_NIL)
    return EVQ_NONE;
  EvqBody b = q->body[s];
  bury (q, s);
  return evq_push (q, when, b.kind, b.target, b.data);
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
         + q->cap * sizeof (EvqBody) + q->early_cap * sizeof (EvqEnt)
         + q->index_cap * sizeof (EvqSlot);
}
