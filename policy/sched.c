/* policy/sched.c - gang scheduler with EASY backfill, priority preemption,
 * first-fit / topology placement and a hot-spare pool; see sched.h.
 *
 * Free nodes are kept in two bitmaps (general pool, spare pool) plus free
 * counts per group, so a placement costs O(n_nodes / 64 + groups) and a
 * job that does not fit is rejected in O(1) by its count. The queue is a
 * sorted array (binary-search insert); the running set is an unordered
 * array that is sorted (by end time, then id) only when a reservation is
 * computed. The id -> job hash table is used for lookup only, never
 * iterated, so decisions never depend on hash order. Not thread-safe. */
#include "sched.h"
#include "params.h"
#include "suggest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK (faultline-sched-error-quark, sched_error)

/* ---- configuration ---- */

static const SchedConfigKey sched_keys[] = {
  { "policy", "fifo|first-fit|topology|priority", "fifo",
    "preset: sets queue, placement, backfill and preempt together" },
  { "queue", "fifo|priority", "fifo",
    "queue order: submit time, or priority (higher first) then submit time" },
  { "placement", "first-fit|topology", "first-fit",
    "first-fit: lowest free node indices; topology: fewest leaf groups, "
    "best fit on group free counts" },
  { "backfill", "true|false", "true",
    "EASY backfill: later jobs may start if they do not delay the blocked "
    "head job's reservation" },
  { "preempt", "true|false", "false",
    "with queue=priority: a blocked job preempts lower-priority "
    "preemptible jobs (fewest node-hours lost)" },
  { "spares", "integer >= 0", "0",
    "hot-spare nodes kept idle for restarts of interrupted jobs" },
  { "refill", "spares-first|general-first", "spares-first",
    "where a repaired node goes: the spare pool while it is short, or the "
    "general pool (the spare pool then refills from idle nodes)" },
};

const SchedConfigKey *
sched_config_keys (size_t *n_keys)
{
  if (n_keys != NULL)
    *n_keys = G_N_ELEMENTS (sched_keys);
  return sched_keys;
}

void
sched_config_init (SchedConfig *cfg)
{
  g_return_if_fail (cfg != NULL);
  memset (cfg, 0, sizeof *cfg);
  cfg->queue = SCHED_QUEUE_FIFO;
  cfg->placement = SCHED_PLACE_FIRST_FIT;
  cfg->backfill = true;
  cfg->preempt = false;
  cfg->spares = 0;
  cfg->refill = SCHED_REFILL_SPARES_FIRST;
}

bool
sched_config_named (SchedConfig *cfg, const char *name, GError **error)
{
  g_return_val_if_fail (cfg != NULL, false);
  g_return_val_if_fail (error == NULL || *error == NULL, false);
  if (name != NULL
      && (strcmp (name, "fifo") == 0 || strcmp (name, "first-fit") == 0))
    {
      cfg->queue = SCHED_QUEUE_FIFO;
      cfg->placement = SCHED_PLACE_FIRST_FIT;
      cfg->backfill = true;
      cfg->preempt = false;
    }
  else if (name != NULL && strcmp (name, "topology") == 0)
    {
      cfg->queue = SCHED_QUEUE_FIFO;
      cfg->placement = SCHED_PLACE_TOPOLOGY;
      cfg->backfill = true;
      cfg->preempt = false;
    }
  else if (name != NULL && strcmp (name, "priority") == 0)
    {
      cfg->queue = SCHED_QUEUE_PRIORITY;
      cfg->placement = SCHED_PLACE_TOPOLOGY;
      cfg->backfill = true;
      cfg->preempt = true;
    }
  else
    {
      g_set_error (error, SCHED_ERROR, SCHED_ERROR_INVALID,
                   "unknown scheduler policy '%s' (known: fifo, first-fit, "
                   "topology, priority)", name ? name : "(null)");
      return false;
    }
  return true;
}


static bool
sched_parse_bool (const char *key, const char *value, bool *out,
                  GError **error)
{
  if (params_parse_bool (value, out))
    return true;
  g_set_error (error, SCHED_ERROR, SCHED_ERROR_INVALID,
               "sched.%s: '%s' is not a boolean (" PARAMS_BOOL_WORDS ")",
               key, value);
  return false;
}

bool
sched_config_set (SchedConfig *cfg, const char *key, const char *value,
                  GError **error)
{
  g_return_val_if_fail (cfg != NULL && key != NULL, false);
  g_return_val_if_fail (error == NULL || *error == NULL, false);
  if (value == NULL)
    value = "";
  const char *k = g_str_has_prefix (key, "sched.") ? key + 6 : key;
  SchedConfig c = *cfg;

  if (strcmp (k, "policy") == 0)
    {
      if (!sched_config_named (&c, value, error))
        return false;
    }
  else if (strcmp (k, "queue") == 0)
    {
      if (strcmp (value, "fifo") == 0)
        c.queue = SCHED_QUEUE_FIFO;
      else if (strcmp (value, "priority") == 0)
        c.queue = SCHED_QUEUE_PRIORITY;
      else
        {
          g_set_error (error, SCHED_ERROR, SCHED_ERROR_INVALID,
                       "sched.queue: unknown value '%s' (use fifo or "
                       "priority)", value);
          return false;
        }
    }
  else if (strcmp (k, "placement") == 0)
    {
      if (strcmp (value, "first-fit") == 0)
        c.placement = SCHED_PLACE_FIRST_FIT;
      else if (strcmp (value, "topology") == 0)
        c.placement = SCHED_PLACE_TOPOLOGY;
      else
        {
          g_set_error (error, SCHED_ERROR, SCHED_ERROR_INVALID,
                       "sched.placement: unknown value '%s' (use first-fit "
                       "or topology)", value);
          return false;
        }
    }
  else if (strcmp (k, "backfill") == 0)
    {
      if (!sched_parse_bool (k, value, &c.backfill, error))
        return false;
    }
  else if (strcmp (k, "preempt") == 0)
    {
      if (!sched_parse_bool (k, value, &c.preempt, error))
        return false;
    }
  else if (strcmp (k, "spares") == 0)
    {
      double v;
      if (!params_parse_number (value, 0, &v, NULL) || v < 0
          || v != floor (v) || v > G_MAXUINT32)
        {
          g_set_error (error, SCHED_ERROR, SCHED_ERROR_INVALID,
                       "sched.spares: '%s' is not a node count (use an "
                       "integer >= 0)", value);
          return false;
        }
      c.spares = (uint32_t) v;
    }
  else if (strcmp (k, "refill") == 0)
    {
      if (strcmp (value, "spares-first") == 0)
        c.refill = SCHED_REFILL_SPARES_FIRST;
      else if (strcmp (value, "general-first") == 0)
        c.refill = SCHED_REFILL_GENERAL_FIRST;
      else
        {
          g_set_error (error, SCHED_ERROR, SCHED_ERROR_INVALID,
                       "sched.refill: unknown value '%s' (use spares-first "
                       "or general-first)", value);
          return false;
        }
    }
  else
    {
      const char *names[G_N_ELEMENTS (sched_keys)];
      for (size_t i = 0; i < G_N_ELEMENTS (sched_keys); i++)
        names[i] = sched_keys[i].key;
      const char *best = policy_suggest (k, names, G_N_ELEMENTS (names));
      if (best != NULL)
        g_set_error (error, SCHED_ERROR, SCHED_ERROR_INVALID,
                     "unknown scheduler key 'sched.%s' (did you mean "
                     "'sched.%s'?)", k, best);
      else
        g_set_error (error, SCHED_ERROR, SCHED_ERROR_INVALID,
                     "unknown scheduler key 'sched.%s' (faultline help "
                     "options lists them)", k);
      return false;
    }
  *cfg = c;
  return true;
}

