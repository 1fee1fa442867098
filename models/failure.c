/* models/failure.c - the failure-mode catalogue and its Llama 3 defaults.
 *
 * The defaults are one exponential mode per row of the Llama 3 54-day
 * interruption table (field-data.md §1.1), its rate = count / (instances x
 * 54 days) on the reference cluster of §12.1 (2,048 nodes x 8 H100, one
 * 400G NIC per GPU, 512 leaves), so the default catalogue reproduces the
 * 419 interruptions and their mix. Modes with no row there (spine, core,
 * uplink, rack/row/cooling domains) are marked as assumptions.
 * Not here: drawing failures (models/world.c) and reacting to them
 * (policy/). Docs: docs/failure-modes.md. */
#include "failure.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (fl-failure-error-quark, fl_failure_error)

/* ---- names ---- */

const char *const fl_class_names[FL_CLASS_COUNT + 1] = {
  "gpu", "node", "nic", "cable", "leaf", "spine", "core", "uplink", "rack",
  "row", "cooling", "job", NULL,
};
static const char *const obs_names[FL_OBS_COUNT] = {
  "xid", "ib_link_down", "ib_symbol_errors", "heartbeat_loss", "silent",
  "job_hang", "thermal", "pcie_aer", "job_crash", "health_check",
};
const char *const fl_blast_names[FL_BLAST_COUNT + 1] = {
  "node", "rail", "su_rail", "bandwidth", "domain", "job", NULL,
};
const char *const fl_repair_names[FL_REPAIR_COUNT + 1] = {
  "none", "reset_gpu", "reboot", "reimage", "replace", "rma", NULL,
};

static const char *
name_of (const char *const *names, int count, int v)
{
  return v >= 0 && v < count ? names[v] : "unknown";
}

static bool
name_find (const char *const *names, int count, const char *s, int *out)
{
  g_return_val_if_fail (s != NULL, false);
  for (int i = 0; i < count; i++)
    if (strcmp (s, names[i]) == 0)
      {
        *out = i;
        return true;
      }
  return false;
}

const char *
fl_class_name (FlClass c)
{
  return name_of (fl_class_names, FL_CLASS_COUNT, (int) c);
}

const char *
fl_obs_kind_name (FlObsKind k)
{
  return name_of (obs_names, FL_OBS_COUNT, (int) k);
}

const char *
fl_blast_name (FlBlast b)
{
  return name_of (fl_blast_names, FL_BLAST_COUNT, (int) b);
}

const char *
fl_repair_name (FlRepair r)
{
  return name_of (fl_repair_names, FL_REPAIR_COUNT, (int) r);
}

#define DEFINE_FROM_NAME(fn, Type, names, count)                             \
  bool fn (const char *s, Type *out)                                         \
  {                                                                          \
    int i;                                                                   \
    if (!name_find (names, count, s, &i))                                    \
      return false;                                                          \
    if (out != NULL)                                                         \
      *out = (Type) i;                                                       \
    return true;                                                             \
  }

DEFINE_FROM_NAME (fl_class_from_name, FlClass, fl_class_names, FL_CLASS_COUNT)
DEFINE_FROM_NAME (fl_obs_kind_from_name, FlObsKind, obs_names, FL_OBS_COUNT)
DEFINE_FROM_NAME (fl_blast_from_name, FlBlast, fl_blast_names, FL_BLAST_COUNT)
DEFINE_FROM_NAME (fl_repair_from_name, FlRepair, fl_repair_names,
                  FL_REPAIR_COUNT)

/* ---- defaults ---- */

#define HOURS_54D (54.0 * 24.0)  /* the Llama 3 snapshot, field-data §1.1 */
#define HOURS_PER_YEAR 8766.0    /* 365.25 days */

/* Instances of each class on the Llama 3 reference cluster (§12.1): the
 * denominators of the default rates. */
#define REF_GPUS 16384.0
#define REF_NODES 2048.0
#define REF_NICS 16384.0
#define REF_CABLES 16384.0 /* node-leaf, one per NIC */
#define REF_LEAVES 512.0   /* 64 SUs x 8 rails */

