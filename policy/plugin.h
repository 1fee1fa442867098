/* policy/plugin.h - loading a health policy from a shared object.
 *
 * A plugin is a .so built against policy/health.h that exports
 *   const HealthPolicyClass *faultline_health_policy (void);
 * (docs/examples/health-plugin/). This file only finds and checks the
 * class; health_policy_new() runs it. Not a sandbox: a plugin runs with
 * the rights of the process. GLib/GModule only. */
#pragma once

#include <glib.h>

#include "health.h"

G_BEGIN_DECLS

/* Loads the plugin at path and returns its class, or NULL with an error
 * (HEALTH_ERROR_PLUGIN: missing file, not a loadable object, symbol
 * missing, NULL class; HEALTH_ERROR_VERSION: built for another
 * HEALTH_API_VERSION). The module stays loaded for the life of the
 * process, so the class pointer stays valid: (transfer none). */
const HealthPolicyClass *health_plugin_load (const char *path, GError **error);

G_END_DECLS