char *
sched_config_describe (const SchedConfig *cfg)
{
  g_return_val_if_fail (cfg != NULL, NULL);
  return g_strdup_printf (
      "queue=%s placement=%s backfill=%s preempt=%s spares=%u refill=%s",
      cfg->queue == SCHED_QUEUE_FIFO ? "fifo" : "priority",
      cfg->placement == SCHED_PLACE_FIRST_FIT ? "first-fit" : "topology",
      cfg->backfill ? "true" : "false", cfg->preempt ? "true" : "false",
      cfg->spares,
      cfg->refill == SCHED_REFILL_SPARES_FIRST ? "spares-first"
                                               : "general-first");
}

/* ---- state ---- */

typedef struct
{
  uint32_t g, n; /* a group and how many of the job's nodes are in it */
} SchedSpan;

typedef struct SchedJobRec SchedJobRec;
struct SchedJobRec
{
  SchedJob j;
  SchedJobState state;
  bool requeued;     /* interrupted or preempted: head of its class */
  bool restart;      /* interrupted: its restart may use spares */
  SchedTimeMs start; /* of the current run */
  uint32_t n_alloc;  /* nodes held while running (0 when queued) */
  uint32_t n_last;   /* size of `nodes` (kept after release) */
  uint32_t *nodes;   /* ascending */
  uint32_t *standby; /* its warm standbys while running (ascending; all up) */
  uint32_t n_standby;
  guint run_index;   /* index in Sched.running while running */
  uint64_t skip_pass; /* preempted in this pass: not restarted in it */
  uint32_t n_kept;   /* interrupted and queued: nodes[0..n_kept) are still
                        held (owner) for the one-node swap of its restart in
                        the next pass (sched_try_swap); 0 otherwise */
  /* Kept incrementally, so that a restart (a swap) costs what changed,
   * not the job's size: */
  uint32_t *down;    /* its gang nodes (running or kept) that are down,
                        in the order they went down */
  uint32_t n_down, cap_down;
  SchedSpan *span;   /* the groups of its gang nodes that are up, by group
                        (sched_span_*); room for MIN (nodes, groups) */
  uint32_t n_span;
};

typedef struct
{
  uint64_t *bits;  /* free node bitmap */
  uint32_t *gfree; /* free nodes per group */
  uint32_t total;
  uint32_t *hist;  /* max_group + 1: how many groups have f free nodes */
  uint64_t *fbits; /* (max_group + 1) x gwords: bit g of row f set when
                      gfree[g] == f (f > 0); NULL without the index
                      (sched_new: few groups, or too much memory) */
} SchedPool;

typedef struct
{
  uint32_t g, free;
} SchedGroupFree;

struct Sched
{
  SchedConfig cfg;
  uint32_t n_nodes, n_groups, n_words;
  uint32_t *group;    /* node -> dense group index */
  uint32_t *gstart;   /* CSR: members of group g are gmembers[gstart[g] ..
                         gstart[g + 1]), ascending */
  uint32_t *gmembers;
  SchedJobRec **owner; /* node -> running job, or NULL */
  bool *up;
  bool *spare;         /* in the spare pool (then idle and up) */
  SchedPool gen, spr;
  GHashTable *jobs;    /* id -> SchedJobRec (lookup only) */
  GPtrArray *queue;    /* sorted by sched_queue_cmp */
  GPtrArray *running;  /* unordered */
  uint32_t *scratch;   /* n_nodes */
  uint64_t *mark;      /* n_words, all zero between calls (sched_ascending) */
  uint32_t max_group;  /* nodes in the largest group */
  uint32_t *gcount;    /* max_group + 1: sched_place's counting sort */
  SchedGroupFree *gf;  /* n_groups: sched_place's groups in order */
  uint32_t gwords;    /* words of a bitmap over groups */
  uint32_t *chist;    /* max_group + 1: groups by gen.gfree + spr.gfree
                         (what a restart may use; sched_swap_ok) */
  uint64_t pass;
  GPtrArray *keeping;  /* queued jobs with n_kept > 0, in interruption order */
  uint32_t *gkept;     /* n_groups, all zero between calls (sched_swap_ok) */
};

static inline bool
sched_bit (const uint64_t *bits, uint32_t i)
{
  return (bits[i >> 6] >> (i & 63)) & 1;
}

/* Group g of pool p goes from `from` to `to` free nodes: the counts kept
 * beside gfree follow (the histograms, the per-count group bitmaps), so a
 * placement finds its group without a scan of all groups. O(1). */
static inline void
sched_gfree_move (Sched *s, SchedPool *p, uint32_t g, uint32_t from,
                  uint32_t to)
{
  uint32_t other = (p == &s->gen ? s->spr.gfree : s->gen.gfree)[g];
  p->gfree[g] = to;
  p->hist[from]--;
  p->hist[to]++;
  s->chist[from + other]--;
  s->chist[to + other]++;
  if (p->fbits != NULL)
    {
      uint64_t m = (uint64_t) 1 << (g & 63);
      p->fbits[(size_t) from * s->gwords + (g >> 6)] &= ~m;
      p->fbits[(size_t) to * s->gwords + (g >> 6)] |= m;
    }
}

static inline void
sched_gfree_inc (Sched *s, SchedPool *p, uint32_t g)
{
  sched_gfree_move (s, p, g, p->gfree[g], p->gfree[g] + 1);
}

static inline void
sched_gfree_dec (Sched *s, SchedPool *p, uint32_t g)
{
  sched_gfree_move (s, p, g, p->gfree[g], p->gfree[g] - 1);
}

static void
sched_pool_put (Sched *s, SchedPool *p, uint32_t node, bool in)
{
  bool was = sched_bit (p->bits, node);
  if (was == in)
    return;
  uint64_t m = (uint64_t) 1 << (node & 63);
  if (in)
    {
      p->bits[node >> 6] |= m;
      sched_gfree_inc (s, p, s->group[node]);
      p->total++;
    }
  else
    {
      p->bits[node >> 6] &= ~m;
      sched_gfree_dec (s, p, s->group[node]);
      p->total--;
    }
}

/* Re-derives the pool membership of a node from (up, owner, spare). */
static void
sched_node_sync (Sched *s, uint32_t node)
{
  if (!s->up[node] || s->owner[node] != NULL)
    s->spare[node] = false;
  bool idle = s->up[node] && s->owner[node] == NULL;
  sched_pool_put (s, &s->gen, node, idle && !s->spare[node]);
  sched_pool_put (s, &s->spr, node, idle && s->spare[node]);
}

static int
sched_u32_cmp (const void *a, const void *b)
{
  uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
  return (x > y) - (x < y);
}

/* Queue order: (priority desc, if priority queue), requeued first, submit
 * asc, id asc. Total, since ids are unique. */
static int
sched_queue_cmp (const Sched *s, const SchedJobRec *a, const SchedJobRec *b)
{
  if (s->cfg.queue == SCHED_QUEUE_PRIORITY && a->j.priority != b->j.priority)
    return a->j.priority > b->j.priority ? -1 : 1;
  if (a->requeued != b->requeued)
    return a->requeued ? -1 : 1;
  if (a->j.submit != b->j.submit)
    return a->j.submit < b->j.submit ? -1 : 1;
  return (a->j.id > b->j.id) - (a->j.id < b->j.id);
}

