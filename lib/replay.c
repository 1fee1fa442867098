/* lib/replay.c - `faultline replay`: see replay.h.
 *
 * Three parts: the fabric map (ibnetdiscover text -> (LID, port) -> link,
 * with the link names a run uses), the lanes (one health policy each, fed
 * in time order, its timers run in between), and the outputs. */
#include "replay.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "atomicfile.h"
#include "faultline.h"
#include "health.h"
#include "ibnet.h"
#include "ibpcap.h"
#include "infile.h"
#include "runtime.h"
#include "topo.h"
#include "world.h"


/* ---- the fabric map ---- */

typedef struct
{
  char *name;
  uint32_t node; /* HEALTH_NO_NODE for a switch-switch link */
  int32_t rail;
} FLink;

typedef struct
{
  GPtrArray *links;      /* FLink* */
  GPtrArray *nodes;      /* char* node names */
  GHashTable *ends;      /* (lid << 8 | port) -> link + 1 */
  GHashTable *lids;      /* switch LIDs */
} FabricMap;

static void
flink_free (gpointer p)
{
  FLink *l = p;
  g_free (l->name);
  g_free (l);
}

static void
fabric_map_free (FabricMap *m)
{
  if (m == NULL)
    return;
  g_ptr_array_unref (m->links);
  g_ptr_array_unref (m->nodes);
  g_hash_table_unref (m->ends);
  g_hash_table_unref (m->lids);
  g_free (m);
}

static const char *
rec_name (const IbnetRec *r)
{
  return r->desc != NULL && r->desc[0] != '\0' ? r->desc : r->id;
}

/* Parses ibnetdiscover text (models/ibnet.h reads and checks it) into a
 * map. NAME is for messages. */
static FabricMap *
fabric_map_parse (const char *data, size_t len, const char *name,
                  GError **error)
{
  g_autoptr (GError) e = NULL;
  g_autoptr (IbnetDump) d = ibnet_dump_parse (data, len, name, &e);
  if (d == NULL)
    {
      g_set_error_literal (error, FL_ERROR, FL_ERROR_INPUT, e->message);
      return NULL;
    }
  GPtrArray *recs = d->recs;
  FabricMap *m = g_new0 (FabricMap, 1);
  m->links = g_ptr_array_new_with_free_func (flink_free);
  m->nodes = g_ptr_array_new_with_free_func (g_free);
  m->ends = g_hash_table_new (g_direct_hash, g_direct_equal);
  m->lids = g_hash_table_new (g_direct_hash, g_direct_equal);
  /* HCAs: node = the first word of the description, rail = its "HCA-N" /
   * "mlx5_N", else the node's next NIC */
  g_autofree uint32_t *node_of = g_new0 (uint32_t, recs->len + 1);
  g_autofree uint32_t *rail_of = g_new0 (uint32_t, recs->len + 1);
  g_autoptr (GHashTable) node_ix = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) node_nics = g_hash_table_new (g_direct_hash, g_direct_equal);
  for (guint i = 0; i < recs->len; i++)
    {
      const IbnetRec *r = g_ptr_array_index (recs, i);
      if (r->is_switch)
        {
          if (r->lid != 0)
            g_hash_table_add (m->lids, GUINT_TO_POINTER (r->lid));
          continue;
        }
      const char *dsc = rec_name (r);
      g_autofree char *word = g_strndup (dsc, strcspn (dsc, " "));
      gpointer v = g_hash_table_lookup (node_ix, word);
      if (v == NULL)
        {
          char *nm = g_strdup (word);
          g_ptr_array_add (m->nodes, nm);
          v = GUINT_TO_POINTER (m->nodes->len);
          g_hash_table_insert (node_ix, nm, v);
        }
      node_of[i] = GPOINTER_TO_UINT (v) - 1;
      guint nth = GPOINTER_TO_UINT (g_hash_table_lookup (node_nics, v));
      g_hash_table_insert (node_nics, v, GUINT_TO_POINTER (nth + 1));
      const char *sp = strchr (dsc, ' ');
      g_autofree char *second = sp ? g_strndup (sp + 1, strcspn (sp + 1, " ")) : NULL;
      rail_of[i] = second ? ibnet_desc_rail (second) : TOPO_NONE;
      if (rail_of[i] == TOPO_NONE)
        rail_of[i] = nth;
    }
  /* links, each once (a dump lists most from both ends), oriented lower
   * tier first as a run names them */
  for (guint i = 0; i < d->conns->len; i++)
    {
      const IbnetConn *c = &g_array_index (d->conns, IbnetConn, i);
      if (c->again)
        continue; /* listed from both ends */
      uint32_t ai = c->rec, bi = c->peer;
      uint32_t ap = c->port, bp = c->peer_port;
      const IbnetRec *a = g_ptr_array_index (recs, ai), *b = g_ptr_array_index (recs, bi);
      if (a->tier > b->tier || (a->tier == b->tier && ai > bi))
        {
          const IbnetRec *t = a; a = b; b = t;
          uint32_t tp = ap; ap = bp; bp = tp;
          uint32_t ti = ai; ai = bi; bi = ti;
        }
      FLink *l = g_new0 (FLink, 1);
      if (a->tier == -1)
        {
          l->node = node_of[ai];
          l->rail = (int32_t) rail_of[ai];
          l->name = g_strdup_printf ("%s/nic%u<->%s:p%u",
                                     (char *) g_ptr_array_index (m->nodes, node_of[ai]),
                                     rail_of[ai], rec_name (b), bp);
        }
      else
        {
          l->node = HEALTH_NO_NODE;
          l->rail = HEALTH_NO_PORT;
          l->name = g_strdup_printf ("%s:p%u<->%s:p%u", rec_name (a), ap,
                                     rec_name (b), bp);
        }
      g_ptr_array_add (m->links, l);
      gpointer li = GUINT_TO_POINTER (m->links->len);
      /* a capture addresses ports 1..255 of LIDs 1..0xFFFF */
      if (a->is_switch && a->lid != 0 && ap <= 255)
        g_hash_table_insert (m->ends, GUINT_TO_POINTER (a->lid << 8 | ap), li);
      if (b->is_switch && b->lid != 0 && bp <= 255)
        g_hash_table_insert (m->ends, GUINT_TO_POINTER (b->lid << 8 | bp), li);
    }
  if (m->links->len == 0)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s: no links: not an "
                   "ibnetdiscover dump", name);
      fabric_map_free (m);
      return NULL;
    }
  return m;
}

