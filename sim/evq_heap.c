/* sim/evq_heap.c - the 4-ary heap event queue (EVQ_HEAP): an implicit
 * 4-ary min-heap of 16-byte keys (time, tag) over a slab of 16-byte event
 * bodies. It was the kernel's only queue until the radix queue (evq.c)
 * replaced it as the default; it stays selectable (evq_new_kind, `faultline
 * bench phold --queue heap`) as the comparison for the radix queue and as a
 * second implementation the differential tests hold the radix queue to.
 * evq.c forwards every public call here when a queue was made with
 * EVQ_HEAP. Knows nothing of models.
 *
 * Layout. A heap entry is only the key: the time and a tag packing the
 * push counter and a slab slot, tag = seq << slot_bits | slot. The body
 * (kind, target, data) sits in body[slot] and never moves while the key
 * sifts. Comparing tags compares seqs (seqs are unique), so (time, tag)
 * order is exactly (time, seq) order. Logical index k lives at heap[k],
 * heap = base + 3 with base 64-byte aligned, so the four children 4k+1..4k+4
 * of any entry fill exactly one cache line: a sift-down level reads one
 * line, where 32-byte inline events needed two. The comparison is one
 * 128-bit unsigned compare, so picking the smallest child is branch-free
 * (cmov, no mispredictions); sifts move a hole instead of swapping.
 * Two prefetches hide most of the memory latency: each sift-down level
 * prefetches the four grandchild lines (the next level's line, whichever
 * child wins), and a pop prefetches the body of the event that will be
 * popped next (the smallest child of the emptied root), so that line
 * arrives while the handler runs.
 * Arrays past 16 MiB ask for transparent huge pages (evq_array_new).
 * Storage doubles when full and is never shrunk, so after warm-up there is
 * no allocation per event; freed slots are reused last-in first-out, so the
 * push that follows a pop writes the body line the pop just read.
 *
 * Limits. slot_bits = log2 (capacity), so the seq gets 64 - slot_bits bits:
 * 2^40 (1.1e12) pushes at 16 million pending events, 2^42 at 4 million,
 * i.e. more than a day of pushing at 10 million events/s. Running past
 * that stops the program with a message (g_error), never a silent wrap.
 *
 * Cancel and reschedule. The handle is the seq. Finding an event by seq
 * needs a map seq -> slot (a hash) and slot -> heap position (an array
 * updated for every key a sift moves). Both are built only on the first
 * evq_heap_cancel()/evq_heap_reschedule() call (O(n), once) and maintained from then
 * on; a queue that never cancels (PHOLD, most models) never pays for them.
 * Cancel removes the entry for real (no lazy tombstones) and frees its
 * slot, so cancelled events never accumulate: memory is bounded by the
 * peak number of live events.
 *
 * Complexity: push, pop, cancel, reschedule O(log n) (cancel/reschedule
 * expected O(1) for the hash lookup; the first one O(n)); peek O(1).
 * Hash: open addressing with linear probing, Fibonacci hashing of the seq,
 * backward-shift deletion (no tombstones), load factor <= 1/2. */
#include "evq_heap.h"

#include <glib.h>
#include <string.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

#define EVQ_PAD 3       /* heap = base + EVQ_PAD: children on one 64-byte line */
#define EVQ_ALIGN 64
#define EVQ_MIN_BITS 6  /* smallest capacity: 64 entries */
#define EVQ_MAX_BITS 32 /* slots are uint32_t */
#define EVQ_NIL UINT32_MAX
#define EVQ_HUGE ((size_t) 2 << 20)    /* a transparent huge page */
#define EVQ_HUGE_MIN ((size_t) 16 << 20) /* arrays past the TLB reach */

typedef struct
{
  SimTime time;
  uint64_t tag; /* seq << slot_bits | slot */
} EvqKey;

typedef struct
{
  uint32_t kind;
  uint32_t target; /* next free slot while the slot is free */
  uint64_t data;
} EvqBody;

typedef struct
{
  uint64_t seq; /* 0 = empty slot (0 is never a handle) */
  uint64_t slot;
} EvqSlot;

