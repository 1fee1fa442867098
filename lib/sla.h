/* lib/sla.h - remediation SLAs from the world's event stream: for every
 * node incident (node_failed until the node is healthy again) the time to
 * detect, to cordon, to drain, to remediate and to recover (MTTR), grouped
 * by the recommended action of the first remediation; the simulated
 * reboot waits; the quarantined-node count over time; circuit-breaker
 * trips and auto-repair pauses. Definitions: docs/results.md
 * ("remediation"). Computes from events only: adds nothing to the world. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "world.h"

typedef struct Sla Sla;

/* n_nodes sizes the per-node bookkeeping. Returns: (transfer full). */
Sla *sla_new (uint32_t n_nodes);
void sla_free (Sla *s); /* NULL is a no-op */
/* A WorldListenerFn; user_data is the Sla. */
void sla_listener (const WorldEvent *ev, void *user_data);
/* Closes the quarantine step function at the run's end. */
void sla_finish (Sla *s, SimTime end);

/* The "remediation" object of summary.json, or NULL when the run had no
 * node incident and no policy note (an empty object is not written).
 * Returns: (transfer full). */
JsonNode *sla_summary (const Sla *s);
/* quarantine.csv: t_h,quarantined at every change of the count of nodes
 * the policy holds out of service. Returns: (transfer full). */
GString *sla_quarantine_csv (const Sla *s);

/* p-quantile (0..1) of n sorted values, linear between order statistics
 * (Hyndman-Fan type 7, as numpy's default); NaN when n == 0. */
double sla_quantile (const double *sorted, size_t n, double p);
