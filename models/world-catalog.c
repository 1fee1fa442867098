/* models/world-catalog.c - the failure catalogue a configuration
 * describes: failures.source, failures.scale and the scenario's
 * failure_mode() overrides applied to it, plus a disabled "scripted_<class>"
 * mode for every class that has none (so a script can fail() anything).
 * The automated repair paths take the times of the cluster.*_time keys.
 * Runs before the world exists (world_config_check_failure_modes). */
#include "world-int.h"

#include <math.h>
#include <string.h>

#include "dist.h"

/* failure_mode()'s "dist" names; apply_failure_overrides maps them by
 * index. */
enum { MODE_DIST_EXPONENTIAL, MODE_DIST_WEIBULL, MODE_DIST_LOGNORMAL };
static const char *const mode_dists[] = {
  [MODE_DIST_EXPONENTIAL] = "exponential", [MODE_DIST_WEIBULL] = "weibull",
  [MODE_DIST_LOGNORMAL] = "lognormal", NULL
};

/* failure_mode()'s "when" names. */
enum { MODE_WHEN_ALWAYS, MODE_WHEN_COMPUTING };
static const char *const mode_whens[] = {
  [MODE_WHEN_ALWAYS] = "always", [MODE_WHEN_COMPUTING] = "computing", NULL
};

/* failure_mode()'s keys, in the order a call applies them (world.h). */
static const WorldModeKey mode_keys[] = {
  { "class", WORLD_VAL_STRING, "", "component class", fl_class_names,
    "component class (cable: node-leaf; uplink: switch-switch; job: per node "
    "of a running job); a new mode needs it" },
  { "mtbf", WORLD_VAL_NUMBER, "s", NULL, NULL,
    "mean time between failures of one component" },
  { "rate_scale", WORLD_VAL_NUMBER, "", NULL, NULL,
    "multiplies this mode's rate; 0 disables it" },
  { "dist", WORLD_VAL_STRING, "", "distribution", mode_dists,
    "time-to-failure distribution, keeping the mean (a Weibull starts with "
    "shape 1, a lognormal with sd = mean)" },
  { "shape", WORLD_VAL_NUMBER, "", NULL, NULL,
    "Weibull shape, keeping the mean (needs dist = weibull in this call or "
    "an earlier one)" },
  { "sigma", WORLD_VAL_NUMBER, "", NULL, NULL,
    "lognormal sigma of log(ttf), keeping the mean (needs dist = lognormal)" },
  { "repair", WORLD_VAL_STRING, "", "repair path", fl_repair_names,
    "repair path (docs/failure-modes.md)" },
  { "repair_time", WORLD_VAL_NUMBER, "s", NULL, NULL,
    "mean repair time (exponentially distributed; at least 1 s)" },
  { "cause", WORLD_VAL_STRING, "", NULL, NULL,
    "root-cause label in reports (\"GPU HBM3 Memory\")" },
  { "xid", WORLD_VAL_NUMBER, "", NULL, NULL,
    "NVIDIA Xid the failure produces; setting it makes the policy see an Xid" },
  { "blast", WORLD_VAL_STRING, "", "blast radius", fl_blast_names,
    "blast radius (docs/failure-modes.md)" },
  { "enabled", WORLD_VAL_BOOL, "", NULL, NULL, "false switches the mode off" },
  { "detect_delay", WORLD_VAL_NUMBER, "s", NULL, NULL,
    "time until an observation is produced" },
  { "when", WORLD_VAL_STRING, "", "when value", mode_whens,
    "always (default) or computing: the mode strikes a node only while the "
    "job on it computes (gpu, node and job modes only)" },
};

const WorldModeKey *
world_mode_keys (guint *n)
{
  g_return_val_if_fail (n != NULL, NULL);
  *n = G_N_ELEMENTS (mode_keys);
  return mode_keys;
}

