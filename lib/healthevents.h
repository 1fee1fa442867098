/* lib/healthevents.h - health_events.jsonl: the run's faults and the
 * health policy's actions as health events in the schema Kubernetes
 * remediation pipelines use (NVSentinel's HealthEvent: agent,
 * componentClass, checkName, isFatal, isHealthy, message,
 * recommendedAction, errorCode[], entitiesImpacted[], nodeName,
 * generatedTimestamp), each action with the Kubernetes effect it stands
 * for (cordon, taint, node condition, drain, remediation).
 *
 * Written from the world's event stream (a WorldListenerFn) to a temporary
 * name and committed atomically. The contract of every field and the
 * mapping tables are in docs/results.md and docs/policies.md ("Health
 * events"). */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "world.h"

/* Simulated time 0 is this UTC instant in generatedTimestamp (and in the
 * OpenMetrics timestamps): 2025-01-01T00:00:00Z. */
#define HEALTHEVENTS_EPOCH_UNIX INT64_C(1735689600)

/* The synthetic, deterministic UUID of a GPU from its operator name
 * ("node0412/gpu5"): "GPU-" and 32 hex digits of SHA-256(name) in the
 * 8-4-4-4-12 layout nvidia-smi prints. out must hold 41 bytes. Returns
 * out. */
const char *healthevents_gpu_uuid (const char *gpu_name, char *out,
                                   size_t len);

/* Formats simulated time t as RFC 3339 UTC with milliseconds, from
 * HEALTHEVENTS_EPOCH_UNIX ("2025-01-01T00:10:00.000Z"). Returns out. */
const char *healthevents_timestamp (SimTime t, char *out, size_t len);

typedef struct HealthEvents HealthEvents;

/* Starts dir/health_events.jsonl. policy = the health policy's name
 * (names the agents: docs/policies.md), n_nodes and gpus_per_node size
 * the per-node bookkeeping. Returns: (transfer full) or NULL with error. */
HealthEvents *healthevents_open (const char *dir, const char *policy,
                                 uint32_t n_nodes, GError **error);
/* A WorldListenerFn; user_data is the HealthEvents. */
void healthevents_listener (const WorldEvent *ev, void *user_data);
/* Commits the file and frees h (in every case). */
bool healthevents_close (HealthEvents *h, GError **error);
/* Discards the file and frees h. NULL is a no-op. */
void healthevents_abort (HealthEvents *h);
