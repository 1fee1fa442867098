/* policy/health_reference.h - the vocabulary shared by the reference
 * policies (health_reference.c) and the writers of health events
 * (lib/healthevents.c): NVIDIA's recommended actions and the Xid table
 * (docs/policies.md "Health events"). GLib only. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "health.h"

G_BEGIN_DECLS

/* The recommendedAction of a health event (NVSentinel's HealthEvent
 * schema; the first names are NVIDIA's Xid-catalogue resolution
 * buckets). */
typedef enum
{
  HEALTH_REF_NONE,
  HEALTH_REF_COMPONENT_RESET,
  HEALTH_REF_CONTACT_SUPPORT,
  HEALTH_REF_RUN_FIELDDIAG,
  HEALTH_REF_RESTART_VM,
  HEALTH_REF_RESTART_BM,
  HEALTH_REF_REPLACE_VM,
  HEALTH_REF_RUN_DCGMEUD,
  HEALTH_REF_RESTART_APP,
  HEALTH_REF_UNKNOWN,
  HEALTH_REF_N_RECOMMENDED
} HealthRefRecommended;

/* "COMPONENT_RESET", ...; "UNKNOWN" when out of range. Never NULL. */
const char *health_ref_recommended_name (HealthRefRecommended r);

/* TRUE for the Xids the NVIDIA device plugin treats as application errors
 * (13, 31, 43, 45, 68): they never mark a GPU unhealthy. */
bool health_ref_xid_is_application (int32_t xid);

/* The recommended action for an Xid (recovery = the NVML recovery action
 * reported with Xid 154, else ignored); *fatal (may be NULL) = the Xid
 * makes the GPU unhealthy; *message (may be NULL) = its meaning (static). */
HealthRefRecommended health_ref_xid_recommended (int32_t xid,
                                                 uint64_t recovery,
                                                 bool *fatal,
                                                 const char **message);

/* The class of "nvsentinel", "eks-auto-repair" or "slurm-nhc"; NULL for
 * another name (health_policy_class_lookup() is the public entry). */
const HealthPolicyClass *health_ref_class_lookup (const char *name);

G_END_DECLS