const WorldModeKey *
world_mode_key (const char *key)
{
  g_return_val_if_fail (key != NULL, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (mode_keys); i++)
    if (strcmp (mode_keys[i].key, key) == 0)
      return &mode_keys[i];
  return NULL;
}

/* The index of a name world_config_failure_set checked. */
static guint
mode_name_index (const char *key, const char *value)
{
  guint i = config_name_index (world_mode_key (key)->values, value);
  g_assert (i != G_MAXUINT); /* world_config_failure_set checked it */
  return i;
}

static bool
apply_failure_overrides (FlFailureCatalog *cat, const WorldConfig *cfg,
                         GError **error)
{
  GArray *ov = cfg->failure_overrides;
  for (guint i = 0; i < ov->len; i++)
    {
      WorldFailureOverride *o = &g_array_index (ov, WorldFailureOverride, i);
      FlFailureMode *fm = fl_failure_catalog_find (cat, o->mode);
      if (fm == NULL)
        {
          if (strcmp (o->key, "class") != 0)
            {
              g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                           "failure mode '%s' is not a default mode: set its class first "
                           "(failure_mode(\"%s\", { class = \"gpu\", ... }))", o->mode, o->mode);
              return false;
            }
          FlFailureMode nm = { 0 };
          nm.name = o->mode;
          nm.cause = o->mode;
          nm.cls = (FlClass) mode_name_index ("class", o->v.str);
          nm.ttf = dist_exponential (1e9);
          nm.repair_time = dist_exponential (2.0);
          nm.repair = FL_REPAIR_REPLACE;
          nm.obs = FL_OBS_HEARTBEAT_LOSS;
          nm.blast = FL_BLAST_NODE;
          nm.source = (char *) "scenario";
          nm.enabled = true;
          if (!fl_failure_catalog_add (cat, &nm, error))
            return false;
          continue;
        }
      const char *k = o->key;
      const WorldValue *v = &o->v;
      double mean = dist_mean (&fm->ttf);
      if (strcmp (k, "mtbf") == 0)
        {
          if (v->num <= 0)
            {
              g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                           "failure mode '%s': mtbf must be positive", o->mode);
              return false;
            }
          dist_scale (&fm->ttf, (v->num / 3600.0) / mean);
        }
      else if (strcmp (k, "rate_scale") == 0)
        {
          if (v->num <= 0)
            fm->enabled = false;
          else
            dist_scale (&fm->ttf, 1.0 / v->num);
        }
      else if (strcmp (k, "dist") == 0)
        switch (mode_name_index (k, v->str))
          {
          case MODE_DIST_EXPONENTIAL:
            fm->ttf = dist_exponential (mean);
            break;
          case MODE_DIST_WEIBULL:
            fm->ttf = dist_weibull (1.0, mean);
            break;
          default:
            fm->ttf = dist_lognormal_mean_sd (mean, mean);
            break;
          }
      else if (strcmp (k, "shape") == 0)
        {
          if (fm->ttf.kind != DIST_WEIBULL || v->num <= 0)
            {
              g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                           "failure mode '%s': shape needs dist = \"weibull\" (set dist first) and a positive value",
                           o->mode);
              return false;
            }
          /* keep the mean: lambda = mean / Gamma(1 + 1/k) */
          fm->ttf = dist_weibull (v->num, mean / tgamma (1.0 + 1.0 / v->num));
        }
      else if (strcmp (k, "sigma") == 0)
        {
          if (fm->ttf.kind != DIST_LOGNORMAL || v->num <= 0)
            {
              g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                           "failure mode '%s': sigma needs dist = \"lognormal\" (set dist first) and a positive value",
                           o->mode);
              return false;
            }
          fm->ttf = dist_lognormal (log (mean) - v->num * v->num / 2, v->num);
        }
      else if (strcmp (k, "repair") == 0)
        fm->repair = (FlRepair) mode_name_index (k, v->str);
      else if (strcmp (k, "repair_time") == 0)
        fm->repair_time = dist_exponential (MAX (v->num, 1.0) / 3600.0);
      else if (strcmp (k, "class") == 0)
        fm->cls = (FlClass) mode_name_index (k, v->str);
      else if (strcmp (k, "cause") == 0)
        {
          g_free (fm->cause);
          fm->cause = g_strdup (v->str);
        }
      else if (strcmp (k, "xid") == 0)
        {
          fm->xid = (int) v->num;
          fm->obs = FL_OBS_XID;
        }
      else if (strcmp (k, "blast") == 0)
        fm->blast = (FlBlast) mode_name_index (k, v->str);
      else if (strcmp (k, "enabled") == 0)
        fm->enabled = v->b;
      else if (strcmp (k, "detect_delay") == 0)
        fm->detect_delay_s = v->num;
      else if (strcmp (k, "when") == 0)
        {
          /* "computing": the failure strikes only while the node's job
           * computes (world-faults.c degrade_or_fail). */
          bool computing = mode_name_index (k, v->str) == MODE_WHEN_COMPUTING;
          if (computing && fm->cls != FL_CLASS_GPU && fm->cls != FL_CLASS_NODE
              && fm->cls != FL_CLASS_JOB)
            {
              g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                           "failure mode '%s': when = \"computing\" needs a gpu, "
                           "node or job mode (it strikes the nodes of a computing "
                           "job), not a %s mode", o->mode, fl_class_name (fm->cls));
              return false;
            }
          fm->compute_only = computing;
        }
    }
  return true;
}