/* "Network Switch/Cable" (35) is not split in the table: we assume 80% on
 * node-leaf cables/transceivers and 20% on leaf switches (the two whose
 * loss kills a job once adaptive routing hides uplink and spine losses). */
#define NET_CABLE_SHARE 0.8

typedef struct
{
  const char *name, *cause;
  FlClass cls;
  double count;     /* interruptions in 54 d on the reference cluster */
  double instances; /* of cls on the reference cluster */
  double mtbf_years; /* instead of count/instances when count == 0 */
  FlObsKind obs;
  int xid;
  FlBlast blast;
  FlRepair repair;
  double detect_delay_s;
  const char *source;
} DefaultMode;

#define LLAMA "Llama 3 Table 5, 54-day snapshot (field-data.md §1.1, §12.2)"
#define ASSUME "assumption (no field data; field-data.md §13)"

/* Detection delays (seconds): an Xid, trap or crash is seen at once; a
 * heartbeat loss within one 5-min health-check period and a failed check
 * half a period on average (Kokolis et al., field-data §2.5, §12.3); DCGM
 * thermal watches need ~60 s of samples (§8.5); the NCCL watchdog fires
 * after PyTorch's default 10-min collective timeout [U]; SDC is found by
 * loss divergence hours later (assumption: 6 h). */
#define DELAY_HEARTBEAT 300.0
#define DELAY_CHECK 150.0
#define DELAY_THERMAL 60.0
#define DELAY_NCCL 600.0
#define DELAY_SDC (6.0 * 3600.0)

