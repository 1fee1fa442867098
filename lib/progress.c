/* lib/progress.c - progress lines on stderr (see progress.h). */
#include "progress.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void
progress_init (Progress *p, bool tty)
{
  g_return_if_fail (p != NULL);
  p->start_us = g_get_monotonic_time ();
  p->last_us = p->start_us;
  p->tty = tty;
  p->printed = false;
}

bool
progress_due (Progress *p, bool last, double *elapsed_s)
{
  gint64 now = g_get_monotonic_time ();
  if (elapsed_s != NULL)
    *elapsed_s = (double) (now - p->start_us) / 1e6;
  if (!p->tty && p->printed && !last
      && now - p->last_us < PROGRESS_LOG_EVERY_S * G_USEC_PER_SEC)
    return false;
  p->last_us = now;
  p->printed = true;
  return true;
}

void
progress_duration (char *buf, size_t len, double s)
{
  if (!isfinite (s) || s < 0)
    g_snprintf (buf, len, "-");
  else if (s < 100)
    g_snprintf (buf, len, "%.0f s", s);
  else if (s < 6000)
    g_snprintf (buf, len, "%.0f min", s / 60);
  else
    g_snprintf (buf, len, "%.1f h", s / 3600);
}

/* n with a comma between thousands. */
static void
progress_grouped (GString *s, uint64_t n)
{
  char digits[24];
  g_snprintf (digits, sizeof digits, "%" G_GUINT64_FORMAT, n);
  size_t len = strlen (digits);
  for (size_t i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (s, ',');
      g_string_append_c (s, digits[i]);
    }
}

char *
progress_run_line (double sim_s, double total_s, uint64_t events,
                   double elapsed_s)
{
  bool days = total_s > 4 * 86400;
  double unit = days ? 86400 : 3600;
  double frac = total_s > 0 ? CLAMP (sim_s / total_s, 0, 1) : 1;
  double eta = frac >= 1 ? 0
               : frac > 0 && elapsed_s > 0 ? elapsed_s * (1 - frac) / frac
                                           : NAN;
  char el[32], et[32];
  progress_duration (el, sizeof el, elapsed_s);
  progress_duration (et, sizeof et, eta);
  GString *s = g_string_new (NULL);
  g_string_append_printf (s, "run: %.1f / %.1f simulated %s (%.0f%%), ",
                          sim_s / unit, total_s / unit,
                          days ? "days" : "hours", 100 * frac);
  progress_grouped (s, events);
  g_string_append_printf (s, " events, elapsed %s, eta %s", el, et);
  return g_string_free (s, FALSE);
}

void
progress_print (const Progress *p, const char *line)
{
  fprintf (stderr, "%s%s%s", p->tty ? "\r\033[K" : "", line,
           p->tty ? "" : "\n");
  fflush (stderr);
}
