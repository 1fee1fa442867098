/* models/failure.h - the catalogue of failure modes per component class.
 *
 * A failure mode says how often one component instance fails (a time-to-
 * failure distribution, hours), what the failure looks like to the health
 * policy (an observation: Xid code, IB trap, heartbeat loss, silence), how
 * far it reaches (blast radius) and how it is repaired (path and time).
 * The default catalogue reproduces the Llama 3 54-day interruption table
 * (docs/failure-modes.md; /work/shared/data/field-data.md §1.1, §12.2).
 *
 * This is data, not behaviour: the world (models/world.c) draws failures
 * from it and the Lua API overrides it by class and mode name; neither
 * drawing nor the policy's reaction lives here. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "dist.h"

#define FL_FAILURE_ERROR (fl_failure_error_quark ())
GQuark fl_failure_error_quark (void);

typedef enum
{
  FL_FAILURE_ERROR_INVALID, /* a mode's fields are not usable */
  FL_FAILURE_ERROR_EXISTS,  /* a mode of that name is already there */
} FlFailureError;

/* Component classes: every failure mode belongs to exactly one. */
typedef enum
{
  FL_CLASS_GPU,
  FL_CLASS_NODE,    /* host: CPU, DIMMs, SSD, PSU, chassis, boards, BMC */
  FL_CLASS_NIC,     /* one backend HCA (one per GPU on DGX-class nodes) */
  FL_CLASS_CABLE,   /* node-leaf cable + transceivers */
  FL_CLASS_LEAF,
  FL_CLASS_SPINE,
  FL_CLASS_CORE,
  FL_CLASS_UPLINK,  /* leaf-spine and spine-core cables */
  FL_CLASS_RACK,
  FL_CLASS_ROW,
  FL_CLASS_COOLING,
  FL_CLASS_JOB,     /* software, per node of a running job */
  FL_CLASS_COUNT
} FlClass;

/* "gpu", "node", "nic", "cable", "leaf", "spine", "core", "uplink", "rack",
 * "row", "cooling", "job"; "unknown" out of range. */
const char *fl_class_name (FlClass c);
bool fl_class_from_name (const char *s, FlClass *out);
/* The same names, indexed by FlClass and NULL-terminated. */
extern const char *const fl_class_names[FL_CLASS_COUNT + 1];

/* What the health policy gets to see. */
typedef enum
{
  FL_OBS_XID,              /* an NVIDIA Xid event in the kernel log */
  FL_OBS_IB_LINK_DOWN,     /* port state change + SM trap 128 */
  FL_OBS_IB_SYMBOL_ERRORS, /* counter precursor (PortCounters) */
  FL_OBS_HEARTBEAT_LOSS,   /* the node stops answering (slurmd, BMC) */
  FL_OBS_SILENT,           /* SDC: only loss divergence or an active check */
  FL_OBS_JOB_HANG,         /* NCCL watchdog timeout */
  FL_OBS_THERMAL,          /* DCGM thermal / power watch */
  FL_OBS_PCIE_AER,         /* PCIe advanced error reporting */
  FL_OBS_JOB_CRASH,        /* the job exits with an error (software) */
  FL_OBS_HEALTH_CHECK,     /* a periodic node health check fails */
  FL_OBS_COUNT
} FlObsKind;

/* How far a failure reaches. */
typedef enum
{
  FL_BLAST_NODE,      /* the node (all its GPUs) */
  FL_BLAST_RAIL,      /* the node's rail */
  FL_BLAST_SU_RAIL,   /* a leaf: one rail of a scalable unit */
  FL_BLAST_BANDWIDTH, /* uplinks/spines/cores: jobs slow down, not die */
  FL_BLAST_DOMAIN,    /* every node of a rack/row/cooling loop */
  FL_BLAST_JOB,       /* the job only (software) */
  FL_BLAST_COUNT
} FlBlast;

/* The repair path; each has a default repair-time distribution. */
typedef enum
{
  FL_REPAIR_NONE,      /* restart the job only */
  FL_REPAIR_RESET_GPU, /* nvidia-smi -r and a quick check */
  FL_REPAIR_REBOOT,    /* automated node reboot + checks */
  FL_REPAIR_REIMAGE,   /* automated reprovisioning */
  FL_REPAIR_REPLACE,   /* technician swaps a part from stock */
  FL_REPAIR_RMA,       /* vendor return, lead time */
  FL_REPAIR_COUNT
} FlRepair;