static FabricMap *
fabric_map_file (const char *path, GError **error)
{
  /* infile_read: opened once, checked and read through that descriptor */
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr (GError) e = NULL;
  if (!infile_read (path, "ibnetdiscover dump (a text file)",
                    INFILE_MAX_IBNET, &data, &len, &e))
    {
      g_set_error_literal (error, FL_ERROR, FL_ERROR_INPUT, e->message);
      return NULL;
    }
  return fabric_map_parse (data, len, path, error);
}

/* The fabric of a scenario, through the same ibnetdiscover text `faultline
 * topo SCENARIO --format ibnetdiscover` prints. */
static FabricMap *
fabric_map_topo (const Topo *topo, const char *name, GError **error)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  if (f == NULL)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INTERNAL, "open_memstream: %s",
                   g_strerror (errno));
      return NULL;
    }
  g_autoptr (GError) e = NULL;
  gboolean ok = ibnet_write (topo, f, &e);
  fclose (f);
  FabricMap *m = NULL;
  if (!ok)
    g_set_error (error, FL_ERROR, FL_ERROR_INTERNAL, "%s", e->message);
  else
    m = fabric_map_parse (buf, len, name, error);
  free (buf);
  return m;
}

/* ---- lanes: one policy each ---- */

typedef struct
{
  char *name;
  HealthParams params;
  HealthPolicy *policy;
  GArray *acts;       /* HealthAction scratch */
  GArray *decisions;  /* FlReplayDecision */
  uint8_t *ticket;    /* per link: a ticket is open */
} Lane;

struct FlReplay
{
  FlReplayCounts counts;
  FabricMap *map;
  Lane lanes[2];
  int n_lanes;
};

static void
lane_clear (Lane *l)
{
  if (l->policy != NULL)
    health_policy_free (l->policy);
  if (l->acts != NULL)
    g_array_unref (l->acts);
  if (l->decisions != NULL)
    g_array_unref (l->decisions);
  g_free (l->ticket);
  g_free (l->name);
}

