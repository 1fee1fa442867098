/* policy/health_kit.h - what the built-in health policies share: the
 * "k events within a window" ring, the timer heap with lazy deletion, and
 * emitting a node's or a link's action. Used by health_policies.c
 * (reactive, standard, proactive) and health_reference.c (nvsentinel,
 * eks-auto-repair, slurm-nhc); internal to policy/, not installed (a
 * plugin includes health.h only). GLib only. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "health.h"

/* The times of a component's last k events (k fixed by the caller on
 * every call); storage allocated on the first push. */
typedef struct
{
  HealthTimeMs *t; /* k slots */
  uint32_t n;
  uint32_t head;   /* the next slot; once full, the oldest event */
} HealthKitRing;

/* Records an event at NOW; TRUE when the last K events (K > 0) fall
 * within WINDOW of NOW. K == 0 records nothing and is FALSE. */
bool health_kit_ring_push_hits (HealthKitRing *r, uint32_t k, HealthTimeMs now,
                                HealthTimeMs window);
/* TRUE when K events were recorded and the oldest of them is within
 * WINDOW of NOW (nothing is recorded). */
bool health_kit_ring_hits (const HealthKitRing *r, uint32_t k, HealthTimeMs now,
                           HealthTimeMs window);
/* Forgets the events (keeps the storage). */
void health_kit_ring_clear (HealthKitRing *r);
/* Frees the storage. */
void health_kit_ring_free (HealthKitRing *r);

/* A pending decision: ID is a node index, or a link index | LINK. */
typedef struct
{
  HealthTimeMs time;
  uint32_t id;
} HealthKitTimer;
#define HEALTH_KIT_TIMER_LINK 0x80000000u

/* A min-heap of timers on time. An owner that changes its mind leaves its
 * old entry in the heap; the LIVE callback says whether an entry still
 * stands (its owner still waits for exactly that time), and dead entries
 * are dropped when they reach the top (lazy deletion). */
typedef bool (*HealthKitLiveFn) (void *owner, const HealthKitTimer *t);

GArray *health_kit_timers_new (void);
void health_kit_timers_push (GArray *heap, HealthTimeMs time, uint32_t id);
/* The earliest live timer's time, dropping dead ones above it;
 * HEALTH_TIME_NEVER when none. */
HealthTimeMs health_kit_timers_next (GArray *heap, HealthKitLiveFn live,
                                     void *owner);
/* Removes and returns the top timer (call after _next). */
HealthKitTimer health_kit_timers_pop (GArray *heap);

/* When cls is one of health_policies.c's classes (reactive, standard,
 * proactive) and self its state: copies its count of nodes per state into
 * counts[HEALTH_NODE_N_STATES] (kept as states change, O(states)) and
 * returns TRUE; FALSE otherwise (the reference policies and plugins keep
 * none). Defined in health_policies.c. */
bool health_policy_builtin_state_counts (const HealthPolicyClass *cls,
                                         void *self, uint32_t *counts);

/* Emits a node's action (no link) or a link's action (no node, no GPU). */
void health_kit_emit_node (HealthActionSink *sink, HealthActionKind kind,
                           HealthTimeMs now, uint32_t node, int32_t gpu,
                           const char *reason);
void health_kit_emit_link (HealthActionSink *sink, HealthActionKind kind,
                           HealthTimeMs now, uint32_t link, const char *reason);
