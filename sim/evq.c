/* sim/evq.c - the pending-event set: an implicit 4-ary min-heap of 32-byte
 * SimEvent entries keyed by (time, seq). Hot path of every run; knows
 * nothing of models.
 *
 * Layout. The event itself is the heap entry (no pointer, no slab): logical
 * index k lives at heap[k], and heap = base + 3 with base 64-byte aligned,
 * so the four children 4k+1..4k+4 of any entry start on a 128-byte boundary
 * and a sift-down level reads exactly two cache lines. Sifts move a hole
 * instead of swapping. Storage doubles when full and is never shrunk, so
 * after warm-up there is no allocation per event.
 *
 * Cancel and reschedule. The handle is the seq. Finding an event by seq
 * needs a position index (seq -> heap index), which costs one hash update
 * per entry moved by a sift. The index is therefore built only on the
 * first evq_cancel()/evq_reschedule() call (O(n), once) and maintained from
 * then on; a queue that never cancels (PHOLD, most models) never pays for
 * it. Cancel removes the entry for real (no lazy tombstones), so cancelled
 * events never accumulate: memory is bounded by the peak number of live
 * events.
 *
 * Complexity: push, pop, cancel, reschedule O(log n) (cancel/reschedule
 * expected O(1) for the hash lookup; the first one O(n)); peek O(1).
 * Index: open addressing with linear probing, Fibonacci hashing of the
 * seq, backward-shift deletion (no tombstones), load factor <= 1/2. */
#include "evq.h"

#include <glib.h>
#include <string.h>

#define EVQ_PAD 3       /* heap = base + EVQ_PAD: children on 128-byte lines */
#define EVQ_ALIGN 64
#define EVQ_MIN_CAP 64

typedef struct
{
  uint64_t seq; /* 0 = empty slot (0 is never a handle) */
  uint64_t pos;
} EvqSlot;

struct Evq
{
  SimEvent *base;     /* aligned allocation of cap + EVQ_PAD entries */
  SimEvent *heap;     /* base + EVQ_PAD */
  size_t n;           /* live entries */
  size_t cap;
  uint64_t next_seq;  /* next handle; starts at 1 */
  SimTime last_pop;   /* time of the last popped event */
  bool hole;          /* root slot empty after a pop (see close_hole) */
  bool indexed;       /* position index maintained? */
  EvqSlot *index;     /* index_cap slots, a power of two */
  size_t index_cap;
  size_t index_n;
  unsigned index_shift; /* 64 - log2 (index_cap) */
};

/* ---- internals: ordering and the position index ---- */

/* Time first, seq only on ties: on real workloads the times differ, so
 * the second test is almost never taken and the branch predicts well. */
static inline bool
key_lt (const SimEvent *a, const SimEvent *b)
{
  return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static inline size_t
index_home (const Evq *q, uint64_t seq)
{
  return (size_t) ((seq * 0x9e3779b97f4a7c15ULL) >> q->index_shift);
}

static void index_put (Evq *q, uint64_t seq, size_t pos);

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
      index_put (q, old[i].seq, old[i].pos);
  g_free (old);
}

