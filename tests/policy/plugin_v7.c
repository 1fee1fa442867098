/* tests/policy/plugin_v7.c - a test plugin that claims health API version
 * 7, to check that the loader refuses it with a clear message. */
#include <stddef.h>

#include "health.h"

const HealthPolicyClass *faultline_health_policy (void);

static const HealthPolicyClass future_class = {
  .api_version = 7,
  .name = "from-the-future",
};

const HealthPolicyClass *
faultline_health_policy (void)
{
  return &future_class;
}
