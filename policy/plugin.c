/* policy/plugin.c - see plugin.h. Loads a health-policy .so with GModule
 * and checks its HealthPolicyClass before anyone calls into it. Modules are
 * made resident (never unloaded): classes and static reason strings from a
 * plugin may outlive any one HealthPolicy. */
#include "plugin.h"

#include <gmodule.h>
#include <string.h>

const HealthPolicyClass *
health_plugin_load (const char *path, GError **error)
{
  GModule *module;
  gpointer sym = NULL;
  HealthPolicyEntry entry;
  const HealthPolicyClass *cls;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, HEALTH_ERROR, HEALTH_ERROR_PLUGIN,
                   "health plugin %s: is a folder (give the path of the "
                   ".so, e.g. ./my_policy.so)", path);
      return NULL;
    }
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, HEALTH_ERROR, HEALTH_ERROR_PLUGIN,
                   "health plugin %s: no such file (give the path of the "
                   ".so, e.g. ./my_policy.so)", path);
      return NULL;
    }
  /* A bare file name would make the dynamic loader search the library
   * path instead of opening the file the user named. */
  g_autofree char *local = strchr (path, '/') == NULL
                             ? g_strconcat ("./", path, NULL) : NULL;
  module = g_module_open (local != NULL ? local : path, G_MODULE_BIND_LOCAL);
  if (module == NULL)
    {
      g_set_error (error, HEALTH_ERROR, HEALTH_ERROR_PLUGIN,
                   "health plugin %s: cannot load: %s", path,
                   g_module_error ());
      return NULL;
    }
  if (!g_module_symbol (module, HEALTH_PLUGIN_SYMBOL, &sym) || sym == NULL)
    {
      g_set_error (error, HEALTH_ERROR, HEALTH_ERROR_PLUGIN,
                   "health plugin %s does not export %s(); see "
                   "docs/examples/health-plugin/my_policy.c",
                   path, HEALTH_PLUGIN_SYMBOL);
      g_module_close (module);
      return NULL;
    }
  /* object pointer -> function pointer, as dlsym(3) documents */
  *(gpointer *) &entry = sym;
  cls = entry ();
  if (cls == NULL)
    {
      g_set_error (error, HEALTH_ERROR, HEALTH_ERROR_PLUGIN,
                   "health plugin %s: %s() returned NULL", path,
                   HEALTH_PLUGIN_SYMBOL);
      g_module_close (module);
      return NULL;
    }
  if (cls->api_version != HEALTH_API_VERSION)
    {
      g_set_error (error, HEALTH_ERROR, HEALTH_ERROR_VERSION,
                   "plugin %s implements health API version %" G_GUINT32_FORMAT
                   ", faultline expects %d; rebuild %s against this health.h",
                   cls->name != NULL ? cls->name : "(unnamed)",
                   cls->api_version, HEALTH_API_VERSION, path);
      g_module_close (module);
      return NULL;
    }
  g_module_make_resident (module);
  return cls;
}