static const DefaultMode default_modes[] = {
  /* GPU rows: count / 884,736 GPU-days. Xids from field-data §8.2. */
  { "faulty_gpu", "Faulty GPU", FL_CLASS_GPU, 148, REF_GPUS, 0,
    FL_OBS_XID, 79, FL_BLAST_NODE, FL_REPAIR_REBOOT, 0,
    LLAMA "; Xid 79 fallen off the bus -> reboot (§8.2)" },
  { "hbm3", "GPU HBM3 Memory", FL_CLASS_GPU, 72, REF_GPUS, 0,
    FL_OBS_XID, 48, FL_BLAST_NODE, FL_REPAIR_RESET_GPU, 0,
    LLAMA "; Xid 48 double-bit ECC -> reset GPU (§8.2)" },
  { "sram", "GPU SRAM Memory", FL_CLASS_GPU, 19, REF_GPUS, 0,
    FL_OBS_XID, 95, FL_BLAST_NODE, FL_REPAIR_RESET_GPU, 0,
    LLAMA "; Xid 95 uncontained memory error -> reset GPU (§8.2)" },
  { "gsp", "GPU System Processor", FL_CLASS_GPU, 17, REF_GPUS, 0,
    FL_OBS_XID, 119, FL_BLAST_NODE, FL_REPAIR_RESET_GPU, 0,
    LLAMA "; Xid 119 GSP RPC timeout -> reset GPU (§8.2)" },
  { "sdc", "Silent Data Corruption", FL_CLASS_GPU, 6, REF_GPUS, 0,
    FL_OBS_SILENT, 0, FL_BLAST_NODE, FL_REPAIR_RMA, DELAY_SDC,
    LLAMA "; detection delay 6 h is an assumption" },
  { "thermal", "GPU Thermal Interface + Sensor", FL_CLASS_GPU, 6, REF_GPUS, 0,
    FL_OBS_THERMAL, 0, FL_BLAST_NODE, FL_REPAIR_REPLACE, DELAY_THERMAL,
    LLAMA "; DCGM thermal watch ~60 s (§8.5)" },
  /* Host rows: count / 110,592 node-days; NIC per NIC (7 / 16,384 x 54). */
  { "nic", "NIC", FL_CLASS_NIC, 7, REF_NICS, 0,
    FL_OBS_IB_LINK_DOWN, 0, FL_BLAST_RAIL, FL_REPAIR_REPLACE, 0,
    LLAMA "; per NIC: 7 / (16,384 x 54) NIC-days" },
  { "ssd", "SSD", FL_CLASS_NODE, 3, REF_NODES, 0,
    FL_OBS_HEALTH_CHECK, 0, FL_BLAST_NODE, FL_REPAIR_REPLACE, DELAY_CHECK,
    LLAMA "; block-device check (Kokolis, §2.5)" },
  { "psu", "Power Supply", FL_CLASS_NODE, 3, REF_NODES, 0,
    FL_OBS_HEARTBEAT_LOSS, 0, FL_BLAST_NODE, FL_REPAIR_REPLACE,
    DELAY_HEARTBEAT, LLAMA },
  { "chassis", "Server Chassis", FL_CLASS_NODE, 2, REF_NODES, 0,
    FL_OBS_HEARTBEAT_LOSS, 0, FL_BLAST_NODE, FL_REPAIR_REPLACE,
    DELAY_HEARTBEAT, LLAMA },
  { "io_board", "IO Expansion Board", FL_CLASS_NODE, 2, REF_NODES, 0,
    FL_OBS_PCIE_AER, 0, FL_BLAST_NODE, FL_REPAIR_REPLACE, 0, LLAMA },
  { "cpu", "CPU", FL_CLASS_NODE, 2, REF_NODES, 0,
    FL_OBS_HEARTBEAT_LOSS, 0, FL_BLAST_NODE, FL_REPAIR_RMA,
    DELAY_HEARTBEAT, LLAMA },
  { "dram", "System Memory", FL_CLASS_NODE, 2, REF_NODES, 0,
    FL_OBS_HEARTBEAT_LOSS, 0, FL_BLAST_NODE, FL_REPAIR_REPLACE,
    DELAY_HEARTBEAT, LLAMA "; uncorrectable DIMM error -> kernel panic" },
  { "host_maintenance", "Host Maintenance", FL_CLASS_NODE, 32, REF_NODES, 0,
    FL_OBS_HEARTBEAT_LOSS, 0, FL_BLAST_NODE, FL_REPAIR_REIMAGE,
    DELAY_HEARTBEAT, LLAMA " (\"Unplanned Maintenance\")" },
  /* Network Switch/Cable, 35: split 80/20 (NET_CABLE_SHARE). */
  { "cable", "Network Switch/Cable", FL_CLASS_CABLE, 35 * NET_CABLE_SHARE,
    REF_CABLES, 0, FL_OBS_IB_LINK_DOWN, 0, FL_BLAST_RAIL,
    FL_REPAIR_REPLACE, 0,
    LLAMA "; 80% of 35 on 16,384 node-leaf cables (split assumed)" },
  { "leaf", "Network Switch/Cable", FL_CLASS_LEAF,
    35 * (1 - NET_CABLE_SHARE), REF_LEAVES, 0, FL_OBS_IB_LINK_DOWN, 0,
    FL_BLAST_SU_RAIL, FL_REPAIR_REPLACE, 0,
    LLAMA "; 20% of 35 on 512 leaf switches (split assumed)" },
  /* Not job-fatal with adaptive routing: slow jobs down, outside the 419. */
  { "spine", "Network Switch/Cable", FL_CLASS_SPINE,
    35 * (1 - NET_CABLE_SHARE), REF_LEAVES, 0, FL_OBS_IB_LINK_DOWN, 0,
    FL_BLAST_BANDWIDTH, FL_REPAIR_REPLACE, 0,
    ASSUME ": same per-switch rate as a leaf (Llama 3 §1.1 split)" },
  { "core", "Network Switch/Cable", FL_CLASS_CORE,
    35 * (1 - NET_CABLE_SHARE), REF_LEAVES, 0, FL_OBS_IB_LINK_DOWN, 0,
    FL_BLAST_BANDWIDTH, FL_REPAIR_REPLACE, 0,
    ASSUME ": same per-switch rate as a leaf (Llama 3 §1.1 split)" },
  { "uplink", "Network Switch/Cable", FL_CLASS_UPLINK, 35 * NET_CABLE_SHARE,
    REF_CABLES, 0, FL_OBS_IB_LINK_DOWN, 0, FL_BLAST_BANDWIDTH,
    FL_REPAIR_REPLACE, 0,
    ASSUME ": same per-cable rate as a node-leaf cable" },
  /* Software: per node of a running job, count / 110,592 node-days, so a
   * job's rate grows with its size (63/54 per day for 2,048 nodes). */
  { "software_bug", "Software Bug", FL_CLASS_JOB, 54, REF_NODES, 0,
    FL_OBS_JOB_CRASH, 0, FL_BLAST_JOB, FL_REPAIR_NONE, 0,
    LLAMA "; per node of a running job" },
  { "dependency", "Dependency", FL_CLASS_JOB, 2, REF_NODES, 0,
    FL_OBS_JOB_CRASH, 0, FL_BLAST_JOB, FL_REPAIR_NONE, 0,
    LLAMA "; per node of a running job" },
  { "nccl_watchdog", "NCCL Watchdog Timeouts", FL_CLASS_JOB, 7, REF_NODES, 0,
    FL_OBS_JOB_HANG, 0, FL_BLAST_JOB, FL_REPAIR_NONE, DELAY_NCCL,
    LLAMA "; per node of a running job; 10-min watchdog [U]" },
  /* Correlated domain events: no field data at all. */
  { "rack_pdu", "Rack power (assumption)", FL_CLASS_RACK, 0, 0, 20.0,
    FL_OBS_HEARTBEAT_LOSS, 0, FL_BLAST_DOMAIN, FL_REPAIR_REPLACE,
    DELAY_HEARTBEAT, ASSUME ": rack power loss MTBF 20 years per rack" },
  { "row_power", "Row power (assumption)", FL_CLASS_ROW, 0, 0, 50.0,
    FL_OBS_HEARTBEAT_LOSS, 0, FL_BLAST_DOMAIN, FL_REPAIR_REPLACE,
    DELAY_HEARTBEAT, ASSUME ": row power loss MTBF 50 years per row" },
  { "cooling_loop", "Cooling loop (assumption)", FL_CLASS_COOLING, 0, 0,
    50.0, FL_OBS_THERMAL, 0, FL_BLAST_DOMAIN, FL_REPAIR_REPLACE,
    DELAY_THERMAL, ASSUME ": cooling loop MTBF 50 years per loop" },
};

