/* lib/openmetrics.h - the run's time series as an OpenMetrics text file
 * with timestamps (`faultline run --metrics FILE.om`), in the names and
 * labels of NVIDIA's dcgm-exporter (DCGM_FI_DEV_XID_ERRORS, ..., labels
 * gpu, UUID, Hostname), kube-state-metrics (kube_node_spec_unschedulable)
 * and faultline's own remediation, node and job gauges, so that
 * `promtool tsdb create-blocks-from openmetrics` loads a simulated
 * incident into Prometheus. docs/monitoring.md lists every family.
 *
 * Scrape semantics: the writer follows the event stream and samples the
 * current value of each series every `interval` of simulated time, as a
 * Prometheus scrape would: aggregate gauges always, a per-GPU/node/link
 * series while it is away from its resting value (and for 15 minutes after a
 * counter moved). Families are buffered and written at the end, each
 * series contiguous and in time order, then "# EOF"; the file is written
 * atomically. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "simtime.h"
#include "world.h"

typedef struct OpenMetrics OpenMetrics;

/* interval: the scrape interval (> 0). Returns: (transfer full). */
OpenMetrics *openmetrics_new (SimTime interval);
void openmetrics_free (OpenMetrics *om); /* NULL is a no-op */
/* Declares the cluster's node count (all healthy at time 0) and starts
 * the run-wide series; call once before the run. */
void openmetrics_set_nodes (OpenMetrics *om, uint32_t n_nodes);
/* A WorldListenerFn; user_data is the OpenMetrics. */
void openmetrics_listener (const WorldEvent *ev, void *user_data);
/* Samples up to and including `end` and writes the file atomically.
 * FALSE with error when it cannot be written. */
bool openmetrics_write (OpenMetrics *om, SimTime end, const char *path,
                        GError **error);