/* Index of the first element >= r (lower bound). */
static guint
sched_queue_bound (const Sched *s, const SchedJobRec *r)
{
  guint lo = 0, hi = s->queue->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (sched_queue_cmp (s, g_ptr_array_index (s->queue, mid), r) < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static void
sched_queue_insert (Sched *s, SchedJobRec *r)
{
  r->state = SCHED_JOB_QUEUED;
  g_ptr_array_insert (s->queue, (gint) sched_queue_bound (s, r), r);
}

static void
sched_queue_remove (Sched *s, SchedJobRec *r)
{
  guint i = sched_queue_bound (s, r);
  g_assert (i < s->queue->len && g_ptr_array_index (s->queue, i) == r);
  g_ptr_array_remove_index (s->queue, i);
}

static void
sched_job_rec_free (gpointer p)
{
  SchedJobRec *r = p;
  if (r == NULL)
    return;
  g_free (r->nodes);
  g_free (r->standby);
  g_free (r->down);
  g_free (r->span);
  g_free (r);
}

/* ---- lifecycle ---- */

Sched *
sched_new (const SchedConfig *cfg, uint32_t n_nodes,
           const uint32_t *node_group, GError **error)
{
  g_return_val_if_fail (cfg != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (n_nodes == 0)
    {
      g_set_error (error, SCHED_ERROR, SCHED_ERROR_INVALID,
                   "scheduler: the cluster has 0 nodes");
      return NULL;
    }
  if (cfg->spares >= n_nodes)
    {
      g_set_error (error, SCHED_ERROR, SCHED_ERROR_INVALID,
                   "sched.spares=%u leaves no node for jobs on a cluster of "
                   "%u nodes (use fewer spares)", cfg->spares, n_nodes);
      return NULL;
    }

  Sched *s = g_new0 (Sched, 1);
  s->cfg = *cfg;
  s->n_nodes = n_nodes;
  s->n_words = (n_nodes + 63) / 64;

  /* Dense group indices, ordered as the caller's group ids. */
  s->group = g_new0 (uint32_t, n_nodes);
  if (node_group != NULL)
    {
      uint32_t *ids = g_memdup2 (node_group, sizeof (uint32_t) * n_nodes);
      qsort (ids, n_nodes, sizeof *ids, sched_u32_cmp);
      uint32_t n_ids = 0;
      for (uint32_t i = 0; i < n_nodes; i++)
        if (n_ids == 0 || ids[n_ids - 1] != ids[i])
          ids[n_ids++] = ids[i];
      for (uint32_t i = 0; i < n_nodes; i++)
        {
          const uint32_t *hit = bsearch (&node_group[i], ids, n_ids,
                                         sizeof *ids, sched_u32_cmp);
          g_assert (hit != NULL);
          s->group[i] = (uint32_t) (hit - ids);
        }
      s->n_groups = n_ids;
      g_free (ids);
    }
  else
    s->n_groups = 1;

  s->gstart = g_new0 (uint32_t, s->n_groups + 1);
  for (uint32_t i = 0; i < n_nodes; i++)
    s->gstart[s->group[i] + 1]++;
  for (uint32_t g = 0; g < s->n_groups; g++)
    s->gstart[g + 1] += s->gstart[g];
  s->gmembers = g_new (uint32_t, n_nodes);
  {
    uint32_t *fill = g_memdup2 (s->gstart, sizeof (uint32_t) * s->n_groups);
    for (uint32_t i = 0; i < n_nodes; i++)
      s->gmembers[fill[s->group[i]]++] = i; /* ascending by construction */
    g_free (fill);
  }

  s->owner = g_new0 (SchedJobRec *, n_nodes);
  s->up = g_new (bool, n_nodes);
  s->spare = g_new0 (bool, n_nodes);
  s->gen.bits = g_new0 (uint64_t, s->n_words);
  s->gen.gfree = g_new0 (uint32_t, s->n_groups);
  s->spr.bits = g_new0 (uint64_t, s->n_words);
  s->spr.gfree = g_new0 (uint32_t, s->n_groups);
  s->scratch = g_new (uint32_t, n_nodes);
  s->mark = g_new0 (uint64_t, s->n_words);
  for (uint32_t g = 0; g < s->n_groups; g++)
    s->max_group = MAX (s->max_group, s->gstart[g + 1] - s->gstart[g]);
  s->gcount = g_new (uint32_t, s->max_group + 1);
  s->gf = g_new (SchedGroupFree, s->n_groups);
  /* Every group starts with no free node (the loop below frees them). The
   * per-count bitmaps only pay when there are many groups of few nodes
   * (SUs of 32 in a fleet of thousands); their memory, (max_group + 1) x
   * gwords words, is bounded by a few times the node bitmaps, else
   * placement scans the groups as before. */
  s->gwords = (s->n_groups + 63) / 64;
  s->chist = g_new0 (uint32_t, s->max_group + 1);
  s->chist[0] = s->n_groups;
  bool index = s->n_groups >= 64 && s->max_group < s->n_groups
               && (uint64_t) (s->max_group + 1) * s->gwords
                    <= 4 * (uint64_t) s->n_words + 4096;
  for (SchedPool *p = &s->gen; p != NULL; p = p == &s->gen ? &s->spr : NULL)
    {
      p->hist = g_new0 (uint32_t, s->max_group + 1);
      p->hist[0] = s->n_groups;
      if (!index)
        continue;
      p->fbits = g_new0 (uint64_t, (size_t) (s->max_group + 1) * s->gwords);
      for (uint32_t g = 0; g < s->n_groups; g++)
        p->fbits[g >> 6] |= (uint64_t) 1 << (g & 63);
    }
  for (uint32_t i = 0; i < n_nodes; i++)
    {
      s->up[i] = true;
      s->spare[i] = i >= n_nodes - cfg->spares;
      sched_node_sync (s, i);
    }
  s->jobs = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                   sched_job_rec_free);
  s->queue = g_ptr_array_new ();
  s->running = g_ptr_array_new ();
  s->keeping = g_ptr_array_new ();
  s->gkept = g_new0 (uint32_t, s->n_groups);
  return s;
}

void
sched_free (Sched *s)
{
  if (s == NULL)
    return;
  g_hash_table_destroy (s->jobs);
  g_ptr_array_free (s->queue, TRUE);
  g_ptr_array_free (s->running, TRUE);
  g_ptr_array_free (s->keeping, TRUE);
  g_free (s->gkept);
  g_free (s->group);
  g_free (s->gstart);
  g_free (s->gmembers);
  g_free (s->owner);
  g_free (s->up);
  g_free (s->spare);
  g_free (s->gen.bits);
  g_free (s->gen.gfree);
  g_free (s->gen.hist);
  g_free (s->gen.fbits);
  g_free (s->spr.bits);
  g_free (s->spr.gfree);
  g_free (s->spr.hist);
  g_free (s->spr.fbits);
  g_free (s->chist);
  g_free (s->scratch);
  g_free (s->mark);
  g_free (s->gcount);
  g_free (s->gf);
  g_free (s);
}

static SchedJobRec *
sched_lookup (Sched *s, uint32_t id)
{
  return g_hash_table_lookup (s->jobs, GUINT_TO_POINTER (id));
}

bool
sched_submit (Sched *s, const SchedJob *j)
{
  g_return_val_if_fail (s != NULL && j != NULL, false);
  g_return_val_if_fail (j->nodes > 0, false);
  g_return_val_if_fail (sched_lookup (s, j->id) == NULL, false);
  if ((uint64_t) j->nodes + j->standbys > s->n_nodes - s->cfg.spares)
    return false;
  SchedJobRec *r = g_new0 (SchedJobRec, 1);
  r->j = *j;
  g_hash_table_insert (s->jobs, GUINT_TO_POINTER (j->id), r);
  sched_queue_insert (s, r);
  return true;
}

/* ---- a job's down nodes and groups, kept incrementally ---- */

static void
sched_down_add (SchedJobRec *r, uint32_t node)
{
  if (r->n_down == r->cap_down)
    {
      r->cap_down = MAX (4, 2 * r->cap_down);
      r->down = g_renew (uint32_t, r->down, r->cap_down);
    }
  r->down[r->n_down++] = node;
}

/* node, one of r's, is no longer down (repaired while held, or it left
 * the job); nothing if it was not in the list. */
static void
sched_down_remove (SchedJobRec *r, uint32_t node)
{
  for (uint32_t i = 0; i < r->n_down; i++)
    if (r->down[i] == node)
      {
        memmove (r->down + i, r->down + i + 1,
                 sizeof (uint32_t) * (r->n_down - i - 1));
        r->n_down--;
        return;
      }
}

/* The index of the first of r's spans (ascending groups) whose group is
 * not below g: g's own entry if r spans g. O(log spans). */
static uint32_t
sched_span_lower (const SchedJobRec *r, uint32_t g)
{
  uint32_t lo = 0, hi = r->n_span;
  while (lo < hi)
    {
      uint32_t mid = lo + (hi - lo) / 2;
      if (r->span[mid].g < g)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* r's up nodes in group g change by delta (+1 or -1): its span list
 * (ascending groups) gains, updates or loses the entry. O(log spans +
 * the move of the tail on an insert or a removal). */
static void
sched_span_add (const Sched *s, SchedJobRec *r, uint32_t g, int delta)
{
  uint32_t lo = sched_span_lower (r, g);
  if (lo < r->n_span && r->span[lo].g == g)
    {
      g_assert (delta > 0 || r->span[lo].n > 0);
      r->span[lo].n += (uint32_t) delta;
      if (r->span[lo].n == 0)
        {
          memmove (r->span + lo, r->span + lo + 1,
                   sizeof (SchedSpan) * (r->n_span - lo - 1));
          r->n_span--;
        }
      return;
    }
  g_assert (delta > 0 && r->n_span < MIN (r->j.nodes, s->n_groups));
  memmove (r->span + lo + 1, r->span + lo,
           sizeof (SchedSpan) * (r->n_span - lo));
  r->span[lo] = (SchedSpan) { g, 1 };
  r->n_span++;
}

static int
sched_span_cmp (const void *a, const void *b)
{
  uint32_t x = ((const SchedSpan *) a)->g, y = ((const SchedSpan *) b)->g;
  return (x > y) - (x < y);
}

/* r's span list from its nodes[0..n) (all up: a fresh start). O(n +
 * spans log spans); s->gkept is the scratch count (zero again after). */
static void
sched_span_build (Sched *s, SchedJobRec *r, uint32_t n)
{
  if (r->span == NULL)
    r->span = g_new (SchedSpan, MIN (r->j.nodes, s->n_groups));
  r->n_span = 0;
  for (uint32_t i = 0; i < n; i++)
    {
      uint32_t g = s->group[r->nodes[i]];
      if (s->gkept[g]++ == 0)
        r->span[r->n_span++] = (SchedSpan) { g, 0 };
    }
  /* In group order: nodes are ascending, so groups often already are. */
  uint32_t i = 1;
  while (i < r->n_span && r->span[i - 1].g < r->span[i].g)
    i++;
  if (i < r->n_span)
    qsort (r->span, r->n_span, sizeof *r->span, sched_span_cmp);
  for (i = 0; i < r->n_span; i++)
    {
      r->span[i].n = s->gkept[r->span[i].g];
      s->gkept[r->span[i].g] = 0;
    }
}

/* ---- warm standbys ---- */

static void sched_ascending (Sched *s, uint32_t *v, uint32_t n);

/* Nodes a job needs free to start: its gang and its standbys, less the
 * nodes it kept for a one-node swap (sched_try_swap). */
static inline uint32_t
sched_need (const SchedJobRec *r)
{
  return r->j.nodes + r->j.standbys - r->n_kept;
}

/* Index of node in the ascending v[0..n), or n. */
static uint32_t
sched_find (const uint32_t *v, uint32_t n, uint32_t node)
{
  if (n == 0)
    return 0;
  const uint32_t *hit = bsearch (&node, v, n, sizeof *v, sched_u32_cmp);
  return hit != NULL ? (uint32_t) (hit - v) : n;
}

/* r, starting, holds the k free nodes of v as its standbys. */
static void
sched_standbys_take (Sched *s, SchedJobRec *r, uint32_t *v, uint32_t k)
{
  sched_ascending (s, v, k);
  r->standby = g_renew (uint32_t, r->standby, k);
  memcpy (r->standby, v, sizeof (uint32_t) * k);
  r->n_standby = k;
  for (uint32_t i = 0; i < k; i++)
    {
      g_assert (s->owner[v[i]] == NULL && s->up[v[i]]);
      s->owner[v[i]] = r;
      sched_node_sync (s, v[i]);
    }
}

/* r's standbys are free again (r stops). */
static void
sched_standbys_release (Sched *s, SchedJobRec *r)
{
  for (uint32_t i = 0; i < r->n_standby; i++)
    {
      g_assert (s->owner[r->standby[i]] == r);
      s->owner[r->standby[i]] = NULL;
      sched_node_sync (s, r->standby[i]);
    }
  r->n_standby = 0;
}

/* node, held by r, went down: if it is one of r's standbys it leaves r. */
static void
sched_standby_drop (Sched *s, SchedJobRec *r, uint32_t node)
{
  uint32_t i = sched_find (r->standby, r->n_standby, node);
  if (i == r->n_standby)
    return; /* one of r's gang: r keeps it until interrupted */
  memmove (r->standby + i, r->standby + i + 1,
           sizeof (uint32_t) * (r->n_standby - i - 1));
  r->n_standby--;
  s->owner[node] = NULL;
  sched_node_sync (s, node);
}

bool
sched_job_swap (Sched *s, uint32_t id, uint32_t node, uint32_t *replacement)
{
  g_return_val_if_fail (s != NULL && replacement != NULL, false);
  SchedJobRec *r = sched_lookup (s, id);
  if (r == NULL || r->state != SCHED_JOB_RUNNING || r->n_standby == 0
      || node >= s->n_nodes || s->owner[node] != r)
    return false;
  uint32_t at = sched_find (r->nodes, r->n_alloc, node);
  if (at == r->n_alloc)
    return false; /* a standby, not one of its gang */
  uint32_t k = 0;
  while (k < r->n_standby && s->group[r->standby[k]] != s->group[node])
    k++;
  if (k == r->n_standby)
    k = 0;
  uint32_t in = r->standby[k];
  memmove (r->standby + k, r->standby + k + 1,
           sizeof (uint32_t) * (r->n_standby - k - 1));
  r->n_standby--;
  /* r->nodes without `node`, with `in`, ascending. */
  memmove (r->nodes + at, r->nodes + at + 1,
           sizeof (uint32_t) * (r->n_alloc - at - 1));
  uint32_t pos = r->n_alloc - 1;
  while (pos > 0 && r->nodes[pos - 1] > in)
    {
      r->nodes[pos] = r->nodes[pos - 1];
      pos--;
    }
  r->nodes[pos] = in;
  if (s->up[node])
    sched_span_add (s, r, s->group[node], -1);
  else
    sched_down_remove (r, node);
  sched_span_add (s, r, s->group[in], +1);
  s->owner[node] = NULL;
  sched_node_sync (s, node);
  *replacement = in;
  return true;
}

/* ---- node pools ---- */

void
sched_node_set_available (Sched *s, uint32_t node, bool up)
{
  g_return_if_fail (s != NULL && node < s->n_nodes);
  if (s->up[node] == up)
    return;
  s->up[node] = up;
  if (!up && s->owner[node] != NULL && s->owner[node]->n_standby > 0)
    sched_standby_drop (s, s->owner[node], node);
  if (s->owner[node] != NULL) /* one of a job's gang (running or kept) */
    {
      SchedJobRec *r = s->owner[node];
      if (!up)
        {
          sched_down_add (r, node);
          sched_span_add (s, r, s->group[node], -1);
        }
      else
        {
          sched_down_remove (r, node);
          sched_span_add (s, r, s->group[node], +1);
        }
    }
  if (up && s->owner[node] == NULL
      && s->cfg.refill == SCHED_REFILL_SPARES_FIRST
      && s->spr.total < s->cfg.spares)
    s->spare[node] = true;
  sched_node_sync (s, node);
}

/* Moves idle general nodes (highest index first) into the spare pool until
 * it reaches its target. */
static void
sched_spares_top_up (Sched *s)
{
  for (uint32_t w = s->n_words; w-- > 0 && s->spr.total < s->cfg.spares;)
    while (s->gen.bits[w] != 0 && s->spr.total < s->cfg.spares)
      {
        uint32_t node = w * 64 + 63 - (uint32_t) __builtin_clzll (s->gen.bits[w]);
        s->spare[node] = true;
        sched_node_sync (s, node);
      }
}

/* ---- placement ---- */

/* Appends up to m free nodes of group g in pool p, ascending, to out. */
static uint32_t
sched_take_group (Sched *s, const SchedPool *p, uint32_t g, uint32_t m,
                  uint32_t *out)
{
  uint32_t k = 0;
  for (uint32_t i = s->gstart[g]; i < s->gstart[g + 1] && k < m; i++)
    if (sched_bit (p->bits, s->gmembers[i]))
      out[k++] = s->gmembers[i];
  return k;
}

/* The group of pool p with the fewest free nodes >= n, the lowest index
 * among equals; UINT32_MAX if no group holds n. With the per-count index:
 * the first count >= n that some group has, then the first group in that
 * count's bitmap, O(max_group + gwords); without it a scan of the groups.
 * Both give the same group (tests/policy/test_sched.c checks placements
 * against a model of the rule). */
static uint32_t
sched_best_fit (const Sched *s, const SchedPool *p, uint32_t n)
{
  if (n > s->max_group)
    return UINT32_MAX;
  if (p->fbits != NULL)
    {
      for (uint32_t f = MAX (n, 1); f <= s->max_group; f++)
        {
          if (p->hist[f] == 0)
            continue;
          const uint64_t *row = p->fbits + (size_t) f * s->gwords;
          for (uint32_t w = 0; w < s->gwords; w++)
            if (row[w] != 0)
              return w * 64 + (uint32_t) __builtin_ctzll (row[w]);
          g_assert_not_reached ();
        }
      return UINT32_MAX;
    }
  uint32_t best = UINT32_MAX;
  for (uint32_t g = 0; g < s->n_groups; g++)
    if (p->gfree[g] >= n && (best == UINT32_MAX || p->gfree[g] < p->gfree[best]))
      best = g;
  return best;
}

/* Chooses n free nodes of pool p into out (unsorted). The pool must hold
 * at least n free nodes. */
static void
sched_place (Sched *s, const SchedPool *p, uint32_t n, uint32_t *out)
{
  g_assert (p->total >= n);
  if (n == 0)
    return;
  if (s->cfg.placement == SCHED_PLACE_FIRST_FIT)
    {
      uint32_t k = 0;
      for (uint32_t w = 0; w < s->n_words && k < n; w++)
        for (uint64_t b = p->bits[w]; b != 0 && k < n; b &= b - 1)
          out[k++] = w * 64 + (uint32_t) __builtin_ctzll (b);
      g_assert (k == n);
      return;
    }

  /* Topology: one group if any can hold the job (the best fit: fewest free
   * nodes that suffice); else the fullest groups first, and the last part
   * in the best-fitting remaining group. O(G log G). */
  /* The common case, a job that fits in one group: the best fit, the
   * lowest group among those with the fewest free nodes that suffice (same
   * choice as the sorted path below). */
  {
    uint32_t best = sched_best_fit (s, p, n);
    if (best != UINT32_MAX)
      {
        uint32_t got = sched_take_group (s, p, best, n, out);
        g_assert (got == n);
        return;
      }
  }
  /* The groups with free nodes by free count descending, then group
   * index: a counting sort (counts are at most the largest group), stable
   * in the group order. */
  SchedGroupFree *gf = s->gf;
  uint32_t *pos = s->gcount;
  memset (pos, 0, sizeof (uint32_t) * (s->max_group + 1));
  for (uint32_t g = 0; g < s->n_groups; g++)
    pos[p->gfree[g]]++;
  uint32_t ng = 0;
  for (uint32_t f = s->max_group; f > 0; f--)
    {
      uint32_t c = pos[f];
      pos[f] = ng;
      ng += c;
    }
  for (uint32_t g = 0; g < s->n_groups; g++)
    if (p->gfree[g] > 0)
      gf[pos[p->gfree[g]]++] = (SchedGroupFree) { g, p->gfree[g] };
  uint32_t k = 0, first = 0;
  while (k < n)
    {
      uint32_t need = n - k;
      g_assert (first < ng);
      if (gf[first].free >= need)
        {
          /* Best fit among gf[first..ng): the last (smallest) that holds
           * `need`; among equal counts the lowest group id (first seen). */
          uint32_t best = first;
          for (uint32_t i = first + 1; i < ng && gf[i].free >= need; i++)
            if (gf[i].free < gf[best].free)
              best = i;
          k += sched_take_group (s, p, gf[best].g, need, out + k);
          break;
        }
      k += sched_take_group (s, p, gf[first].g, gf[first].free, out + k);
      first++;
    }
  g_assert (k == n);
}

/* Puts the n distinct node indices of v in ascending order. A placement
 * is a few ascending runs (one per group taken, then the spares), and most
 * often one, so a sorted list is checked in O(n); otherwise the nodes are
 * marked in s->mark and read back in order, O(n + span / 64), which is
 * cheaper than a comparison sort of a 4,096-node allocation. */
static void
sched_ascending (Sched *s, uint32_t *v, uint32_t n)
{
  uint32_t i = 1;
  while (i < n && v[i - 1] < v[i])
    i++;
  if (i >= n)
    return;
  uint32_t lo = UINT32_MAX, hi = 0;
  for (i = 0; i < n; i++)
    {
      uint32_t w = v[i] >> 6;
      s->mark[w] |= (uint64_t) 1 << (v[i] & 63);
      lo = MIN (lo, w);
      hi = MAX (hi, w);
    }
  uint32_t k = 0;
  for (uint32_t w = lo; w <= hi; w++)
    {
      for (uint64_t b = s->mark[w]; b != 0; b &= b - 1)
        v[k++] = w * 64 + (uint32_t) __builtin_ctzll (b);
      s->mark[w] = 0;
    }
  g_assert (k == n); /* the nodes were distinct */
}

/* ---- running and releasing ---- */

/* The first n of r's nodes stop being held: sched_node_sync for each,
 * unrolled (a held node is in no pool; it joins the general one if it is
 * up). */
static inline void
sched_unhold (Sched *s, SchedJobRec *r, uint32_t n)
{
  for (uint32_t i = 0; i < n; i++)
    {
      uint32_t node = r->nodes[i];
      g_assert (s->owner[node] == r && !s->spare[node]);
      s->owner[node] = NULL;
      if (s->up[node])
        {
          s->gen.bits[node >> 6] |= (uint64_t) 1 << (node & 63);
          sched_gfree_inc (s, &s->gen, s->group[node]);
          s->gen.total++;
        }
    }
}

static void
sched_release (Sched *s, SchedJobRec *r)
{
  g_assert (r->state == SCHED_JOB_RUNNING);
  sched_standbys_release (s, r);
  sched_unhold (s, r, r->n_alloc);
  r->n_alloc = 0;
  r->n_down = 0;
  r->n_span = 0;
  guint idx = r->run_index;
  g_assert (g_ptr_array_index (s->running, idx) == r);
  g_ptr_array_remove_index_fast (s->running, idx);
  if (idx < s->running->len)
    ((SchedJobRec *) g_ptr_array_index (s->running, idx))->run_index = idx;
  r->state = SCHED_JOB_UNKNOWN;
}

/* Free nodes this job may use now. */
static uint32_t
sched_avail_for (const Sched *s, const SchedJobRec *r)
{
  return s->gen.total + (r->restart ? s->spr.total : 0);
}

/* Nodes nodes[0..n) leave the pool they are in (general or spare) and
 * are held by r: sched_node_sync for a free node that becomes held,
 * unrolled. */
static void
sched_hold (Sched *s, SchedJobRec *r, const uint32_t *nodes, uint32_t n)
{
  for (uint32_t i = 0; i < n; i++)
    {
      uint32_t node = nodes[i];
      g_assert (s->owner[node] == NULL && s->up[node]);
      s->owner[node] = r;
      uint64_t m = (uint64_t) 1 << (node & 63);
      SchedPool *p = s->spare[node] ? &s->spr : &s->gen;
      g_assert (p->bits[node >> 6] & m);
      p->bits[node >> 6] &= ~m;
      sched_gfree_dec (s, p, s->group[node]);
      p->total--;
      s->spare[node] = false;
    }
}

/* r, out of the queue and holding r->nodes[0..r->j.nodes), is running. */
static void
sched_started (Sched *s, SchedJobRec *r, SchedTimeMs now, uint32_t from_spr,
               GArray *out)
{
  r->n_alloc = r->j.nodes;
  r->state = SCHED_JOB_RUNNING;
  r->start = now;
  r->requeued = false;
  r->restart = false;
  r->run_index = s->running->len;
  g_ptr_array_add (s->running, r);

  SchedDecision d = { SCHED_DECISION_START, r->j.id, r->n_alloc, r->nodes,
                      from_spr };
  g_array_append_val (out, d);
}

/* ---- the one-node swap ---- */

/* An interrupted job's kept nodes go back to the general pool (those that
 * are up), as if it had released them when it stopped. */
static void
sched_unkeep (Sched *s, SchedJobRec *r)
{
  sched_unhold (s, r, r->n_kept);
  r->n_kept = 0;
  r->n_down = 0;
  r->n_span = 0;
  g_ptr_array_remove (s->keeping, r);
}

/* Chooses m free nodes of pool p for a job r that keeps nodes: with
 * topology placement, the best-fitting group (fewest free nodes that
 * suffice, then the lowest index) among the groups it already spans (its
 * span list: O(spans), not O(nodes)), so
 * the swap adds no group; if none holds m, or with first-fit, the usual
 * choice (sched_place). Unsorted. */
static void
sched_place_near (Sched *s, const SchedPool *p, const SchedJobRec *r,
                  uint32_t m, uint32_t *out)
{
  if (m == 0)
    return;
  if (s->cfg.placement == SCHED_PLACE_TOPOLOGY)
    {
      uint32_t best = UINT32_MAX;
      for (uint32_t i = 0; i < r->n_span; i++)
        {
          uint32_t g = r->span[i].g;
          if (p->gfree[g] >= m
              && (best == UINT32_MAX || p->gfree[g] < p->gfree[best]
                  || (p->gfree[g] == p->gfree[best] && g < best)))
            best = g;
        }
      if (best != UINT32_MAX)
        {
          uint32_t got = sched_take_group (s, p, best, m, out);
          g_assert (got == m);
          return;
        }
    }
  sched_place (s, p, m, out);
}

/* With topology placement, whether the swap keeps the placement rule
 * "fewest groups": the groups of the kept nodes[0..k) and of the fresh
 * ones fresh[0..m), against the fewest groups a new placement of the job
 * could use, counting its kept nodes, the general pool and (a restart)
 * the spares as free: largest groups first. A job alone in its group
 * whose group has no free node is then re-placed (in a group that holds
 * it whole) rather than spread over two. O(k + m + groups). */
/* Whether group g is one of r's spans. O(log spans). */
static bool
sched_span_has (const SchedJobRec *r, uint32_t g)
{
  uint32_t lo = sched_span_lower (r, g);
  return lo < r->n_span && r->span[lo].g == g;
}

static bool
sched_swap_ok (Sched *s, const SchedJobRec *r, const uint32_t *fresh,
               uint32_t m)
{
  if (s->cfg.placement != SCHED_PLACE_TOPOLOGY)
    return true;
  /* Groups after the swap: the job's spans (its up kept nodes), plus the
   * groups of fresh nodes outside them (marked in gkept). */
  uint32_t used = r->n_span;
  for (uint32_t i = 0; i < m; i++)
    {
      uint32_t g = s->group[fresh[i]];
      if (s->gkept[g] == 0 && !sched_span_has (r, g))
        {
          s->gkept[g] = 1;
          used++;
        }
    }
  for (uint32_t i = 0; i < m; i++)
    s->gkept[s->group[fresh[i]]] = 0;
  /* Capacities of a new placement, by count: a group's free nodes (the
   * general pool, and the spares for a restart) plus the job's kept nodes
   * in it. The free counts' histogram is kept incrementally (hist, chist);
   * only the job's groups move in it, so this is O(spans + max_group), not
   * a walk of every group or node. A kept node is held, so no capacity
   * passes the group's size (max_group). */
  uint32_t *pos = s->gcount;
  memcpy (pos, r->restart ? s->chist : s->gen.hist,
          sizeof (uint32_t) * (s->max_group + 1));
  for (uint32_t i = 0; i < r->n_span; i++)
    {
      uint32_t g = r->span[i].g, kg = r->span[i].n;
      uint32_t base = s->gen.gfree[g] + (r->restart ? s->spr.gfree[g] : 0);
      g_assert (base + kg <= s->max_group);
      pos[base]--;
      pos[base + kg]++;
    }
  uint32_t fewest = 0;
  int64_t left = r->j.nodes;
  for (uint32_t f = s->max_group; f > 0 && left > 0; f--)
    {
      int64_t take = MIN ((int64_t) pos[f], (left + f - 1) / f);
      fewest += (uint32_t) take;
      left -= take * f;
    }
  /* Up to 1/16 more groups than that (none for a job in fewer than 16):
   * a restart of a 128-SU job may take a 129th SU for its one node; a
   * job in one SU is never spread over two. Swaps cannot drift further:
   * past that bound the job is re-placed. */
  return used <= fewest + fewest / 16;
}

/* The restart of an interrupted job that kept its nodes: the kept nodes
 * that went down since (the failed ones, a node taken for maintenance)
 * are swapped for free ones (general pool first, then spares, as a
 * restart takes them), chosen by sched_place_near; the others stay.
 * O(job size + groups), no re-placement. If too few nodes are free, or
 * the swap would spread the job over more groups than a new topology
 * placement (sched_swap_ok), the kept nodes are released: false, and
 * the caller places the job as any other. */
static bool
sched_try_swap (Sched *s, SchedJobRec *r, SchedTimeMs now, GArray *out)
{
  /* The kept nodes that went down (r->down) leave the job: in no pool
   * until they come back. One search and move each, not a walk of the
   * job's nodes. */
  uint32_t k = r->n_kept;
  for (uint32_t d = 0; d < r->n_down; d++)
    {
      uint32_t node = r->down[d];
      uint32_t at = sched_find (r->nodes, k, node);
      g_assert (at < k && s->owner[node] == r && !s->up[node]);
      memmove (r->nodes + at, r->nodes + at + 1,
               sizeof (uint32_t) * (k - at - 1));
      k--;
      s->owner[node] = NULL;
    }
  r->n_down = 0;
  r->n_kept = k;
  uint32_t n = r->j.nodes, need = n - k;
  if (sched_avail_for (s, r) < need)
    {
      sched_unkeep (s, r);
      return false;
    }
  uint32_t from_gen = MIN (need, s->gen.total);
  uint32_t from_spr = need - from_gen;
  uint32_t *fresh = s->scratch;
  sched_place_near (s, &s->gen, r, from_gen, fresh);
  sched_place_near (s, &s->spr, r, from_spr, fresh + from_gen);
  if (!sched_swap_ok (s, r, fresh, need))
    {
      sched_unkeep (s, r);
      return false;
    }
  sched_ascending (s, fresh, need);
  sched_hold (s, r, fresh, need);
  for (uint32_t i = 0; i < need; i++)
    sched_span_add (s, r, s->group[fresh[i]], +1);

  /* Merge the kept and the fresh nodes, both ascending, from the back. */
  uint32_t a = k, b = need, o = n;
  while (b > 0)
    r->nodes[--o] = (a > 0 && r->nodes[a - 1] > fresh[b - 1]) ? r->nodes[--a]
                                                              : fresh[--b];
  sched_queue_remove (s, r);
  r->n_kept = 0;
  g_ptr_array_remove (s->keeping, r);
  sched_started (s, r, now, from_spr, out);
  return true;
}

/* Starts r if enough nodes are free; the job must be in the queue. */
static bool
sched_try_start (Sched *s, SchedJobRec *r, SchedTimeMs now, GArray *out)
{
  if (r->n_kept > 0 && sched_try_swap (s, r, now, out))
    return true;
  uint32_t n = r->j.nodes, need = sched_need (r);
  if (sched_avail_for (s, r) < need)
    return false;
  uint32_t from_gen = MIN (need, s->gen.total);
  uint32_t from_spr = need - from_gen;
  sched_place (s, &s->gen, from_gen, s->scratch);
  sched_place (s, &s->spr, from_spr, s->scratch + from_gen);
  if (need > n)
    {
      sched_standbys_take (s, r, s->scratch + n, need - n);
      from_spr = n > from_gen ? n - from_gen : 0; /* the gang's share */
    }
  sched_ascending (s, s->scratch, n);

  sched_queue_remove (s, r);
  if (r->n_last != n)
    r->nodes = g_renew (uint32_t, r->nodes, n);
  memcpy (r->nodes, s->scratch, sizeof (uint32_t) * n);
  r->n_last = n;
  sched_hold (s, r, r->nodes, n);
  sched_span_build (s, r, n);
  sched_started (s, r, now, from_spr, out);
  return true;
}

static uint32_t
sched_up_nodes (const Sched *s, const SchedJobRec *r)
{
  return r->n_alloc - r->n_down + r->n_standby; /* standbys are all up */
}

/* ---- preemption ---- */

typedef struct
{
  SchedJobRec *r;
  double lost;    /* node-ms lost if preempted now */
  uint32_t gain;  /* nodes it frees (those that are up) */
} SchedVictim;

static int
sched_victim_cmp (const void *a, const void *b)
{
  const SchedVictim *x = a, *y = b;
  if (x->lost != y->lost)
    return x->lost < y->lost ? -1 : 1;
  if (x->r->j.priority != y->r->j.priority)
    return x->r->j.priority < y->r->j.priority ? -1 : 1;
  return (x->r->j.id > y->r->j.id) - (x->r->j.id < y->r->j.id);
}

/* Preempts the cheapest set of lower-priority preemptible running jobs that
 * makes room for head h, then starts h. False (nothing changed) if even all
 * of them would not make room. */
static bool
sched_try_preempt (Sched *s, SchedJobRec *h, SchedTimeMs now, GArray *out)
{
  uint32_t avail = sched_avail_for (s, h);
  g_assert (avail < sched_need (h));
  uint32_t need = sched_need (h) - avail;
  SchedVictim *v = g_new (SchedVictim, s->running->len + 1);
  uint32_t nv = 0;
  uint64_t total = 0;
  for (guint i = 0; i < s->running->len; i++)
    {
      SchedJobRec *r = g_ptr_array_index (s->running, i);
      if (!r->j.preemptible || r->j.priority >= h->j.priority)
        continue;
      uint32_t gain = sched_up_nodes (s, r);
      if (gain == 0)
        continue;
      v[nv++] = (SchedVictim) { r, (double) r->n_alloc * (double) MAX (now - r->start, 0), gain };
      total += gain;
    }
  if (total < need)
    {
      g_free (v);
      return false;
    }
  qsort (v, nv, sizeof *v, sched_victim_cmp);
  /* The cheapest prefix that covers the need, then drop the costliest
   * members that turn out to be unnecessary. */
  uint32_t take = 0;
  uint64_t got = 0;
  while (got < need)
    got += v[take++].gain;
  bool *keep = g_new (bool, take);
  for (uint32_t i = 0; i < take; i++)
    keep[i] = true;
  for (uint32_t i = take; i-- > 0;)
    if (got - v[i].gain >= need)
      {
        keep[i] = false;
        got -= v[i].gain;
      }
  for (uint32_t i = 0; i < take; i++)
    {
      if (!keep[i])
        continue;
      SchedJobRec *r = v[i].r;
      uint32_t held = r->n_alloc;
      sched_release (s, r);
      r->requeued = true;
      r->restart = false;
      r->skip_pass = s->pass;
      sched_queue_insert (s, r);
      SchedDecision d = { SCHED_DECISION_PREEMPT, r->j.id, held, r->nodes, 0 };
      g_array_append_val (out, d);
    }
  g_free (keep);
  g_free (v);
  bool ok = sched_try_start (s, h, now, out);
  g_assert (ok);
  return ok;
}

/* ---- EASY reservation ---- */

typedef struct
{
  SchedTimeMs end;
  uint32_t id, gain;
} SchedEnd;

static int
sched_end_cmp (const void *a, const void *b)
{
  const SchedEnd *x = a, *y = b;
  if (x->end != y->end)
    return x->end < y->end ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

static SchedTimeMs
sched_est_end (const SchedJobRec *r, SchedTimeMs now)
{
  if (r->j.est_runtime <= 0)
    return SCHED_TIME_NEVER;
  SchedTimeMs e = r->start + r->j.est_runtime;
  return e < now ? now : e; /* overran its estimate: may end any moment */
}

/* The head job's reservation: the earliest (estimated) time enough nodes
 * are free, and how many nodes beyond its need will be free then. */
static void
sched_reserve (Sched *s, const SchedJobRec *h, SchedTimeMs now,
               SchedTimeMs *shadow, int64_t *extra)
{
  uint64_t avail = sched_avail_for (s, h);
  SchedEnd *e = g_new (SchedEnd, s->running->len + 1);
  guint ne = 0;
  for (guint i = 0; i < s->running->len; i++)
    {
      SchedJobRec *r = g_ptr_array_index (s->running, i);
      e[ne++] = (SchedEnd) { sched_est_end (r, now), r->j.id,
                             sched_up_nodes (s, r) };
    }
  qsort (e, ne, sizeof *e, sched_end_cmp);
  *shadow = SCHED_TIME_NEVER;
  *extra = s->gen.total; /* never satisfiable until repairs: no guarantee
                            to protect */
  for (guint i = 0; i < ne; i++)
    {
      avail += e[i].gain;
      if (avail >= sched_need (h))
        {
          *shadow = e[i].end;
          *extra = (int64_t) avail - sched_need (h);
          break;
        }
    }
  g_free (e);
}

/* ---- the pass ---- */

void
sched_schedule (Sched *s, SchedTimeMs now, GArray *decisions_out)
{
  g_return_if_fail (s != NULL && decisions_out != NULL);
  g_return_if_fail (g_array_get_element_size (decisions_out)
                    == sizeof (SchedDecision));
  s->pass++;
  bool blocked = false;
  SchedTimeMs shadow = SCHED_TIME_NEVER;
  int64_t extra = 0;
  guint i = 0;
  while (i < s->queue->len)
    {
      SchedJobRec *r = g_ptr_array_index (s->queue, i);
      if (r->skip_pass == s->pass)
        {
          i++;
          continue;
        }
      if (!blocked)
        {
          if (sched_try_start (s, r, now, decisions_out))
            continue; /* removed from index i */
          if (s->cfg.queue == SCHED_QUEUE_PRIORITY && s->cfg.preempt
              && sched_try_preempt (s, r, now, decisions_out))
            continue; /* victims sort after r: r was at index i */
          blocked = true;
          if (!s->cfg.backfill)
            break;
          sched_reserve (s, r, now, &shadow, &extra);
          i++;
          continue;
        }
      /* Backfill behind the blocked head. */
      uint32_t need = sched_need (r);
      if (sched_avail_for (s, r) < need)
        {
          i++;
          continue;
        }
      SchedTimeMs end = r->j.est_runtime > 0 ? now + r->j.est_runtime
                                             : SCHED_TIME_NEVER;
      bool before = end != SCHED_TIME_NEVER && end <= shadow;
      if (!before && (int64_t) need > extra)
        {
          i++;
          continue;
        }
      if (sched_try_start (s, r, now, decisions_out))
        {
          if (!before)
            extra -= need;
          continue;
        }
      i++;
    }
  /* Kept nodes of a restart not made in this pass go back to the pool. */
  while (s->keeping->len > 0)
    sched_unkeep (s, g_ptr_array_index (s->keeping, s->keeping->len - 1));
  sched_spares_top_up (s);
}

/* ---- job events ---- */

void
sched_job_finished (Sched *s, uint32_t id)
{
  g_return_if_fail (s != NULL);
  SchedJobRec *r = sched_lookup (s, id);
  g_return_if_fail (r != NULL);
  if (r->state == SCHED_JOB_RUNNING)
    sched_release (s, r);
  else
    {
      if (r->n_kept > 0)
        sched_unkeep (s, r);
      sched_queue_remove (s, r);
    }
  g_hash_table_remove (s->jobs, GUINT_TO_POINTER (id));
}

void
sched_job_interrupted (Sched *s, uint32_t id)
{
  g_return_if_fail (s != NULL);
  SchedJobRec *r = sched_lookup (s, id);
  g_return_if_fail (r != NULL && r->state == SCHED_JOB_RUNNING);
  r->requeued = true;
  r->restart = true;
  if (r->j.standbys > 0)
    {
      /* A job with warm standbys swaps in place through sched_job_swap;
       * one that is requeued all the same starts afresh with new ones. */
      sched_release (s, r);
      sched_queue_insert (s, r);
      return;
    }
  /* The one-node swap: the job keeps holding its nodes until the next
   * pass, which restarts it on those still up plus replacements for the
   * others (sched_try_swap), or releases them if it cannot. */
  uint32_t held = r->n_alloc;
  guint idx = r->run_index;
  g_assert (g_ptr_array_index (s->running, idx) == r);
  g_ptr_array_remove_index_fast (s->running, idx);
  if (idx < s->running->len)
    ((SchedJobRec *) g_ptr_array_index (s->running, idx))->run_index = idx;
  r->n_alloc = 0;
  r->n_kept = held;
  g_ptr_array_add (s->keeping, r);
  sched_queue_insert (s, r);
}

/* ---- queries ---- */

const uint32_t *
sched_job_nodes (Sched *s, uint32_t id, uint32_t *n)
{
  g_return_val_if_fail (s != NULL, NULL);
  SchedJobRec *r = sched_lookup (s, id);
  if (r == NULL || r->state != SCHED_JOB_RUNNING)
    {
      if (n != NULL)
        *n = 0;
      return NULL;
    }
  if (n != NULL)
    *n = r->n_alloc;
  return r->nodes;
}

const uint32_t *
sched_job_standbys (Sched *s, uint32_t id, uint32_t *n)
{
  g_return_val_if_fail (s != NULL, NULL);
  SchedJobRec *r = sched_lookup (s, id);
  bool any = r != NULL && r->state == SCHED_JOB_RUNNING && r->n_standby > 0;
  if (n != NULL)
    *n = any ? r->n_standby : 0;
  return any ? r->standby : NULL;
}

SchedJobState
sched_job_state (Sched *s, uint32_t id)
{
  g_return_val_if_fail (s != NULL, SCHED_JOB_UNKNOWN);
  SchedJobRec *r = sched_lookup (s, id);
  return r != NULL ? r->state : SCHED_JOB_UNKNOWN;
}

uint32_t
sched_spares_free (Sched *s)
{
  g_return_val_if_fail (s != NULL, 0);
  return s->spr.total;
}

uint32_t
sched_queue_length (Sched *s)
{
  g_return_val_if_fail (s != NULL, 0);
  return s->queue->len;
}

uint32_t
sched_running_count (Sched *s)
{
  g_return_val_if_fail (s != NULL, 0);
  return s->running->len;
}

uint32_t
sched_free_nodes (Sched *s)
{
  g_return_val_if_fail (s != NULL, 0);
  return s->gen.total;
}

uint32_t
sched_node_count (Sched *s)
{
  g_return_val_if_fail (s != NULL, 0);
  return s->n_nodes;
}

bool
sched_node_is_spare (Sched *s, uint32_t node)
{
  g_return_val_if_fail (s != NULL && node < s->n_nodes, false);
  return s->spare[node];
}