Dist
fl_failure_repair_default (FlRepair r, const char **source)
{
  const char *src;
  Dist d;
  switch (r)
    {
    case FL_REPAIR_NONE:
      d = dist_constant (0.0);
      src = "restart only: no component repair";
      break;
    case FL_REPAIR_RESET_GPU:
      d = dist_lognormal_mean_sd (0.25, 0.1);
      src = "assumption: GPU reset + quick diagnostic takes minutes "
            "(field-data.md §12.3: reset/reboot)";
      break;
    case FL_REPAIR_REBOOT:
      d = dist_lognormal_mean_sd (2.0, 1.0);
      src = "automated repair 2 h: AIReSim default [P], NCSA Delta 2.2 h "
            "[S] (field-data.md §12.3)";
      break;
    case FL_REPAIR_REIMAGE:
      d = dist_lognormal_mean_sd (3.0, 1.5);
      src = "assumption: automated repair 2 h (§12.3) + 1 h reprovisioning";
      break;
    case FL_REPAIR_REPLACE:
      d = dist_lognormal_mean_sd (48.0, 24.0);
      src = "manual repair 2 days: AIReSim default [P] (field-data.md "
            "§12.3)";
      break;
    case FL_REPAIR_RMA:
      d = dist_uniform (72.0, 120.0);
      src = "physical GPU replacement 3-5 days [S] (field-data.md §12.3)";
      break;
    default:
      g_return_val_if_reached (dist_constant (0.0));
    }
  if (source != NULL)
    *source = src;
  return d;
}

void
fl_failure_lemon_defaults (double *fraction, double *multiplier)
{
  /* Kokolis et al. 2024: 24 lemon nodes, ~1.2% of RSC-1 [S] (field-data
   * §2.5, §12.3); AIReSim models lemons at 5x the base rate [P]. */
  if (fraction != NULL)
    *fraction = 0.012;
  if (multiplier != NULL)
    *multiplier = 5.0;
}

/* ---- the catalogue ---- */

struct FlFailureCatalog
{
  GPtrArray *modes; /* of FlFailureMode *, owned */
};