static const char *
component_of (const FlReplay *r, const HealthAction *a)
{
  if (a->link != HEALTH_NO_LINK && a->link < r->map->links->len)
    return ((FLink *) g_ptr_array_index (r->map->links, a->link))->name;
  if (a->node != HEALTH_NO_NODE && a->node < r->map->nodes->len)
    return g_ptr_array_index (r->map->nodes, a->node);
  return "";
}

/* Records the actions in l->acts as decisions. */
static void
lane_take (FlReplay *r, Lane *l)
{
  for (guint i = 0; i < l->acts->len; i++)
    {
      HealthAction *a = &g_array_index (l->acts, HealthAction, i);
      FlReplayDecision d = { (double) a->time / 1e3, l->name,
                             health_action_name (a->kind),
                             component_of (r, a),
                             a->reason ? a->reason : "" };
      g_array_append_val (l->decisions, d);
      if (a->kind == HEALTH_ACTION_OPEN_TICKET && a->link != HEALTH_NO_LINK
          && a->link < r->map->links->len)
        l->ticket[a->link] = 1;
    }
  g_array_set_size (l->acts, 0);
}

/* Runs the policy's timers due at or before NOW. */
static void
lane_advance (FlReplay *r, Lane *l, HealthTimeMs now)
{
  HealthTimeMs t;
  while ((t = health_policy_next_wakeup (l->policy)) != HEALTH_TIME_NEVER
         && t <= now)
    {
      health_policy_wakeup (l->policy, t, l->acts);
      lane_take (r, l);
    }
}

static void
lane_observe (FlReplay *r, Lane *l, const HealthObs *o)
{
  health_policy_observe (l->policy, o, l->acts);
  lane_take (r, l);
}

/* A link changed state at NOW: what the simulator tells the policy. */
static void
lane_link_change (FlReplay *r, Lane *l, uint32_t link, bool up,
                  HealthTimeMs now)
{
  FLink *fl = g_ptr_array_index (r->map->links, link);
  HealthObs o;
  if (!up)
    {
      health_obs_init (&o, HEALTH_OBS_IB_PORT_STATE, now);
      o.link = link;
      o.node = fl->node;
      o.port = fl->rail;
      o.counter_value = HEALTH_IB_PORT_DOWN;
      lane_observe (r, l, &o);
      health_obs_init (&o, HEALTH_OBS_IB_TRAP, now);
      o.link = link;
      o.node = fl->node;
      o.port = fl->rail;
      o.counter_value = 128;
      lane_observe (r, l, &o);
      return;
    }
  if (l->ticket[link])
    {
      /* the technician's work, seen as the port coming back */
      l->ticket[link] = 0;
      health_obs_init (&o, HEALTH_OBS_REPAIR_DONE, now);
      o.link = link;
      o.ok = true;
      lane_observe (r, l, &o);
      return;
    }
  health_obs_init (&o, HEALTH_OBS_IB_PORT_STATE, now);
  o.link = link;
  o.node = fl->node;
  o.port = fl->rail;
  o.counter_value = HEALTH_IB_PORT_ACTIVE;
  lane_observe (r, l, &o);
}

static bool
lane_init (Lane *l, const char *name, const HealthParams *hp,
           const HealthPolicyClass *cls, const FabricMap *m, GError **error)
{
  l->name = g_strdup (name);
  l->params = *hp;
  GError *e = NULL;
  l->policy = health_policy_new (cls, &l->params, m->nodes->len,
                                 m->links->len, &e);
  if (l->policy == NULL)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "health policy %s: %s",
                   name, e->message);
      g_error_free (e);
      return false;
    }
  l->acts = g_array_new (FALSE, FALSE, sizeof (HealthAction));
  l->decisions = g_array_new (FALSE, FALSE, sizeof (FlReplayDecision));
  l->ticket = g_new0 (uint8_t, MAX (m->links->len, 1));
  return true;
}

/* ---- the replay ---- */

void
fl_replay_free (FlReplay *r)
{
  if (r == NULL)
    return;
  for (int i = 0; i < 2; i++)
    lane_clear (&r->lanes[i]);
  fabric_map_free (r->map);
  g_free (r);
}

