/* policy/params.c - see params.h. */
#include "params.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (faultline-params-error-quark, params_error)

bool
params_parse_bool (const char *text, bool *out)
{
  static const char *const yes[] = { "true", "yes", "on", "1" };
  static const char *const no[] = { "false", "no", "off", "0" };
  g_return_val_if_fail (text != NULL && out != NULL, false);
  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    {
      if (g_ascii_strcasecmp (text, yes[i]) == 0)
        {
          *out = true;
          return true;
        }
      if (g_ascii_strcasecmp (text, no[i]) == 0)
        {
          *out = false;
          return true;
        }
    }
  return false;
}

static const char *
unit_word (double unit_s)
{
  return unit_s == 3600 ? "hours" : unit_s == 60 ? "minutes"
         : unit_s == 86400 ? "days" : unit_s == 0.001 ? "milliseconds"
         : "seconds";
}

bool
params_parse_number (const char *text, double unit_s, double *out,
                     GError **error)
{
  static const struct { const char *suffix; double s; } units[] = {
    { "s", 1 }, { "m", 60 }, { "min", 60 }, { "h", 3600 },
    { "d", 86400 }, { "w", 604800 },
  };
  g_return_val_if_fail (text != NULL && out != NULL, false);
  bool duration = unit_s > 0;
  /* decimal only: [+-] digits [. digits] [e [+-] digits] */
  const char *p = text;
  if (*p == '+' || *p == '-')
    p++;
  size_t digits = strspn (p, "0123456789");
  p += digits;
  if (*p == '.')
    {
      size_t frac = strspn (p + 1, "0123456789");
      digits += frac;
      p += 1 + frac;
    }
  if (digits > 0 && (*p == 'e' || *p == 'E'))
    {
      const char *q = p + 1;
      if (*q == '+' || *q == '-')
        q++;
      size_t exp = strspn (q, "0123456789");
      if (exp > 0)
        p = q + exp;
    }
  double k = -1;
  if (digits > 0 && *p == '\0')
    k = 1;
  else if (digits > 0 && duration)
    for (size_t i = 0; i < G_N_ELEMENTS (units); i++)
      if (strcmp (p, units[i].suffix) == 0)
        k = units[i].s / unit_s;
  if (k < 0)
    {
      if (duration)
        g_set_error (error, PARAMS_ERROR, PARAMS_ERROR_INVALID,
                     "'%s' is not a number of %s or a duration like 90s, "
                     "30m, 2h, 54d or 1w", text, unit_word (unit_s));
      else
        g_set_error (error, PARAMS_ERROR, PARAMS_ERROR_INVALID,
                     "'%s' is not %s", text,
                     *p != '\0' && digits > 0 && strchr ("smhdw", *p) != NULL
                       ? "a plain number (this value takes no unit suffix)"
                       : "a plain decimal number (no spaces, no hex)");
      return false;
    }
  char *end = NULL;
  double x = g_ascii_strtod (text, &end);
  *out = x * k;
  if (!isfinite (*out))
    {
      g_set_error (error, PARAMS_ERROR, PARAMS_ERROR_INVALID,
                   "'%s' is too large", text);
      return false;
    }
  return true;
}