/* Inserts seq or updates its position. */
static void
index_put (Evq *q, uint64_t seq, size_t pos)
{
  size_t mask = q->index_cap - 1;
  size_t i = index_home (q, seq);
  for (;; i = (i + 1) & mask)
    {
      if (q->index[i].seq == seq)
        {
          q->index[i].pos = pos;
          return;
        }
      if (q->index[i].seq == 0)
        break;
    }
  if (2 * (q->index_n + 1) > q->index_cap)
    {
      index_resize (q, 2 * q->index_cap);
      index_put (q, seq, pos);
      return;
    }
  q->index[i].seq = seq;
  q->index[i].pos = pos;
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

/* Removes the slot s (from index_find) with backward-shift deletion. */
static void
index_remove (Evq *q, EvqSlot *s)
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
index_build (Evq *q)
{
  size_t want = 64;
  while (want < 2 * (q->n + 1))
    want *= 2;
  index_resize (q, want);
  for (size_t i = 0; i < q->n; i++)
    index_put (q, q->heap[i].seq, i);
  q->indexed = true;
}

/* ---- internals: the heap ---- */

static void
heap_grow (Evq *q, size_t want)
{
  size_t cap = q->cap ? q->cap : EVQ_MIN_CAP;
  while (cap < want)
    {
      if (cap > G_MAXSIZE / 2 / sizeof (SimEvent))
        g_error ("%s:%d: event queue cannot grow past %zu entries", __FILE__,
                 __LINE__, cap);
      cap *= 2;
    }
  SimEvent *base = g_aligned_alloc (cap + EVQ_PAD, sizeof (SimEvent),
                                    EVQ_ALIGN);
  if (q->n > 0)
    memcpy (base + EVQ_PAD, q->heap, q->n * sizeof (SimEvent));
  g_aligned_free (q->base);
  q->base = base;
  q->heap = base + EVQ_PAD;
  q->cap = cap;
}

/* The sifts are written once and instantiated twice, with and without
 * position-index updates, so the plain path carries no index test and the
 * compiler keeps q's fields in registers. */
static inline G_ALWAYS_INLINE void
sift_up_impl (Evq *q, size_t i, const SimEvent *ev, const bool indexed)
{
  SimEvent *h = q->heap;
  while (i > 0)
    {
      size_t p = (i - 1) >> 2;
      if (!key_lt (ev, &h[p]))
        break;
      h[i] = h[p];
      if (indexed)
        index_put (q, h[i].seq, i);
      i = p;
    }
  h[i] = *ev;
  if (indexed)
    index_put (q, ev->seq, i);
}

/* Index of the smallest of the children of i, or (size_t) -1 if none. */
static inline G_ALWAYS_INLINE size_t
min_child (const SimEvent *h, size_t n, size_t i)
{
  size_t c = 4 * i + 1;
  if (G_LIKELY (c + 3 < n))
    {
      /* Full family: a tournament of two pairs. Prefetching the
       * grandchildren hides part of the next level's miss. */
      for (int k = 0; k < 4; k++)
        {
          __builtin_prefetch (&h[4 * (c + k) + 1]);
          __builtin_prefetch (&h[4 * (c + k) + 3]);
        }
      size_t a = key_lt (&h[c + 1], &h[c]) ? c + 1 : c;
      size_t b = key_lt (&h[c + 3], &h[c + 2]) ? c + 3 : c + 2;
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

/* Moves the hole at i down until ev fits, then stores ev. */
static inline G_ALWAYS_INLINE void
sift_down_impl (Evq *q, size_t i, const SimEvent *ev, const bool indexed)
{
  SimEvent *h = q->heap;
  size_t n = q->n;
  for (;;)
    {
      size_t m = min_child (h, n, i);
      if (m == (size_t) -1 || !key_lt (&h[m], ev))
        break;
      h[i] = h[m];
      if (indexed)
        index_put (q, h[i].seq, i);
      i = m;
    }
  h[i] = *ev;
  if (indexed)
    index_put (q, ev->seq, i);
}

static void
sift_up (Evq *q, size_t i, const SimEvent *ev)
{
  if (q->indexed)
    sift_up_impl (q, i, ev, true);
  else
    sift_up_impl (q, i, ev, false);
}

static void
sift_down (Evq *q, size_t i, const SimEvent *ev)
{
  if (q->indexed)
    sift_down_impl (q, i, ev, true);
  else
    sift_down_impl (q, i, ev, false);
}

/* Fills the hole at the root with ev in a heap of `slots` slots (hole
 * included): the hole goes down to a leaf along the smallest children
 * without comparing against ev (Floyd's bottom-up variant: 3 compares per
 * level instead of 4, no mispredicted exit), then ev sifts up from there.
 * In a hold model the new event is distributed like the pending ones, so
 * it belongs near the leaves and the sift-up is short. */
static inline G_ALWAYS_INLINE void
fill_root_impl (Evq *q, size_t slots, const SimEvent *ev, const bool indexed)
{
  SimEvent *h = q->heap;
  size_t i = 0;
  for (;;)
    {
      size_t m = min_child (h, slots, i);
      if (m == (size_t) -1)
        break;
      h[i] = h[m];
      if (indexed)
        index_put (q, h[i].seq, i);
      i = m;
    }
  sift_up_impl (q, i, ev, indexed);
}

static void
fill_root (Evq *q, size_t slots, const SimEvent *ev)
{
  if (q->indexed)
    fill_root_impl (q, slots, ev, true);
  else
    fill_root_impl (q, slots, ev, false);
}

/* After a pop the root is left empty (q->hole) so that the push that
 * usually follows it (a handler scheduling its successor) fills it with
 * one sift instead of two. Any other operation fills it first with the
 * last entry. With a hole, the array holds n + 1 slots, slot 0 empty. */
static inline void
close_hole (Evq *q)
{
  if (G_LIKELY (!q->hole))
    return;
  q->hole = false;
  if (q->n > 0)
    {
      SimEvent last = q->heap[q->n];
      fill_root (q, q->n, &last);
    }
}

/* Removes the entry at i, refilling the hole with the last entry. */
static void
heap_remove_at (Evq *q, size_t i)
{
  g_assert (i < q->n);
  q->n--;
  if (i == q->n)
    return;
  SimEvent last = q->heap[q->n];
  if (i > 0 && key_lt (&last, &q->heap[(i - 1) >> 2]))
    sift_up (q, i, &last);
  else
    sift_down (q, i, &last);
}

/* ---- public API ---- */

Evq *
evq_new (size_t cap_hint)
{
  Evq *q = g_new0 (Evq, 1);
  q->next_seq = 1;
  q->last_pop = INT64_MIN;
  heap_grow (q, cap_hint > EVQ_MIN_CAP ? cap_hint : EVQ_MIN_CAP);
  return q;
}

void
evq_free (Evq *q)
{
  if (q == NULL)
    return;
  g_aligned_free (q->base);
  g_free (q->index);
  g_free (q);
}

void
evq_reserve (Evq *q, size_t n)
{
  g_return_if_fail (q != NULL);
  close_hole (q);
  if (n > q->cap)
    heap_grow (q, n);
}

EvqHandle
evq_push (Evq *q, SimTime time, uint32_t kind, uint32_t target,
          uint64_t data)
{
  g_return_val_if_fail (q != NULL, EVQ_NONE);
  /* Kept in release builds: an event in the past breaks causality. */
  g_assert (time >= q->last_pop);
  SimEvent ev = { .time = time, .seq = q->next_seq++, .kind = kind,
                  .target = target, .data = data };
  if (q->hole)
    {
      q->hole = false;
      q->n++;
      fill_root (q, q->n, &ev);
      return ev.seq;
    }
  if (G_UNLIKELY (q->n == q->cap))
    heap_grow (q, q->n + 1);
  size_t i = q->n++;
  sift_up (q, i, &ev);
  return ev.seq;
}

bool
evq_pop (Evq *q, SimEvent *out)
{
  g_return_val_if_fail (q != NULL && out != NULL, false);
  close_hole (q);
  if (q->n == 0)
    return false;
  *out = q->heap[0];
  q->last_pop = out->time;
  if (G_UNLIKELY (q->indexed))
    index_remove (q, index_find (q, out->seq));
  q->n--;
  q->hole = true;
  return true;
}

SimTime
evq_peek_time (Evq *q)
{
  g_return_val_if_fail (q != NULL, SIM_NEVER);
  close_hole (q);
  return q->n > 0 ? q->heap[0].time : SIM_NEVER;
}

bool
evq_cancel (Evq *q, EvqHandle h)
{
  g_return_val_if_fail (q != NULL, false);
  if (h == EVQ_NONE || h >= q->next_seq)
    return false;
  close_hole (q);
  if (!q->indexed)
    index_build (q);
  EvqSlot *s = index_find (q, h);
  if (s == NULL)
    return false;
  size_t i = s->pos;
  index_remove (q, s);
  heap_remove_at (q, i);
  return true;
}

EvqHandle
evq_reschedule (Evq *q, EvqHandle h, SimTime when)
{
  g_return_val_if_fail (q != NULL, EVQ_NONE);
  g_return_val_if_fail (when >= q->last_pop, EVQ_NONE);
  if (h == EVQ_NONE || h >= q->next_seq)
    return EVQ_NONE;
  close_hole (q);
  if (!q->indexed)
    index_build (q);
  EvqSlot *s = index_find (q, h);
  if (s == NULL)
    return EVQ_NONE;
  size_t i = s->pos;
  index_remove (q, s);
  SimEvent ev = q->heap[i];
  bool earlier = when < ev.time;
  ev.time = when;
  ev.seq = q->next_seq++;
  /* The new key is (when, larger seq): it moves up only if when is earlier. */
  if (earlier)
    sift_up (q, i, &ev);
  else
    sift_down (q, i, &ev);
  return ev.seq;
}

size_t
evq_size (const Evq *q)
{
  g_return_val_if_fail (q != NULL, 0);
  return q->n;
}

size_t
evq_bytes (const Evq *q)
{
  g_return_val_if_fail (q != NULL, 0);
  return sizeof (Evq) + (q->cap + EVQ_PAD) * sizeof (SimEvent)
         + q->index_cap * sizeof (EvqSlot);
}