/* failures.source's names (models/config.c checks a value against them):
 * the Llama 3 54-day table, or no failures but the scenario's own. */
enum { SOURCE_LLAMA3, SOURCE_NONE };
const char *const *
catalog_sources (void)
{
  static const char *const names[] = {
    [SOURCE_LLAMA3] = "llama3", [SOURCE_NONE] = "none", NULL
  };
  return names;
}

/* How long an automated repair path takes: the catalogue's distribution of
 * the path (fl_failure_repair_default, docs/failure-modes.md "Repair
 * paths") with its mean set by the key that owns it (cluster.reset_gpu_time,
 * cluster.reboot_time, cluster.reimage_time; 0 = at once). The health
 * policy's RESET_GPU, REBOOT and REIMAGE take this time (world-care.c), and
 * so does a mode on that path, unless the scenario set its repair_time.
 * Other paths: the catalogue's default. Hours. */
Dist
catalog_repair_dist (const WorldConfig *cfg, FlRepair path)
{
  Dist d = fl_failure_repair_default (path, NULL);
  double mean_s;
  switch (path)
    {
    case FL_REPAIR_RESET_GPU: mean_s = cfg->cluster_reset_gpu_time; break;
    case FL_REPAIR_REBOOT: mean_s = cfg->cluster_reboot_time; break;
    case FL_REPAIR_REIMAGE: mean_s = cfg->cluster_reimage_time; break;
    case FL_REPAIR_RMA: mean_s = cfg->cluster_rma_lead_time; break;
    default: return d;
    }
  if (!(mean_s > 0))
    return dist_constant (0.0);
  dist_scale (&d, mean_s / 3600.0 / dist_mean (&d));
  return d;
}

static bool
repair_time_overridden (const WorldConfig *cfg, const char *mode)
{
  GArray *ov = cfg->failure_overrides;
  for (guint i = 0; i < ov->len; i++)
    {
      const WorldFailureOverride *o = &g_array_index (ov, WorldFailureOverride, i);
      if (strcmp (o->mode, mode) == 0 && strcmp (o->key, "repair_time") == 0)
        return true;
    }
  return false;
}

/* The failure catalogue of cfg: its source, scaled, with the scenario's
 * failure_mode() settings applied. (transfer full), NULL on bad input. */