struct EvqHeap
{
  EvqKey *base;       /* aligned allocation of cap + EVQ_PAD keys */
  EvqKey *heap;       /* base + EVQ_PAD */
  EvqBody *body;      /* cap bodies */
  uint32_t *pos;      /* cap heap positions, only while indexed */
  size_t n;           /* live entries */
  size_t cap;         /* 1 << bits */
  unsigned bits;      /* slot bits of a tag */
  uint64_t slot_mask; /* cap - 1 */
  uint64_t next_seq;  /* next handle; starts at 1 */
  uint64_t seq_limit; /* first seq that no longer fits in a tag */
  uint32_t free_head; /* freed slots, a stack linked through body.target */
  uint32_t fresh;     /* slots [fresh, cap) never used */
  SimTime last_pop;   /* time of the last popped event */
  bool hole;          /* root slot empty after a pop (see close_hole) */
  bool indexed;       /* seq -> slot hash and pos[] maintained? */
  EvqSlot *index;     /* index_cap slots, a power of two */
  size_t index_cap;
  size_t index_n;
  unsigned index_shift; /* 64 - log2 (index_cap) */
};

/* ---- internals: ordering, tags and slots ---- */

/* (time, tag) as one unsigned 128-bit number (time's sign bit flipped):
 * the compiler emits cmp/sbb and the callers select with cmov. */
static inline unsigned __int128
key_u128 (const EvqKey *k)
{
  return (unsigned __int128) ((uint64_t) k->time ^ ((uint64_t) 1 << 63)) << 64
         | k->tag;
}

static inline bool
key_lt (const EvqKey *a, const EvqKey *b)
{
  return key_u128 (a) < key_u128 (b);
}

static inline uint32_t
tag_slot (const EvqHeap *q, uint64_t tag)
{
  return (uint32_t) (tag & q->slot_mask);
}

static inline uint64_t
tag_seq (const EvqHeap *q, uint64_t tag)
{
  return tag >> q->bits;
}

static inline uint32_t
slot_alloc (EvqHeap *q)
{
  uint32_t s = q->free_head;
  if (s != EVQ_NIL)
    {
      q->free_head = q->body[s].target;
      return s;
    }
  g_assert (q->fresh < q->cap);
  return q->fresh++;
}

static inline void
slot_free (EvqHeap *q, uint32_t s)
{
  q->body[s].target = q->free_head;
  q->free_head = s;
}

/* ---- internals: the seq -> slot hash ---- */

static inline size_t
index_home (const EvqHeap *q, uint64_t seq)
{
  return (size_t) ((seq * 0x9e3779b97f4a7c15ULL) >> q->index_shift);
}

static void index_put (EvqHeap *q, uint64_t seq, uint32_t slot);

static void
index_resize (EvqHeap *q, size_t cap)
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

/* Inserts seq (not present). */
static void
index_put (EvqHeap *q, uint64_t seq, uint32_t slot)
{
  if (2 * (q->index_n + 1) > q->index_cap)
    index_resize (q, 2 * q->index_cap);
  size_t mask = q->index_cap - 1;
  size_t i = index_home (q, seq);
  while (q->index[i].seq != 0)
    {
      g_assert (q->index[i].seq != seq);
      i = (i + 1) & mask;
    }
  q->index[i].seq = seq;
  q->index[i].slot = slot;
  q->index_n++;
}

static EvqSlot *
index_find (const EvqHeap *q, uint64_t seq)
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