const char *fl_obs_kind_name (FlObsKind k); /* "xid", "ib_link_down", ... */
const char *fl_blast_name (FlBlast b);      /* "node", "rail", ... */
const char *fl_repair_name (FlRepair r);    /* "none", "reset_gpu", ... */
bool fl_obs_kind_from_name (const char *s, FlObsKind *out);
bool fl_blast_from_name (const char *s, FlBlast *out);
bool fl_repair_from_name (const char *s, FlRepair *out);
/* The names, indexed by FlBlast / FlRepair and NULL-terminated. */
extern const char *const fl_blast_names[FL_BLAST_COUNT + 1];
extern const char *const fl_repair_names[FL_REPAIR_COUNT + 1];

typedef struct
{
  char *name;   /* unique in a catalogue: "faulty_gpu", "hbm3", "cable", ... */
  char *cause;  /* the field-data category: "Faulty GPU", "Software Bug" */
  FlClass cls;
  Dist ttf;     /* time to failure per component instance, hours */
  FlObsKind obs;
  int xid;      /* NVIDIA Xid code when obs == FL_OBS_XID, else 0 */
  FlBlast blast;
  FlRepair repair;
  Dist repair_time;      /* hours, for the repair path */
  double detect_delay_s; /* mean delay from failure to observation, s */
  char *source;          /* citation of the defaults */
  bool compute_only;     /* strikes a node only while its job computes
                          * (failure_mode when = "computing"): gpu, node
                          * and job modes */
  bool enabled;
} FlFailureMode;

typedef struct FlFailureCatalog FlFailureCatalog;

/* Returns: (transfer full) the Llama 3-calibrated defaults. */
FlFailureCatalog *fl_failure_catalog_new_default (void);
/* Returns: (transfer full) an empty catalogue. */
FlFailureCatalog *fl_failure_catalog_new_empty (void);
/* Returns: (transfer full) a deep copy. */
FlFailureCatalog *fl_failure_catalog_copy (const FlFailureCatalog *cat);
void fl_failure_catalog_free (FlFailureCatalog *cat); /* NULL: no-op */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlFailureCatalog, fl_failure_catalog_free)

size_t fl_failure_catalog_count (const FlFailureCatalog *cat);
/* Returns: (transfer none) mode i (stable address until the catalogue is
 * freed), NULL if i is out of range. Callers may edit the fields in place
 * (Lua overrides); use fl_failure_mode_validate afterwards. */
FlFailureMode *fl_failure_catalog_get (FlFailureCatalog *cat, size_t i);
/* Returns: (transfer none) the mode of that name, or NULL. */
FlFailureMode *fl_failure_catalog_find (FlFailureCatalog *cat,
                                        const char *name);

/* Scales every rate of the enabled modes by f > 0: each ttf time scale is
 * divided by f (f = 2 means failures twice as often). */
void fl_failure_catalog_scale (FlFailureCatalog *cat, double f);
/* Adds a copy of m; fails (FL_FAILURE_ERROR_EXISTS) if the name is taken
 * or (FL_FAILURE_ERROR_INVALID) if m does not validate. */
bool fl_failure_catalog_add (FlFailureCatalog *cat, const FlFailureMode *m,
                             GError **error);

/* Expected failures per hour of ONE instance of class c: the sum over the
 * enabled modes of class c of 1 / mean ttf. Multiply by the number of
 * instances for a cluster rate. */
double fl_failure_catalog_rate_per_hour (const FlFailureCatalog *cat,
                                         FlClass c);

/* True when the mode's failure interrupts the jobs it touches (every blast
 * radius except FL_BLAST_BANDWIDTH, which only slows them down). */
bool fl_failure_mode_interrupts (const FlFailureMode *m);
/* Checks a mode (name, class, enums, distributions, Xid); on failure
 * returns false with FL_FAILURE_ERROR_INVALID naming the mode and field. */
bool fl_failure_mode_validate (const FlFailureMode *m, GError **error);
/* Frees the strings and distribution tables of a mode (not m itself). */
void fl_failure_mode_clear (FlFailureMode *m);

/* The default repair-time distribution of a repair path (hours), with the
 * source of its numbers (static string) in *source if not NULL. */
Dist fl_failure_repair_default (FlRepair r, const char **source);

/* Lemon nodes: the default fraction of nodes whose failure rates are
 * multiplied, and the multiplier (Kokolis et al. 1.2%; AIReSim 5x). */
void fl_failure_lemon_defaults (double *fraction, double *multiplier);