void
fl_failure_mode_clear (FlFailureMode *m)
{
  if (m == NULL)
    return;
  g_clear_pointer (&m->name, g_free);
  g_clear_pointer (&m->cause, g_free);
  g_clear_pointer (&m->source, g_free);
  dist_clear (&m->ttf);
  dist_clear (&m->repair_time);
}

static void
mode_free (gpointer p)
{
  fl_failure_mode_clear (p);
  g_free (p);
}

/* Returns: (transfer full) a deep copy of m. */
static FlFailureMode *
mode_dup (const FlFailureMode *m)
{
  FlFailureMode *c = g_new (FlFailureMode, 1);
  *c = *m;
  c->name = g_strdup (m->name);
  c->cause = g_strdup (m->cause);
  c->source = g_strdup (m->source);
  c->ttf = dist_copy (&m->ttf);
  c->repair_time = dist_copy (&m->repair_time);
  return c;
}

FlFailureCatalog *
fl_failure_catalog_new_empty (void)
{
  FlFailureCatalog *cat = g_new0 (FlFailureCatalog, 1);
  cat->modes = g_ptr_array_new_with_free_func (mode_free);
  return cat;
}

FlFailureCatalog *
fl_failure_catalog_new_default (void)
{
  FlFailureCatalog *cat = fl_failure_catalog_new_empty ();
  for (size_t i = 0; i < G_N_ELEMENTS (default_modes); i++)
    {
      const DefaultMode *d = &default_modes[i];
      double mean_h = d->count > 0 ? d->instances * HOURS_54D / d->count
                                   : d->mtbf_years * HOURS_PER_YEAR;
      FlFailureMode *m = g_new0 (FlFailureMode, 1);
      m->name = g_strdup (d->name);
      m->cause = g_strdup (d->cause);
      m->cls = d->cls;
      m->ttf = dist_exponential (mean_h);
      m->obs = d->obs;
      m->xid = d->xid;
      m->blast = d->blast;
      m->repair = d->repair;
      m->repair_time = fl_failure_repair_default (d->repair, NULL);
      m->detect_delay_s = d->detect_delay_s;
      m->source = g_strdup (d->source);
      m->enabled = true;
      g_assert (fl_failure_mode_validate (m, NULL));
      g_ptr_array_add (cat->modes, m);
    }
  return cat;
}

FlFailureCatalog *
fl_failure_catalog_copy (const FlFailureCatalog *cat)
{
  g_return_val_if_fail (cat != NULL, NULL);
  FlFailureCatalog *c = fl_failure_catalog_new_empty ();
  for (guint i = 0; i < cat->modes->len; i++)
    g_ptr_array_add (c->modes, mode_dup (g_ptr_array_index (cat->modes, i)));
  return c;
}

void
fl_failure_catalog_free (FlFailureCatalog *cat)
{
  if (cat == NULL)
    return;
  g_ptr_array_unref (cat->modes);
  g_free (cat);
}

size_t
fl_failure_catalog_count (const FlFailureCatalog *cat)
{
  g_return_val_if_fail (cat != NULL, 0);
  return cat->modes->len;
}

FlFailureMode *
fl_failure_catalog_get (FlFailureCatalog *cat, size_t i)
{
  g_return_val_if_fail (cat != NULL, NULL);
  if (i >= cat->modes->len)
    return NULL;
  return g_ptr_array_index (cat->modes, i);
}

FlFailureMode *
fl_failure_catalog_find (FlFailureCatalog *cat, const char *name)
{
  g_return_val_if_fail (cat != NULL && name != NULL, NULL);
  for (guint i = 0; i < cat->modes->len; i++)
    {
      FlFailureMode *m = g_ptr_array_index (cat->modes, i);
      if (strcmp (m->name, name) == 0)
        return m;
    }
  return NULL;
}

void
fl_failure_catalog_scale (FlFailureCatalog *cat, double f)
{
  g_return_if_fail (cat != NULL);
  g_return_if_fail (isfinite (f) && f > 0.0);
  for (guint i = 0; i < cat->modes->len; i++)
    {
      FlFailureMode *m = g_ptr_array_index (cat->modes, i);
      if (m->enabled)
        dist_scale (&m->ttf, 1.0 / f);
    }
}

