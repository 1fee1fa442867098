/* models/faulttrace.h - published per-node fault traces, read and checked.
 *
 * The form operators publish them in: a JSON array of events
 *   {"node_id": "n17" | 17, "event_time": <days since the trace start>,
 *    "event_type": "fault_start" | "fault_end",
 *    "fault_type": {"Level": ..., "Class": ..., "Desc": ...}}
 * or the same as CSV with the header
 *   node_id,event_time,event_type,Level,Class,Desc
 * (Level, Class and Desc may be empty; a field with a comma is quoted as in
 * RFC 4180). The reader validates every event (time finite and within 100
 * years, a known event type, a node id of at most 128 bytes) and names the
 * file and the event (JSON: its index; CSV: its line) when one is wrong.
 *
 * Each node's faults become outages: a fault_start opens one, the matching
 * fault_end closes it; overlapping faults of one node are one outage (the
 * union of the intervals); a start with no end lasts to the end of the
 * trace, an end with no start is counted (unmatched_ends) and ignored.
 * Class (then Desc) maps to a failure class through a default table
 * (fault_trace_default_class), documented in docs/scenario-api.md.
 *
 * This file reads traces; it does not inject them into a run. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "failure.h"

#define FAULT_TRACE_ERROR (fault_trace_error_quark ())
GQuark fault_trace_error_quark (void);

typedef enum
{
  FAULT_TRACE_ERROR_IO,    /* cannot read, not a regular file, too large */
  FAULT_TRACE_ERROR_PARSE, /* not JSON/CSV of the expected shape */
  FAULT_TRACE_ERROR_VALUE, /* an event with an impossible value */
} FaultTraceError;

/* The largest trace read (bytes), and the deepest JSON nesting accepted
 * (the format needs 3: array, event, fault_type). */
#define FAULT_TRACE_MAX_BYTES ((size_t) 256 << 20)
#define FAULT_TRACE_MAX_DEPTH 8

typedef struct
{
  uint32_t node;     /* index into FaultTrace.nodes */
  double time_s;     /* seconds since the trace start */
  bool start;        /* fault_start, else fault_end */
  const char *level; /* owned by the trace; "" when absent */
  const char *cls;
  const char *desc;
} FaultTraceEvent;

/* One outage of one node: [start_s, end_s), faults merged. */
typedef struct
{
  uint32_t node;
  double start_s, end_s;
  FlClass cls;       /* of the fault that opened it */
  const char *fault_class; /* its Class text ("" when absent) */
} FaultTraceOutage;

typedef struct
{
  GPtrArray *nodes;   /* char*: the trace's node ids, in order of first
                         appearance */
  GArray *events;     /* FaultTraceEvent, in time order (stable) */
  GArray *outages;    /* FaultTraceOutage, by node then time */
  double span_s;      /* the trace's length: its last event time */
  uint32_t unmatched_ends;
  GStringChunk *strings;
} FaultTrace;

/* Parses a trace in memory; NAME is for messages. JSON when the first
 * non-blank byte is '[', else CSV. Returns: (transfer full), or NULL with
 * error. */
FaultTrace *fault_trace_read_data (const char *data, size_t len,
                                   const char *name, GError **error);
/* The same for a file: a regular file of at most FAULT_TRACE_MAX_BYTES. */
FaultTrace *fault_trace_read_file (const char *path, GError **error);
void fault_trace_free (FaultTrace *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaultTrace, fault_trace_free)

/* The failure class of a fault by its Class (then Desc) text,
 * case-insensitively: GPU -> GPU; NIC, HCA, InfiniBand, network -> NIC;
 * cable, link, optic, transceiver -> CABLE; PSU, power, fan, cooling,
 * thermal, memory, DIMM, CPU, disk, SSD, motherboard, BMC, node, host,
 * unknown and anything else -> NODE. */
FlClass fault_trace_default_class (const char *cls, const char *desc);

/* The trace's own availability over N_NODES nodes (>= its node count;
 * nodes beyond it never fail): 1 - (sum over nodes of the union of their
 * outage intervals) / (N_NODES * span). 1 for an empty span. */
double fault_trace_availability (const FaultTrace *t, uint32_t n_nodes);