FlFailureCatalog *
catalog_from_config (const WorldConfig *cfg, GError **error)
{
  guint source = config_name_index (catalog_sources (), cfg->failures_source);
  g_assert (source != G_MAXUINT); /* world_config_set checked it */
  FlFailureCatalog *cat = source == SOURCE_LLAMA3
                            ? fl_failure_catalog_new_default ()
                            : fl_failure_catalog_new_empty ();
  if (cfg->failures_scale <= 0)
    for (size_t i = 0; i < fl_failure_catalog_count (cat); i++)
      fl_failure_catalog_get (cat, i)->enabled = false;
  else if (cfg->failures_scale != 1.0)
    fl_failure_catalog_scale (cat, cfg->failures_scale);
  if (!apply_failure_overrides (cat, cfg, error))
    {
      g_clear_pointer (&cat, fl_failure_catalog_free);
      return NULL;
    }
  for (size_t i = 0; i < fl_failure_catalog_count (cat); i++)
    {
      FlFailureMode *fm = fl_failure_catalog_get (cat, i);
      if ((fm->repair == FL_REPAIR_RESET_GPU || fm->repair == FL_REPAIR_REBOOT
           || fm->repair == FL_REPAIR_REIMAGE)
          && !repair_time_overridden (cfg, fm->name))
        {
          dist_clear (&fm->repair_time);
          fm->repair_time = catalog_repair_dist (cfg, fm->repair);
        }
    }
  return cat;
}

/* Every class gets at least one mode, so a script can fail() any
 * component even with failures.source = "none": a disabled "scripted_<class>"
 * mode that never fires by itself. */
void
catalog_add_scripted_modes (World *w)
{
  for (int c = 0; c < FL_CLASS_COUNT; c++)
    {
      bool have = false;
      for (size_t i = 0; i < fl_failure_catalog_count (w->faults.cat) && !have; i++)
        have = fl_failure_catalog_get (w->faults.cat, i)->cls == (FlClass) c;
      if (have)
        continue;
      FlFailureMode m = { 0 };
      g_autofree char *name = g_strdup_printf ("scripted_%s", fl_class_name ((FlClass) c));
      m.name = name;
      m.cause = (char *) "Scripted";
      m.cls = (FlClass) c;
      m.ttf = dist_exponential (1e12);
      m.repair = c == FL_CLASS_JOB ? FL_REPAIR_NONE : FL_REPAIR_REPLACE;
      m.repair_time = c == FL_CLASS_JOB ? dist_constant (0) : fl_failure_repair_default (FL_REPAIR_REPLACE, NULL);
      switch ((FlClass) c)
        {
        case FL_CLASS_GPU: m.obs = FL_OBS_XID; m.xid = 79; m.blast = FL_BLAST_NODE; break;
        case FL_CLASS_NODE: m.obs = FL_OBS_HEARTBEAT_LOSS; m.blast = FL_BLAST_NODE; break;
        case FL_CLASS_NIC: case FL_CLASS_CABLE: m.obs = FL_OBS_IB_LINK_DOWN; m.blast = FL_BLAST_RAIL; break;
        case FL_CLASS_LEAF: m.obs = FL_OBS_IB_LINK_DOWN; m.blast = FL_BLAST_SU_RAIL; break;
        case FL_CLASS_SPINE: case FL_CLASS_CORE: case FL_CLASS_UPLINK:
          m.obs = FL_OBS_IB_LINK_DOWN; m.blast = FL_BLAST_BANDWIDTH; break;
        case FL_CLASS_JOB: m.obs = FL_OBS_JOB_CRASH; m.blast = FL_BLAST_JOB; break;
        default: m.obs = FL_OBS_HEARTBEAT_LOSS; m.blast = FL_BLAST_DOMAIN; break;
        }
      m.source = (char *) "scripted failures only (never drawn at random)";
      m.enabled = false;
      fl_failure_catalog_add (w->faults.cat, &m, NULL);
    }
}

bool
world_config_check_failure_modes (const WorldConfig *cfg, GError **error)
{
  g_return_val_if_fail (cfg != NULL, false);
  FlFailureCatalog *cat = catalog_from_config (cfg, error);
  fl_failure_catalog_free (cat);
  return cat != NULL;
}