bool
fl_failure_mode_validate (const FlFailureMode *m, GError **error)
{
  const char *why = NULL;
  const char *name = m != NULL && m->name != NULL ? m->name : "(null)";

  g_return_val_if_fail (m != NULL, false);
#define BAD(...)                                                            \
  do                                                                        \
    {                                                                       \
      g_set_error (error, FL_FAILURE_ERROR, FL_FAILURE_ERROR_INVALID,       \
                   __VA_ARGS__);                                            \
      return false;                                                         \
    }                                                                       \
  while (0)
  if (m->name == NULL || m->name[0] == '\0')
    BAD ("failure mode: the name is empty; give every mode a unique name");
  if (m->cause == NULL || m->cause[0] == '\0')
    BAD ("failure mode '%s': cause is empty; name the root-cause category",
         name);
  if (m->source == NULL || m->source[0] == '\0')
    BAD ("failure mode '%s': source is empty; cite where its numbers come "
         "from (or \"assumption\")", name);
  if ((unsigned) m->cls >= FL_CLASS_COUNT)
    BAD ("failure mode '%s': class %d is not a component class", name,
         (int) m->cls);
  if ((unsigned) m->obs >= FL_OBS_COUNT)
    BAD ("failure mode '%s': observation %d is unknown", name, (int) m->obs);
  if ((unsigned) m->blast >= FL_BLAST_COUNT)
    BAD ("failure mode '%s': blast radius %d is unknown", name,
         (int) m->blast);
  if ((unsigned) m->repair >= FL_REPAIR_COUNT)
    BAD ("failure mode '%s': repair path %d is unknown", name,
         (int) m->repair);
  if (m->obs == FL_OBS_XID ? m->xid <= 0 : m->xid != 0)
    BAD ("failure mode '%s': xid %d does not fit observation '%s' (an Xid "
         "observation needs a positive code, others 0)", name, m->xid,
         fl_obs_kind_name (m->obs));
  if (!dist_is_valid (&m->ttf, &why))
    BAD ("failure mode '%s': ttf: %s", name, why);
  if (!(dist_mean (&m->ttf) > 0.0))
    BAD ("failure mode '%s': ttf mean must be > 0 hours", name);
  if (!dist_is_valid (&m->repair_time, &why))
    BAD ("failure mode '%s': repair_time: %s", name, why);
  if (dist_quantile (&m->repair_time, 0.0) < 0.0)
    BAD ("failure mode '%s': repair_time can be negative; times are >= 0 "
         "hours", name);
  if (!(isfinite (m->detect_delay_s) && m->detect_delay_s >= 0.0))
    BAD ("failure mode '%s': detect_delay_s %g must be finite and >= 0",
         name, m->detect_delay_s);
#undef BAD
  return true;
}

bool
fl_failure_catalog_add (FlFailureCatalog *cat, const FlFailureMode *m,
                        GError **error)
{
  g_return_val_if_fail (cat != NULL && m != NULL, false);
  g_return_val_if_fail (error == NULL || *error == NULL, false);
  if (!fl_failure_mode_validate (m, error))
    return false;
  if (fl_failure_catalog_find (cat, m->name) != NULL)
    {
      g_set_error (error, FL_FAILURE_ERROR, FL_FAILURE_ERROR_EXISTS,
                   "failure mode '%s' already exists; choose another name "
                   "or override the existing mode's fields", m->name);
      return false;
    }
  g_ptr_array_add (cat->modes, mode_dup (m));
  return true;
}

double
fl_failure_catalog_rate_per_hour (const FlFailureCatalog *cat, FlClass c)
{
  g_return_val_if_fail (cat != NULL, NAN);
  g_return_val_if_fail ((unsigned) c < FL_CLASS_COUNT, NAN);
  double r = 0.0;
  for (guint i = 0; i < cat->modes->len; i++)
    {
      const FlFailureMode *m = g_ptr_array_index (cat->modes, i);
      if (m->enabled && m->cls == c)
        r += 1.0 / dist_mean (&m->ttf);
    }
  return r;
}

bool
fl_failure_mode_interrupts (const FlFailureMode *m)
{
  g_return_val_if_fail (m != NULL, false);
  return m->blast != FL_BLAST_BANDWIDTH;
}
