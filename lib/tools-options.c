/* lib/tools-options.c - every value a scenario or --set can give, as the
 * public API (faultline.h fl_option_info): the world's config keys and
 * other numbers (models/config.c), the failure_mode() keys
 * (models/world-catalog.c), the health policy's parameters
 * (policy/health.h) and the scheduler's (policy/sched.h), with their
 * types, units, defaults and accepted values. `faultline help options`
 * prints them; the tables themselves stay with their owners. */
#include "faultline.h"

#include <string.h>

#include "health.h"
#include "sched.h"
#include "world.h"

/* "whole [0, 1e+07] s (or 0); --set takes seconds or 90s 30m 2h 54d 1w"
 * for a number (tests/cli/test_hostile.sh reads this form). Returns:
 * (transfer full). */
static char *
range_text (const WorldRange *r)
{
  bool dur = strcmp (r->unit, "s") == 0;
  return g_strdup_printf ("%s [%g, %g]%s%s%s%s%s", r->whole ? "whole"
                          : "range", r->min, r->max, *r->unit ? " " : "",
                          r->unit, r->zero_off ? " (or 0)" : "",
                          r->is_key ? "; --set takes " : "",
                          !r->is_key ? "" : dur ? "seconds or 90s 30m 2h 54d 1w"
                          : "a plain number, no unit");
}

static const char *
type_name (WorldValType type)
{
  return type == WORLD_VAL_NUMBER ? "number"
         : type == WORLD_VAL_STRING ? "string" : "bool";
}

/* "one of: a, b, c". Returns: (transfer full). */
static char *
one_of (const char *const *values)
{
  g_autofree char *all = g_strjoinv (", ", (char **) values);
  return g_strdup_printf ("one of: %s", all);
}

/* The table, built once: FlOptionInfo rows whose strings are the owners'
 * static ones or kept in `text` for the life of the process. */
static GArray *options;
static GStringChunk *text;

static const char *
keep (char *s) /* (transfer full) s */
{
  if (s == NULL)
    return NULL;
  const char *k = g_string_chunk_insert (text, s);
  g_free (s);
  return k;
}

static void
add (FlOptionGroup group, const char *key, const char *type, const char *unit,
     const char *def, const char *help, const char *accepts)
{
  FlOptionInfo o = {
    .group = group, .key = key, .type = type, .unit = unit ? unit : "",
    .default_value = def, .help = help ? help : "", .accepts = accepts,
  };
  g_array_append_val (options, o);
}

static void
add_config_key (const char *key, WorldValType type, const char *unit,
                const char *def, const char *help, void *user_data)
{
  (void) user_data;
  WorldKeyInfo info;
  char *accepts = NULL;
  if (world_config_key_info (key, &info))
    {
      if (info.range != NULL)
        accepts = range_text (info.range);
      else if (info.values != NULL)
        accepts = one_of (info.values);
    }
  add (FL_OPTION_CONFIG, keep (g_strdup (key)), type_name (type),
       keep (g_strdup (unit)), keep (g_strdup (def)),
       keep (g_strdup (help)), keep (accepts));
}

static void
add_number (const WorldRange *r, void *user_data)
{
  (void) user_data;
  if (r->is_key)
    return;
  add (FL_OPTION_NUMBER, r->key, "number", r->unit, NULL, r->help,
       keep (range_text (r)));
}

static gpointer
build (gpointer unused)
{
  (void) unused;
  options = g_array_new (FALSE, TRUE, sizeof (FlOptionInfo));
  text = g_string_chunk_new (4096);
  world_config_foreach_key (add_config_key, NULL);
  world_range_foreach (add_number, NULL);
  guint nm;
  const WorldModeKey *mk = world_mode_keys (&nm);
  for (guint i = 0; i < nm; i++)
    add (FL_OPTION_FAILURE_MODE, mk[i].key, type_name (mk[i].type),
         mk[i].unit, NULL, mk[i].help,
         mk[i].values != NULL ? keep (one_of (mk[i].values)) : NULL);
  HealthParams hp;
  health_params_default (&hp, "standard");
  for (const HealthParamInfo *k = health_params_keys (); k->key != NULL; k++)
    {
      char *def = health_params_get (&hp, k->key);
      add (FL_OPTION_HEALTH, keep (g_strdup_printf ("health.%s", k->key)),
           "", k->unit, def != NULL ? keep (def) : "", k->help, NULL);
    }
  size_t n;
  const SchedConfigKey *sk = sched_config_keys (&n);
  for (size_t i = 0; i < n; i++)
    add (FL_OPTION_SCHED, keep (g_strdup_printf ("sched.%s", sk[i].key)), "",
         "", sk[i].def, sk[i].help,
         keep (g_strdup_printf ("Values: %s.", sk[i].values)));
  return NULL;
}

bool
fl_option_info (size_t i, FlOptionInfo *info)
{
  static GOnce once = G_ONCE_INIT;
  g_once (&once, build, NULL);
  if (i >= options->len)
    return false;
  if (info != NULL)
    *info = g_array_index (options, FlOptionInfo, i);
  return true;
}