/* Removes the slot s (from index_find) with backward-shift deletion. */
static void
index_remove (EvqHeap *q, EvqSlot *s)
{
  size_t mask = q->index_cap - 1;
  size_t hole = (size_t) (s - q->index);
  for (size_t j = (hole + 1) & mask; q->index[j].seq != 0; j = (j + 1) & mask)
    {
      size_t home = index_home (q, q->index[j].seq);
      /* Move j into the hole unless its home lies cyclically in (hole, j]. */
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
index_build (EvqHeap *q)
{
  size_t want = 64;
  while (want < 2 * (q->n + 1))
    want *= 2;
  index_resize (q, want);
  q->pos = g_new (uint32_t, q->cap);
  for (size_t i = 0; i < q->n; i++)
    {
      uint32_t s = tag_slot (q, q->heap[i].tag);
      index_put (q, tag_seq (q, q->heap[i].tag), s);
      q->pos[s] = (uint32_t) i;
    }
  q->indexed = true;
}

/* ---- internals: the heap ---- */

/* Returns an aligned array of n elements. Arrays of 16 MiB or more (one
 * million keys, twice the reach of a 2048-entry TLB of 4 KiB pages) are
 * 2 MiB aligned and advised to use transparent huge pages: the deep sift
 * levels and every body prefetch touch a random page, and with 4 KiB pages
 * each is a TLB miss (measured: 0.92x the reference at 4 million events
 * without the advice, 1.07x with it; docs/performance.md). Where the
 * advice is unavailable or THP is off, the pages are simply 4 KiB. */
static void *
evq_array_new (size_t n, size_t size)
{
  size_t bytes = n * size;
  if (bytes < EVQ_HUGE_MIN)
    return g_aligned_alloc (n, size, EVQ_ALIGN);
  void *p = g_aligned_alloc (n, size, EVQ_HUGE);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  (void) madvise (p, bytes & ~(EVQ_HUGE - 1), MADV_HUGEPAGE);
#endif
  return p;
}

/* Doubles the capacity until it holds want entries; repacks the tags when
 * the slot field widens. */
static void
heap_grow (EvqHeap *q, size_t want)
{
  unsigned bits = q->cap ? q->bits : EVQ_MIN_BITS;
  while (((size_t) 1 << bits) < want)
    {
      if (bits >= EVQ_MAX_BITS)
        g_error ("%s:%d: event queue cannot grow past %zu entries", __FILE__,
                 __LINE__, (size_t) 1 << bits);
      bits++;
    }
  size_t cap = (size_t) 1 << bits;
  if (cap == q->cap)
    return;
  uint64_t limit = (uint64_t) 1 << (64 - bits);
  if (q->next_seq >= limit)
    g_error ("%s:%d: event queue: %" G_GUINT64_FORMAT " events pushed, more "
             "than a queue of %zu entries can number (2^%u)", __FILE__,
             __LINE__, q->next_seq - 1, cap, 64 - bits);
  EvqKey *base = evq_array_new (cap + EVQ_PAD, sizeof (EvqKey));
  EvqKey *heap = base + EVQ_PAD;
  size_t live = q->n + (q->hole ? 1 : 0);
  if (live > 0)
    memcpy (heap, q->heap, live * sizeof (EvqKey));
  if (q->cap != 0 && bits != q->bits)
    for (size_t i = q->hole ? 1 : 0; i < live; i++)
      {
        uint64_t t = heap[i].tag;
        heap[i].tag = (t >> q->bits) << bits | (t & q->slot_mask);
      }
  g_aligned_free (q->base);
  q->base = base;
  q->heap = heap;
  EvqBody *body = evq_array_new (cap, sizeof (EvqBody));
  if (q->fresh > 0)
    memcpy (body, q->body, q->fresh * sizeof (EvqBody));
  g_aligned_free (q->body);
  q->body = body;
  if (q->pos != NULL)
    q->pos = g_renew (uint32_t, q->pos, cap);
  q->cap = cap;
  q->bits = bits;
  q->slot_mask = cap - 1;
  q->seq_limit = limit;
}

/* The sifts are written once and instantiated twice, with and without
 * position updates, so the plain path carries no index test and the
 * compiler keeps q's fields in registers. */
static inline G_ALWAYS_INLINE void
put_at (EvqHeap *q, size_t i, const EvqKey *k, const bool indexed)
{
  q->heap[i] = *k;
  if (indexed)
    q->pos[tag_slot (q, k->tag)] = (uint32_t) i;
}

static inline G_ALWAYS_INLINE void
sift_up_impl (EvqHeap *q, size_t i, const EvqKey *k, const bool indexed)
{
  EvqKey *h = q->heap;
  while (i > 0)
    {
      size_t p = (i - 1) >> 2;
      if (!key_lt (k, &h[p]))
        break;
      put_at (q, i, &h[p], indexed);
      i = p;
    }
  put_at (q, i, k, indexed);
}

/* Index of the smallest of the children of i, or (size_t) -1 if none. */
static inline G_ALWAYS_INLINE size_t
min_child (const EvqKey *h, size_t n, size_t i)
{
  size_t c = 4 * i + 1;
  if (G_LIKELY (c + 3 < n))
    {
      /* Full family, one cache line: a branch-free tournament of two
       * pairs. Prefetching the four grandchild lines hides part of the
       * next level's miss. */
      const EvqKey *g = &h[4 * c + 1];
      __builtin_prefetch (g);
      __builtin_prefetch (g + 4);
      __builtin_prefetch (g + 8);
      __builtin_prefetch (g + 12);
      size_t a = c + key_lt (&h[c + 1], &h[c]);
      size_t b = c + 2 + key_lt (&h[c + 3], &h[c + 2]);
      return key_lt (&h[b], &h[a]) ? b : a;
    }
  if (c >= n)
    return (size_t) -1;
  size_t m = c;
  for (size_t j = c + 1; j < n; j++)
    if (key_lt (&h[j], &h[m]))
      m = j;
  return m;
}

/* Moves the hole at i down until k fits, then stores k. */
static inline G_ALWAYS_INLINE void
sift_down_impl (EvqHeap *q, size_t i, const EvqKey *k, const bool indexed)
{
  EvqKey *h = q->heap;
  size_t n = q->n;
  for (;;)
    {
      size_t m = min_child (h, n, i);
      if (m == (size_t) -1 || !key_lt (&h[m], k))
        break;
      put_at (q, i, &h[m], indexed);
      i = m;
    }
  put_at (q, i, k, indexed);
}

static void
sift_up (EvqHeap *q, size_t i, const EvqKey *k)
{
  if (q->indexed)
    sift_up_impl (q, i, k, true);
  else
    sift_up_impl (q, i, k, false);
}

static void
sift_down (EvqHeap *q, size_t i, const EvqKey *k)
{
  if (q->indexed)
    sift_down_impl (q, i, k, true);
  else
    sift_down_impl (q, i, k, false);
}

/* Fills the hole at the root with k in a heap of `slots` slots (hole
 * included): the hole goes down to a leaf along the smallest children
 * without comparing against k (Floyd's bottom-up variant: 3 compares per
 * level instead of 4, no mispredicted exit), then k sifts up from there.
 * In a hold model the new event is distributed like the pending ones, so
 * it belongs near the leaves and the sift-up is short. */
static inline G_ALWAYS_INLINE void
fill_root_impl (EvqHeap *q, size_t slots, const EvqKey *k, const bool indexed)
{
  EvqKey *h = q->heap;
  size_t i = min_child (h, slots, 0);
  if (i == (size_t) -1)
    {
      put_at (q, 0, k, indexed);
      return;
    }
  put_at (q, 0, &h[i], indexed);
  /* The new root is (almost always) the next event popped: start loading
   * its body now, so the miss overlaps the rest of the sift. */
  __builtin_prefetch (&q->body[tag_slot (q, h[0].tag)]);
  for (;;)
    {
      size_t m = min_child (h, slots, i);
      if (m == (size_t) -1)
        break;
      put_at (q, i, &h[m], indexed);
      i = m;
    }
  sift_up_impl (q, i, k, indexed);
}

static void
fill_root (EvqHeap *q, size_t slots, const EvqKey *k)
{
  if (q->indexed)
    fill_root_impl (q, slots, k, true);
  else
    fill_root_impl (q, slots, k, false);
}

/* After a pop the root is left empty (q->hole) so that the push that
 * usually follows it (a handler scheduling its successor) fills it with
 * one sift instead of two. Any other operation fills it first with the
 * last entry. With a hole, the array holds n + 1 slots, slot 0 empty. */
static inline void
close_hole (EvqHeap *q)
{
  if (G_LIKELY (!q->hole))
    return;
  q->hole = false;
  if (q->n > 0)
    {
      EvqKey last = q->heap[q->n];
      fill_root (q, q->n, &last);
    }
}

/* Removes the entry at i, refilling the hole with the last entry. */
static void
heap_remove_at (EvqHeap *q, size_t i)
{
  g_assert (i < q->n);
  q->n--;
  if (i == q->n)
    return;
  EvqKey last = q->heap[q->n];
  if (i > 0 && key_lt (&last, &q->heap[(i - 1) >> 2]))
    sift_up (q, i, &last);
  else
    sift_down (q, i, &last);
}

/* ---- public API ---- */

EvqHeap *
evq_heap_new (size_t cap_hint)
{
  EvqHeap *q = g_new0 (EvqHeap, 1);
  q->next_seq = 1;
  q->last_pop = INT64_MIN;
  q->free_head = EVQ_NIL;
  heap_grow (q, cap_hint);
  return q;
}

void
evq_heap_free (EvqHeap *q)
{
  if (q == NULL)
    return;
  g_aligned_free (q->base);
  g_aligned_free (q->body);
  g_free (q->pos);
  g_free (q->index);
  g_free (q);
}

void
evq_heap_reserve (EvqHeap *q, size_t n)
{
  g_return_if_fail (q != NULL);
  close_hole (q);
  if (n > q->cap)
    heap_grow (q, n);
}

EvqHandle
evq_heap_push (EvqHeap *q, SimTime time, uint32_t kind, uint32_t target,
          uint64_t data)
{
  g_return_val_if_fail (q != NULL, EVQ_NONE);
  /* Kept in release builds: an event in the past breaks causality. */
  g_assert (time >= q->last_pop);
  if (G_UNLIKELY (q->n == q->cap))
    {
      close_hole (q);
      heap_grow (q, q->n + 1);
    }
  uint64_t seq = q->next_seq++;
  if (G_UNLIKELY (seq >= q->seq_limit))
    g_error ("%s:%d: event queue: more than 2^%u events pushed into a queue "
             "of %zu entries", __FILE__, __LINE__, 64 - q->bits, q->cap);
  uint32_t s = slot_alloc (q);
  q->body[s] = (EvqBody) { .kind = kind, .target = target, .data = data };
  EvqKey k = { .time = time, .tag = seq << q->bits | s };
  if (G_UNLIKELY (q->indexed))
    index_put (q, seq, s);
  if (q->hole)
    {
      q->hole = false;
      q->n++;
      fill_root (q, q->n, &k);
      return seq;
    }
  size_t i = q->n++;
  sift_up (q, i, &k);
  return seq;
}

bool
evq_heap_pop (EvqHeap *q, SimEvent *out)
{
  g_return_val_if_fail (q != NULL && out != NULL, false);
  close_hole (q);
  if (q->n == 0)
    return false;
  EvqKey k = q->heap[0];
  uint32_t s = tag_slot (q, k.tag);
  const EvqBody *b = &q->body[s];
  *out = (SimEvent) { .time = k.time, .seq = tag_seq (q, k.tag),
                      .kind = b->kind, .target = b->target, .data = b->data };
  slot_free (q, s);
  q->last_pop = k.time;
  if (G_UNLIKELY (q->indexed))
    index_remove (q, index_find (q, out->seq));
  q->hole = true;
  /* Unless the next push is earlier, the next event popped is the
   * smallest child of the empty root: start loading its body now, while
   * the handler runs. */
  size_t m = min_child (q->heap, q->n, 0);
  if (m != (size_t) -1)
    __builtin_prefetch (&q->body[tag_slot (q, q->heap[m].tag)]);
  q->n--;
  return true;
}

SimTime
evq_heap_peek_time (EvqHeap *q)
{
  g_return_val_if_fail (q != NULL, SIM_NEVER);
  close_hole (q);
  return q->n > 0 ? q->heap[0].time : SIM_NEVER;
}

bool
evq_heap_cancel (EvqHeap *q, EvqHandle h)
{
  g_return_val_if_fail (q != NULL, false);
  if (h == EVQ_NONE || h >= q->next_seq)
    return false;
  close_hole (q);
  if (!q->indexed)
    index_build (q);
  EvqSlot *e = index_find (q, h);
  if (e == NULL)
    return false;
  uint32_t s = (uint32_t) e->slot;
  index_remove (q, e);
  heap_remove_at (q, q->pos[s]);
  slot_free (q, s);
  return true;
}

EvqHandle
evq_heap_reschedule (EvqHeap *q, EvqHandle h, SimTime when)
{
  g_return_val_if_fail (q != NULL, EVQ_NONE);
  g_return_val_if_fail (when >= q->last_pop, EVQ_NONE);
  if (h == EVQ_NONE || h >= q->next_seq)
    return EVQ_NONE;
  close_hole (q);
  if (!q->indexed)
    index_build (q);
  EvqSlot *e = index_find (q, h);
  if (e == NULL)
    return EVQ_NONE;
  uint32_t s = (uint32_t) e->slot;
  index_remove (q, e);
  uint64_t seq = q->next_seq++;
  if (G_UNLIKELY (seq >= q->seq_limit))
    g_error ("%s:%d: event queue: more than 2^%u events pushed into a queue "
             "of %zu entries", __FILE__, __LINE__, 64 - q->bits, q->cap);
  index_put (q, seq, s);
  size_t i = q->pos[s];
  EvqKey k = q->heap[i];
  bool earlier = when < k.time;
  k.time = when;
  k.tag = seq << q->bits | s;
  /* The new key is (when, larger seq): it moves up only if when is earlier. */
  if (earlier)
    sift_up (q, i, &k);
  else
    sift_down (q, i, &k);
  return seq;
}

size_t
evq_heap_size (const EvqHeap *q)
{
  g_return_val_if_fail (q != NULL, 0);
  return q->n;
}

size_t
evq_heap_bytes (const EvqHeap *q)
{
  g_return_val_if_fail (q != NULL, 0);
  return sizeof (EvqHeap) + (q->cap + EVQ_PAD) * sizeof (EvqKey)
         + q->cap * sizeof (EvqBody)
         + (q->pos != NULL ? q->cap * sizeof (uint32_t) : 0)
         + q->index_cap * sizeof (EvqSlot);
}