static void
input_error (GError **error, GError *src)
{
  g_set_error_literal (error, FL_ERROR, FL_ERROR_INPUT, src->message);
  g_error_free (src);
}

FlReplay *
fl_replay_run (const FlReplayOptions *opt, GError **error)
{
  g_return_val_if_fail (opt != NULL && opt->capture != NULL, NULL);
  if (opt->fabric == NULL && opt->scenario == NULL)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "no fabric: give "
                   "--fabric IBNET (an ibnetdiscover dump) or --scenario S");
      return NULL;
    }
  g_autoptr (FlReplay) r = g_new0 (FlReplay, 1);
  GError *e = NULL;

  /* the scenario: its policy, run length and (without --fabric) fabric */
  HealthParams hp, hp2;
  const HealthPolicyClass *cls = NULL, *cls2 = NULL;
  double run_length = -1;
  LbRun *lb = NULL;
  if (opt->scenario != NULL)
    {
      g_autoptr (GPtrArray) sets = g_ptr_array_new ();
      for (size_t i = 0; opt->sets != NULL && opt->sets[i] != NULL; i++)
        g_ptr_array_add (sets, (gpointer) opt->sets[i]);
      g_autofree char *lua_dir = g_build_filename (fl_data_dir (), "lua",
                                                   NULL);
      LbOptions lo = { .seed = 1, .sets = sets, .lib_dir = lua_dir };
      lb = lb_load (opt->scenario, &lo, &e);
      if (lb == NULL)
        {
          input_error (error, e);
          return NULL;
        }
      WorldConfig *cfg = lb_config (lb);
      cls = world_config_health_policy (cfg, opt->policy, &hp, &e);
      g_autofree char *len_json = world_config_get_json (cfg, "run.length");
      run_length = len_json ? g_ascii_strtod (len_json, NULL) : -1;
      if (cls != NULL && opt->fabric == NULL)
        {
          Topo *topo = world_config_build_topology (cfg, &e);
          if (topo != NULL)
            {
              r->map = fabric_map_topo (topo, opt->scenario, error);
              topo_free (topo);
              if (r->map == NULL)
                {
                  lb_free (lb);
                  return NULL;
                }
            }
        }
      if (cls != NULL && r->map == NULL && opt->fabric == NULL)
        cls = NULL; /* e set by the topology */
      if (cls == NULL)
        {
          g_autofree char *msg = g_strdup_printf ("%s: %s", opt->scenario, e->message);
          g_clear_error (&e);
          g_set_error_literal (error, FL_ERROR, FL_ERROR_INPUT, msg);
          lb_free (lb);
          return NULL;
        }
      /* the second policy takes the same health.* keys */
      if (opt->compare_policy != NULL)
        {
          cls2 = world_config_health_policy (cfg, opt->compare_policy, &hp2, &e);
          if (cls2 == NULL)
            {
              lb_free (lb);
              g_autofree char *msg = g_strdup_printf ("--compare-policy: %s", e->message);
              g_clear_error (&e);
              g_set_error_literal (error, FL_ERROR, FL_ERROR_INPUT, msg);
              return NULL;
            }
        }
      lb_free (lb);
    }
  else
    {
      const char *name = opt->policy ? opt->policy : "standard";
      cls = health_policy_class_lookup (name);
      if (cls == NULL)
        {
          g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "unknown health policy "
                       "'%s' (%s)", name, health_policy_class_names ());
          return NULL;
        }
      health_params_default (&hp, name);
      if (opt->compare_policy != NULL)
        {
          cls2 = health_policy_class_lookup (opt->compare_policy);
          if (cls2 == NULL)
            {
              g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "--compare-policy: "
                           "unknown health policy '%s' (%s)", opt->compare_policy,
                           health_policy_class_names ());
              return NULL;
            }
          health_params_default (&hp2, opt->compare_policy);
        }
    }
  if (opt->fabric != NULL)
    {
      r->map = fabric_map_file (opt->fabric, error);
      if (r->map == NULL)
        return NULL;
    }

  /* the policies */
  if (!lane_init (&r->lanes[0], cls->name, &hp, cls, r->map, error))
    return NULL;
  r->n_lanes = 1;
  if (cls2 != NULL)
    {
      if (!lane_init (&r->lanes[1], cls2->name, &hp2, cls2, r->map, error))
        return NULL;
      r->n_lanes = 2;
    }

  /* the capture */
  IbPcapReadStats st;
  g_autoptr (GArray) recs = ibpcap_read_file (opt->capture, &st, &e);
  if (recs == NULL)
    {
      input_error (error, e);
      return NULL;
    }
  FlReplayCounts *c = &r->counts;
  c->records = st.records;
  c->wrong_type = st.wrong_type;
  c->corrupt = st.corrupt;
  c->other = st.other;
  c->directed = st.directed;
  c->truncated = st.truncated;
  c->links = r->map->links->len;
  c->nodes = r->map->nodes->len;
  c->first_s = c->last_s = NAN;
  g_autofree uint8_t *down = g_new0 (uint8_t, MAX (r->map->links->len, 1));
  HealthTimeMs now = 0;
  for (guint i = 0; i < recs->len; i++)
    {
      const IbPcapRec *rec = &g_array_index (recs, IbPcapRec, i);
      if (rec->kind == IBPCAP_REC_TRAP)
        c->traps++;
      else
        c->portinfo++;
      uint32_t link = UINT32_MAX;
      bool portful = rec->kind == IBPCAP_REC_PORTINFO
                     || (rec->trap_number >= 129 && rec->trap_number <= 131);
      if (!g_hash_table_contains (r->map->lids, GUINT_TO_POINTER ((guint) rec->lid)))
        {
          c->unknown_lid++;
          continue;
        }
      if (!portful)
        continue; /* trap 128 names the switch only: the PortInfo says which port */
      gpointer v = g_hash_table_lookup (r->map->ends, GUINT_TO_POINTER ((guint) rec->lid << 8 | rec->port));
      if (v == NULL)
        {
          c->unknown_port++;
          continue;
        }
      link = GPOINTER_TO_UINT (v) - 1;
      int64_t us = llround (rec->time_s * 1e6);
      HealthTimeMs t = (HealthTimeMs) (us / 1000);
      if (t < now)
        {
          c->out_of_order++;
          t = now;
        }
      now = t;
      if (isnan (c->first_s))
        c->first_s = rec->time_s;
      c->last_s = rec->time_s;
      for (int k = 0; k < r->n_lanes; k++)
        lane_advance (r, &r->lanes[k], now);
      if (rec->kind == IBPCAP_REC_TRAP)
        {
          c->trap_obs++;
          for (int k = 0; k < r->n_lanes; k++)
            {
              HealthObs o;
              FLink *fl = g_ptr_array_index (r->map->links, link);
              health_obs_init (&o, HEALTH_OBS_IB_TRAP, now);
              o.link = link;
              o.node = fl->node;
              o.port = fl->rail;
              o.counter_value = rec->trap_number;
              lane_observe (r, &r->lanes[k], &o);
            }
          continue;
        }
      bool up = rec->state == IBPCAP_PORT_ACTIVE;
      if (up == !down[link])
        {
          c->repeated++;
          continue;
        }
      down[link] = !up;
      c->changes++;
      for (int k = 0; k < r->n_lanes; k++)
        lane_link_change (r, &r->lanes[k], link, up, now);
    }
  if (c->changes + c->trap_obs == 0)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                   "%s: nothing usable: %" G_GUINT64_FORMAT " records, %"
                   G_GUINT64_FORMAT " traps, %" G_GUINT64_FORMAT " PortInfo, %"
                   G_GUINT64_FORMAT " from LIDs the fabric does not have, %"
                   G_GUINT64_FORMAT " from ports with no link, %"
                   G_GUINT64_FORMAT " not InfiniBand, %" G_GUINT64_FORMAT
                   " corrupt, %" G_GUINT64_FORMAT " other packets%s",
                   opt->capture, c->records, c->traps, c->portinfo,
                   c->unknown_lid, c->unknown_port, c->wrong_type, c->corrupt,
                   c->other, c->truncated ? ", truncated" : "");
      return NULL;
    }
  double until = opt->until_s >= 0 ? opt->until_s
                 : run_length > 0 ? run_length : c->last_s;
  c->until_s = MAX (until, c->last_s);
  HealthTimeMs end = (HealthTimeMs) (llround (c->until_s * 1e6) / 1000);
  for (int k = 0; k < r->n_lanes; k++)
    lane_advance (r, &r->lanes[k], end);
  return g_steal_pointer (&r);
}

const FlReplayCounts *
fl_replay_counts (const FlReplay *r)
{
  return &r->counts;
}

const char *
fl_replay_policy (const FlReplay *r, int which)
{
  return which < r->n_lanes ? r->lanes[which].name : NULL;
}

const GArray *
fl_replay_decisions (const FlReplay *r, int which)
{
  g_return_val_if_fail (which >= 0 && which < r->n_lanes, NULL);
  return r->lanes[which].decisions;
}

/* ---- outputs ---- */

static bool
same_decision (const FlReplayDecision *a, const FlReplayDecision *b)
{
  return a->time_s == b->time_s && strcmp (a->action, b->action) == 0
         && strcmp (a->component, b->component) == 0;
}

static void
append_decision (GString *s, const char *mark, const FlReplayDecision *d)
{
  g_string_append_printf (s, "%s%14.3f  %-14s %-44s %s\n", mark, d->time_s,
                          d->action, d->component, d->reason);
}

char *
fl_replay_format (const FlReplay *r)
{
  const FlReplayCounts *c = &r->counts;
  GString *s = g_string_new (NULL);
  g_string_append_printf (s, "capture: %" G_GUINT64_FORMAT " records, %"
                          G_GUINT64_FORMAT " traps, %" G_GUINT64_FORMAT
                          " PortInfo responses%s\n", c->records, c->traps,
                          c->portinfo, c->truncated ? " (truncated)" : "");
  g_string_append_printf (s, "fabric: %u links, %u nodes\n", c->links, c->nodes);
  g_string_append_printf (s, "fed to the policy: %" G_GUINT64_FORMAT
                          " link state changes, %" G_GUINT64_FORMAT
                          " link traps (129-131), from %.3f s to %.3f s; "
                          "timers run until %.3f s\n", c->changes, c->trap_obs,
                          isnan (c->first_s) ? 0.0 : c->first_s,
                          isnan (c->last_s) ? 0.0 : c->last_s, c->until_s);
  g_string_append_printf (s, "not used: %" G_GUINT64_FORMAT " repeated states, %"
                          G_GUINT64_FORMAT " unknown LIDs, %" G_GUINT64_FORMAT
                          " unknown ports, %" G_GUINT64_FORMAT
                          " not InfiniBand, %" G_GUINT64_FORMAT " corrupt, %"
                          G_GUINT64_FORMAT " other packets, %" G_GUINT64_FORMAT
                          " directed-route, %" G_GUINT64_FORMAT
                          " out of order (fed late)\n", c->repeated,
                          c->unknown_lid, c->unknown_port, c->wrong_type,
                          c->corrupt, c->other, c->directed, c->out_of_order);
  if (r->n_lanes == 1)
    {
      const GArray *d = r->lanes[0].decisions;
      g_string_append_printf (s, "\n%s policy: %u decisions\n", r->lanes[0].name, d->len);
      for (guint i = 0; i < d->len; i++)
        append_decision (s, "  ", &g_array_index (d, FlReplayDecision, i));
      return g_string_free (s, FALSE);
    }
  /* two policies: a merge of the two lists, marking what only one did */
  const GArray *a = r->lanes[0].decisions, *b = r->lanes[1].decisions;
  g_string_append_printf (s, "\n%s policy: %u decisions; %s policy: %u "
                          "decisions\n'-' only %s, '+' only %s, ' ' both\n",
                          r->lanes[0].name, a->len, r->lanes[1].name, b->len,
                          r->lanes[0].name, r->lanes[1].name);
  guint i = 0, j = 0;
  while (i < a->len || j < b->len)
    {
      const FlReplayDecision *x = i < a->len ? &g_array_index (a, FlReplayDecision, i) : NULL;
      const FlReplayDecision *y = j < b->len ? &g_array_index (b, FlReplayDecision, j) : NULL;
      if (x && y && same_decision (x, y))
        {
          append_decision (s, "  ", x);
          i++, j++;
        }
      else if (x && (!y || x->time_s <= y->time_s))
        {
          append_decision (s, "- ", x);
          i++;
        }
      else
        {
          append_decision (s, "+ ", y);
          j++;
        }
    }
  return g_string_free (s, FALSE);
}

static char *
csv_field (const char *s)
{
  if (strpbrk (s, ",\"\n\r") == NULL)
    return g_strdup (s);
  GString *o = g_string_new ("\"");
  for (const char *p = s; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (o, '"');
      g_string_append_c (o, *p);
    }
  g_string_append_c (o, '"');
  return g_string_free (o, FALSE);
}

bool
fl_replay_write (const FlReplay *r, const char *dir, GError **error)
{
  GError *e = NULL;
  AtomicDir *ad = atomicfile_dir_begin (dir, &e);
  if (ad == NULL)
    {
      input_error (error, e);
      return false;
    }
  const char *st = atomicfile_dir_staging (ad);
  GString *csv = g_string_new ("policy,time_s,action,component,reason\n");
  for (int k = 0; k < r->n_lanes; k++)
    {
      const GArray *d = r->lanes[k].decisions;
      for (guint i = 0; i < d->len; i++)
        {
          const FlReplayDecision *x = &g_array_index (d, FlReplayDecision, i);
          g_autofree char *comp = csv_field (x->component);
          g_autofree char *reason = csv_field (x->reason);
          g_string_append_printf (csv, "%s,%.3f,%s,%s,%s\n", x->policy,
                                  x->time_s, x->action, comp, reason);
        }
    }
  g_autofree char *csv_path = g_build_filename (st, "decisions.csv", NULL);
  bool ok = atomicfile_write (csv_path, csv->str, csv->len, &e);
  g_string_free (csv, TRUE);

  g_autoptr (JsonBuilder) b = json_builder_new ();
  const FlReplayCounts *c = &r->counts;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "counts");
  json_builder_begin_object (b);
#define NUM(k, v) do { json_builder_set_member_name (b, k); json_builder_add_int_value (b, (gint64) (v)); } while (0)
  NUM ("records", c->records);
  NUM ("traps", c->traps);
  NUM ("portinfo", c->portinfo);
  NUM ("changes", c->changes);
  NUM ("trap_observations", c->trap_obs);
  NUM ("repeated", c->repeated);
  NUM ("unknown_lid", c->unknown_lid);
  NUM ("unknown_port", c->unknown_port);
  NUM ("not_infiniband", c->wrong_type);
  NUM ("corrupt", c->corrupt);
  NUM ("other", c->other);
  NUM ("directed_route", c->directed);
  NUM ("out_of_order", c->out_of_order);
  NUM ("links", c->links);
  NUM ("nodes", c->nodes);
#undef NUM
  json_builder_set_member_name (b, "truncated");
  json_builder_add_boolean_value (b, c->truncated);
  json_builder_set_member_name (b, "until_s");
  json_builder_add_double_value (b, c->until_s);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "policies");
  json_builder_begin_array (b);
  for (int k = 0; k < r->n_lanes; k++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, r->lanes[k].name);
      json_builder_set_member_name (b, "decisions");
      json_builder_begin_object (b);
      const GArray *d = r->lanes[k].decisions;
      g_autoptr (GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr (GPtrArray) order = g_ptr_array_new ();
      for (guint i = 0; i < d->len; i++)
        {
          const char *a = g_array_index (d, FlReplayDecision, i).action;
          gpointer v = g_hash_table_lookup (counts, a);
          if (v == NULL)
            g_ptr_array_add (order, (gpointer) a);
          g_hash_table_insert (counts, (gpointer) a, GUINT_TO_POINTER (GPOINTER_TO_UINT (v) + 1));
        }
      for (guint i = 0; i < order->len; i++)
        {
          json_builder_set_member_name (b, g_ptr_array_index (order, i));
          json_builder_add_int_value (b, GPOINTER_TO_UINT (g_hash_table_lookup (counts, g_ptr_array_index (order, i))));
        }
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  gsize jl;
  g_autofree char *json = json_generator_to_data (gen, &jl);
  g_autofree char *json_path = g_build_filename (st, "replay.json", NULL);
  if (ok)
    ok = atomicfile_write (json_path, json, jl, &e);
  if (ok)
    ok = atomicfile_dir_commit (ad, &e);
  else
    atomicfile_dir_abort (ad);
  if (!ok)
    input_error (error, e);
  return ok;
}
