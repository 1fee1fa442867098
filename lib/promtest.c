/* lib/promtest.c - `faultline promtest`: a promtool unit-test file from a
 * run's OpenMetrics series and a rule file (see promtest.h for the
 * method, docs/monitoring.md for the loop). */
#include "promtest.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>
#include <yaml.h>

#include "atomicfile.h"
#include "faultline.h"
#include "infile.h"
#include "yamltext.h"

#define PROM_MAX_OM ((gsize) 2 << 30)        /* an OpenMetrics file */
#define PROM_MAX_RULES ((gsize) 16 << 20)    /* a rule file */
#define PROM_MAX_POINTS INT64_C(10000000)    /* grid points of one series */
#define PROM_MAX_PROBES 200000               /* alerts x probe times */
#define PROM_EVAL_INTERVAL_MS (INT64_C(60) * 1000) /* evaluation_interval */
#define PROM_DEFAULT_EVERY_MS PROM_EVAL_INTERVAL_MS

/* {============ OpenMetrics ============ */

typedef enum
{
  AGG_UNSCHED,  /* kube_node_spec_unschedulable: sum */
  AGG_NODES,    /* faultline_nodes: sum */
  AGG_XID,      /* DCGM_FI_DEV_XID_ERRORS: count of series > 0 */
  AGG_LINKDOWN, /* faultline_ib_link_up: count of series == 0 */
  AGG_N
} AggKind;

static const char *const agg_names[AGG_N] = {
  "kube_node_spec_unschedulable", "faultline_nodes", "DCGM_FI_DEV_XID_ERRORS",
  "faultline_ib_link_up",
};

typedef struct
{
  int64_t ts;       /* ms since the Unix epoch */
  uint32_t off;     /* the value's text in the parsed buffer */
  uint32_t len;
} Sample;

typedef struct
{
  char *selector;   /* name{labels} as in the file */
  GArray *samples;  /* Sample, time order (only while parsing) */
  char *values;     /* expanding notation, after parsing */
} Series;

typedef struct
{
  int64_t ts;
  AggKind kind;
  double v;
} AggSample;

struct PromSeriesSet
{
  GPtrArray *series;  /* Series */
  int64_t origin, step, points;
  uint64_t n_samples;
  double *agg[AGG_N]; /* per grid point; NULL when the family is absent */
};

static void
series_free (gpointer p)
{
  Series *s = p;
  g_free (s->selector);
  if (s->samples != NULL)
    g_array_unref (s->samples);
  g_free (s->values);
  g_free (s);
}

void
prom_series_free (PromSeriesSet *s)
{
  if (s == NULL)
    return;
  g_ptr_array_unref (s->series);
  for (int k = 0; k < AGG_N; k++)
    g_free (s->agg[k]);
  g_free (s);
}

static bool
is_name_start (char c)
{
  return g_ascii_isalpha (c) || c == '_' || c == ':';
}

static bool
is_name_char (char c)
{
  return is_name_start (c) || g_ascii_isdigit (c);
}

static int64_t
gcd64 (int64_t a, int64_t b)
{
  a = a < 0 ? -a : a;
  b = b < 0 ? -b : b;
  while (b != 0)
    {
      int64_t t = a % b;
      a = b;
      b = t;
    }
  return a;
}

/* Checks the {labels} at P (P[0] == '{'); returns the end (after '}') or
 * NULL with *why set. */
static const char *
scan_labels (const char *p, const char *end, const char **why)
{
  p++;
  if (p < end && *p == '}')
    return p + 1;
  for (;;)
    {
      if (p >= end || !(g_ascii_isalpha (*p) || *p == '_'))
        {
          *why = "a label name";
          return NULL;
        }
      while (p < end && (g_ascii_isalnum (*p) || *p == '_'))
        p++;
      if (p + 1 >= end || p[0] != '=' || p[1] != '"')
        {
          *why = "=\" after a label name";
          return NULL;
        }
      p += 2;
      while (p < end && *p != '"')
        {
          if (*p == '\\')
            {
              if (p + 1 >= end || (p[1] != '\\' && p[1] != '"' && p[1] != 'n'))
                {
                  *why = "an escape \\\\, \\\" or \\n in a label value";
                  return NULL;
                }
              p++;
            }
          p++;
        }
      if (p >= end)
        {
          *why = "the closing quote of a label value";
          return NULL;
        }
      p++;
      if (p < end && *p == '}')
        return p + 1;
      if (p >= end || *p != ',')
        {
          *why = "',' or '}' after a label value";
          return NULL;
        }
      p++;
      if (p < end && *p == '}') /* a trailing comma is allowed */
        return p + 1;
    }
}

/* Parses the decimal seconds [START, END) into ms since the epoch. */
/* Copies the token [START, END) into BUF (64 bytes) with a NUL; false
 * when it is empty or longer than any number. */
static bool
token_copy (const char *start, const char *end, char buf[64], size_t *len)
{
  size_t n = (size_t) (end - start);
  if (n == 0 || n >= 64)
    return false;
  memcpy (buf, start, n);
  buf[n] = '\0';
  *len = n;
  return true;
}

static bool
parse_timestamp (const char *start, const char *end, int64_t *ms)
{
  char buf[64];
  size_t n;
  if (!token_copy (start, end, buf, &n))
    return false;
  for (size_t i = 0; i < n; i++)
    if (!(g_ascii_isdigit (buf[i]) || buf[i] == '.' || (i == 0 && buf[i] == '-')))
      return false;
  char *e;
  double s = g_ascii_strtod (buf, &e);
  if (*e != '\0' || !isfinite (s) || fabs (s) > 1e11)
    return false;
  *ms = (int64_t) llround (s * 1000.0);
  return true;
}

static bool
parse_value (const char *start, const char *end, double *v)
{
  char buf[64];
  size_t n;
  if (!token_copy (start, end, buf, &n))
    return false;
  char *e;
  *v = g_ascii_strtod (buf, &e);
  if (*e != '\0')
    return false;
  /* strtod's hex floats and "infinity" spellings are not OpenMetrics */
  for (size_t i = 0; i < n; i++)
    if (buf[i] == 'x' || buf[i] == 'X')
      return false;
  return true;
}

/* promtool's values notation for one value. */
static void
append_value (GString *out, const char *text, uint32_t len)
{
  double v;
  if (parse_value (text, text + len, &v) && !isfinite (v))
    g_string_append (out, isnan (v) ? "NaN" : v > 0 ? "Inf" : "-Inf");
  else
    g_string_append_len (out, text, len);
}

static void
flush_run (GString *out, const char *text, const Sample *run, int64_t count)
{
  if (count == 0)
    return;
  if (out->len > 0)
    g_string_append_c (out, ' ');
  append_value (out, text + run->off, run->len);
  if (count > 1)
    g_string_append_printf (out, "x%" PRId64, count - 1);
}

static char *
encode_series (const Series *s, const char *text, int64_t origin, int64_t step)
{
  GString *out = g_string_new (NULL);
  int64_t next = 0;        /* grid index after the last value */
  const Sample *run = NULL;
  int64_t count = 0;
  for (guint i = 0; i < s->samples->len; i++)
    {
      const Sample *x = &g_array_index (s->samples, Sample, i);
      int64_t idx = (x->ts - origin) / step;
      if (idx > next)
        {
          flush_run (out, text, run, count);
          run = NULL;
          count = 0;
          if (out->len > 0)
            g_string_append_c (out, ' ');
          if (idx - next == 1)
            g_string_append (out, "_");
          else
            g_string_append_printf (out, "_x%" PRId64, idx - next);
        }
      if (run != NULL && x->len == run->len
          && memcmp (text + x->off, text + run->off, x->len) == 0)
        count++;
      else
        {
          flush_run (out, text, run, count);
          run = x;
          count = 1;
        }
      next = idx + 1;
    }
  flush_run (out, text, run, count);
  return g_string_free (out, FALSE);
}

PromSeriesSet *
prom_series_parse (const char *text, size_t len, const char *name,
                   GHashTable *want, GError **error)
{
  g_return_val_if_fail (text != NULL && name != NULL, NULL);
  if (len > UINT32_MAX)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s: larger than 4 GiB", name);
      return NULL;
    }
  g_autoptr (GPtrArray) series = g_ptr_array_new_with_free_func (series_free);
  g_autoptr (GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) last_ts = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                          g_free, g_free);
  g_autoptr (GArray) aggs = g_array_new (FALSE, FALSE, sizeof (AggSample));
  bool have_agg[AGG_N] = { false };
  int64_t first = 0, g = 0, min_ts = 0, max_ts = 0;
  uint64_t n_samples = 0;
  bool eof = false;
  const char *p = text, *end = text + len;
  unsigned line = 0;
  if (!g_utf8_validate (text, (gssize) len, NULL))
    {
      const char *bad;
      g_utf8_validate (text, (gssize) len, &bad);
      unsigned l = 1;
      for (const char *q = text; q < bad; q++)
        l += *q == '\n';
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s:%u: not UTF-8 text", name, l);
      return NULL;
    }
  while (p < end)
    {
      line++;
      const char *nl = memchr (p, '\n', (size_t) (end - p));
      if (nl == NULL)
        {
          g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                       "%s:%u: the last line has no newline (a truncated file?)",
                       name, line);
          return NULL;
        }
      const char *l = p, *le = nl;
      p = nl + 1;
      if (eof)
        {
          g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                       "%s:%u: text after '# EOF'", name, line);
          return NULL;
        }
      if (le - l >= 5 && memcmp (l, "# EOF", 5) == 0 && le - l == 5)
        {
          eof = true;
          continue;
        }
      if (*l == '#')
        {
          if (le - l >= 7 && (memcmp (l, "# TYPE ", 7) == 0 || memcmp (l, "# HELP ", 7) == 0
                              || memcmp (l, "# UNIT ", 7) == 0))
            continue;
          g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                       "%s:%u: a comment other than # TYPE, # HELP, # UNIT or # EOF",
                       name, line);
          return NULL;
        }
      const char *q = l;
      const char *why = NULL;
      if (q >= le || !is_name_start (*q))
        why = "a metric name";
      while (why == NULL && q < le && is_name_char (*q))
        q++;
      const char *name_end = q;
      if (why == NULL && q < le && *q == '{')
        q = scan_labels (q, le, &why);
      const char *sel_end = q;
      const char *v0 = NULL, *v1 = NULL, *t0 = NULL;
      if (why == NULL && (q >= le || *q != ' '))
        why = "a space after the name and labels";
      if (why == NULL)
        {
          v0 = ++q;
          while (q < le && *q != ' ')
            q++;
          v1 = q;
          if (q >= le)
            why = "a timestamp: promtest reads the timestamped files of "
                  "`faultline run --metrics`";
          else
            t0 = q + 1;
        }
      double v = 0;
      int64_t ts = 0;
      if (why == NULL && !parse_value (v0, v1, &v))
        why = "a number as the value";
      if (why == NULL && memchr (t0, ' ', (size_t) (le - t0)) != NULL)
        why = "the end of the line after the timestamp (exemplars are not read)";
      if (why == NULL && !parse_timestamp (t0, le, &ts))
        why = "a timestamp in decimal seconds";
      if (why != NULL)
        {
          g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s:%u: expected %s",
                       name, line, why);
          return NULL;
        }
      n_samples++;
      if (n_samples == 1)
        first = min_ts = max_ts = ts;
      min_ts = MIN (min_ts, ts);
      max_ts = MAX (max_ts, ts);
      g = gcd64 (g, ts - first);
      g_autofree char *sel = g_strndup (l, (gsize) (sel_end - l));
      int64_t *prev = g_hash_table_lookup (last_ts, sel);
      if (prev != NULL && ts <= *prev)
        {
          g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                       "%s:%u: %s goes back in time (%.3f after %.3f)", name,
                       line, sel, ts / 1000.0, *prev / 1000.0);
          return NULL;
        }
      if (prev == NULL)
        {
          prev = g_new (int64_t, 1);
          g_hash_table_insert (last_ts, g_strdup (sel), prev);
        }
      *prev = ts;
      g_autofree char *metric = g_strndup (l, (gsize) (name_end - l));
      for (int k = 0; k < AGG_N; k++)
        if (strcmp (metric, agg_names[k]) == 0)
          {
            AggSample a = { ts, k, v };
            g_array_append_val (aggs, a);
            have_agg[k] = true;
          }
      if (want != NULL && !g_hash_table_contains (want, metric))
        continue;
      Series *s = g_hash_table_lookup (index, sel);
      if (s == NULL)
        {
          s = g_new0 (Series, 1);
          s->selector = g_steal_pointer (&sel);
          s->samples = g_array_new (FALSE, FALSE, sizeof (Sample));
          g_ptr_array_add (series, s);
          g_hash_table_insert (index, s->selector, s);
        }
      Sample x = { ts, (uint32_t) (v0 - text), (uint32_t) (v1 - v0) };
      g_array_append_val (s->samples, x);
    }
  if (!eof)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                   "%s:%u: no '# EOF' at the end (a truncated file?)", name, line);
      return NULL;
    }
  if (n_samples == 0)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s: no samples", name);
      return NULL;
    }
  /* the grid: the earliest sample; the gcd of the distances from the
   * first sample divides the distances from the earliest too */
  int64_t origin = min_ts, last = max_ts;
  int64_t step = g > 0 ? g : 60000;
  int64_t points = (last - origin) / step + 1;
  if (points > PROM_MAX_POINTS)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                   "%s: the sample times share no scrape interval (greatest "
                   "common step %" PRId64 " ms over %.0f s: %" PRId64 " points, "
                   "at most %" PRId64 ")", name, step, (last - origin) / 1000.0,
                   points, PROM_MAX_POINTS);
      return NULL;
    }
  PromSeriesSet *set = g_new0 (PromSeriesSet, 1);
  set->origin = origin;
  set->step = step;
  set->points = points;
  set->n_samples = n_samples;
  for (int k = 0; k < AGG_N; k++)
    if (have_agg[k])
      set->agg[k] = g_new0 (double, (gsize) points);
  for (guint i = 0; i < aggs->len; i++)
    {
      AggSample *a = &g_array_index (aggs, AggSample, i);
      int64_t idx = (a->ts - origin) / step;
      double add = a->kind == AGG_XID ? (a->v > 0) : a->kind == AGG_LINKDOWN ? (a->v == 0) : a->v;
      set->agg[a->kind][idx] += add;
    }
  for (guint i = 0; i < series->len; i++)
    {
      Series *s = g_ptr_array_index (series, i);
      s->values = encode_series (s, text, origin, step);
      g_clear_pointer (&s->samples, g_array_unref);
    }
  set->series = g_steal_pointer (&series);
  return set;
}

void
prom_series_grid (const PromSeriesSet *s, int64_t *origin_ms, int64_t *step_ms,
                  int64_t *points)
{
  *origin_ms = s->origin;
  *step_ms = s->step;
  *points = s->points;
}

guint
prom_series_count (const PromSeriesSet *s)
{
  return s->series->len;
}

const char *
prom_series_selector (const PromSeriesSet *s, guint i)
{
  return ((Series *) g_ptr_array_index (s->series, i))->selector;
}

const char *
prom_series_values (const PromSeriesSet *s, guint i)
{
  return ((Series *) g_ptr_array_index (s->series, i))->values;
}

/* }============ */

/* {============ rule file ============ */

static yaml_node_t *
map_get (yaml_document_t *doc, yaml_node_t *map, const char *key)
{
  if (map == NULL || map->type != YAML_MAPPING_NODE)
    return NULL;
  for (yaml_node_pair_t *pr = map->data.mapping.pairs.start;
       pr < map->data.mapping.pairs.top; pr++)
    {
      yaml_node_t *k = yaml_document_get_node (doc, pr->key);
      if (k != NULL && k->type == YAML_SCALAR_NODE
          && strcmp ((const char *) k->data.scalar.value, key) == 0)
        return yaml_document_get_node (doc, pr->value);
    }
  return NULL;
}

static void
add_idents (const char *expr, GHashTable *idents)
{
  const char *p = expr;
  while (*p != '\0')
    {
      if (is_name_start (*p) && (p == expr || !is_name_char (p[-1])))
        {
          const char *s = p;
          while (is_name_char (*p))
            p++;
          g_hash_table_add (idents, g_strndup (s, (gsize) (p - s)));
        }
      else
        p++;
    }
}

bool
prom_rules_parse (const char *text, size_t len, const char *name,
                  GPtrArray *alerts, GHashTable *idents, GError **error)
{
  yaml_parser_t parser;
  yaml_document_t doc;
  if (!yaml_parser_initialize (&parser))
    g_error ("libyaml: out of memory");
  yaml_parser_set_input_string (&parser, (const unsigned char *) text, len);
  if (!yaml_parser_load (&parser, &doc))
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s:%zu:%zu: %s", name,
                   parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                   parser.problem ? parser.problem : "not YAML");
      yaml_parser_delete (&parser);
      return false;
    }
  yaml_parser_delete (&parser);
  bool ok = false;
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  yaml_node_t *root = yaml_document_get_root_node (&doc);
  yaml_node_t *groups = map_get (&doc, root, "groups");
  const char *bad = NULL;
  yaml_node_t *at = root;
  if (groups == NULL || groups->type != YAML_SEQUENCE_NODE)
    bad = "not a Prometheus rule file (expected a list 'groups:')";
  for (yaml_node_item_t *gi = bad ? NULL : groups->data.sequence.items.start;
       bad == NULL && gi < groups->data.sequence.items.top; gi++)
    {
      yaml_node_t *grp = yaml_document_get_node (&doc, *gi);
      yaml_node_t *rules = map_get (&doc, grp, "rules");
      at = grp;
      if (rules == NULL || rules->type != YAML_SEQUENCE_NODE)
        {
          bad = "a group without a list 'rules:'";
          break;
        }
      for (yaml_node_item_t *ri = rules->data.sequence.items.start;
           ri < rules->data.sequence.items.top; ri++)
        {
          yaml_node_t *rule = yaml_document_get_node (&doc, *ri);
          yaml_node_t *expr = map_get (&doc, rule, "expr");
          yaml_node_t *alert = map_get (&doc, rule, "alert");
          at = rule;
          if (expr == NULL || expr->type != YAML_SCALAR_NODE)
            {
              bad = "a rule without an 'expr:'";
              break;
            }
          add_idents ((const char *) expr->data.scalar.value, idents);
          if (alert == NULL)
            continue;
          const char *a = (const char *) alert->data.scalar.value;
          if (alert->type != YAML_SCALAR_NODE || *a == '\0')
            {
              at = alert;
              bad = "an 'alert:' that is not a name";
              break;
            }
          if (!g_hash_table_contains (seen, a))
            {
              char *dup = g_strdup (a);
              g_ptr_array_add (alerts, dup);
              g_hash_table_add (seen, dup);
            }
        }
    }
  if (bad != NULL)
    g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s:%zu:%zu: %s", name,
                 (at ? at->start_mark.line : 0) + 1,
                 (at ? at->start_mark.column : 0) + 1, bad);
  else if (alerts->len == 0)
    g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                 "%s: no alerting rule ('alert:') to test", name);
  else
    ok = true;
  yaml_document_delete (&doc);
  return ok;
}

/* }============ */

/* {============ durations ============ */

bool
prom_duration_parse (const char *s, int64_t *ms)
{
  static const struct { const char *u; int64_t ms; } units[] = {
    { "y", INT64_C(365) * 86400000 }, { "w", INT64_C(7) * 86400000 },
    { "d", 86400000 }, { "h", 3600000 }, { "ms", 1 }, { "m", 60000 },
    { "s", 1000 },
  };
  int64_t total = 0;
  if (s == NULL || *s == '\0')
    return false;
  if (strcmp (s, "0s") == 0 || strcmp (s, "0") == 0)
    {
      *ms = 0;
      return true;
    }
  while (*s != '\0')
    {
      if (!g_ascii_isdigit (*s))
        return false;
      int64_t n = 0;
      while (g_ascii_isdigit (*s))
        {
          if (n > INT64_C(1000000000000))
            return false;
          n = n * 10 + (*s++ - '0');
        }
      size_t k;
      for (k = 0; k < G_N_ELEMENTS (units); k++)
        if (g_str_has_prefix (s, units[k].u))
          break;
      if (k == G_N_ELEMENTS (units) || n > INT64_MAX / units[k].ms / 4)
        return false;
      total += n * units[k].ms;
      s += strlen (units[k].u);
    }
  *ms = total;
  return true;
}

char *
prom_duration_format (int64_t ms)
{
  static const struct { const char *u; int64_t ms; } units[] = {
    { "d", 86400000 }, { "h", 3600000 }, { "m", 60000 }, { "s", 1000 }, { "ms", 1 },
  };
  if (ms <= 0)
    return g_strdup ("0s");
  GString *out = g_string_new (NULL);
  for (size_t k = 0; k < G_N_ELEMENTS (units); k++)
    if (ms >= units[k].ms)
      {
        g_string_append_printf (out, "%" PRId64 "%s", ms / units[k].ms, units[k].u);
        ms %= units[k].ms;
      }
  return g_string_free (out, FALSE);
}

/* }============ */

/* {============ promtool ============ */

/* Runs promtool ARGS; *out gets stdout and stderr. FALSE with error when
 * it cannot be started; *status is its wait status. */
static bool
promtool_run (const char *promtool, const char *const *args, char **out,
              int *status, GError **error)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (char *) promtool);
  for (const char *const *a = args; *a != NULL; a++)
    g_ptr_array_add (argv, (char *) *a);
  g_ptr_array_add (argv, NULL);
  g_autofree char *o = NULL, *e = NULL;
  g_autoptr (GError) local = NULL;
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL,
                     NULL, &o, &e, status, &local))
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "cannot run %s: %s",
                   promtool, local->message);
      return false;
    }
  *out = g_strconcat (o ? o : "", e ? e : "", NULL);
  return true;
}

/* The last lines of TEXT, indented, for a message. */
static char *
tail_lines (const char *text, int n)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint len = g_strv_length (lines);
  while (len > 0 && *g_strstrip (lines[len - 1]) == '\0')
    len--;
  GString *out = g_string_new (NULL);
  for (guint i = len > (guint) n ? len - (guint) n : 0; i < len; i++)
    g_string_append_printf (out, "\n  %s", lines[i]);
  return g_string_free (out, FALSE);
}

/* A Go-quoted string at *P (strconv.Quote): unquotes into OUT, advances. */
static bool
go_unquote (const char **p, GString *out)
{
  const char *s = *p;
  if (*s != '"')
    return false;
  s++;
  while (*s != '"')
    {
      if (*s == '\0')
        return false;
      if (*s != '\\')
        {
          g_string_append_c (out, *s++);
          continue;
        }
      s++;
      char c = *s++;
      switch (c)
        {
        case 'n': g_string_append_c (out, '\n'); break;
        case 't': g_string_append_c (out, '\t'); break;
        case 'r': g_string_append_c (out, '\r'); break;
        case 'a': g_string_append_c (out, '\a'); break;
        case 'b': g_string_append_c (out, '\b'); break;
        case 'f': g_string_append_c (out, '\f'); break;
        case 'v': g_string_append_c (out, '\v'); break;
        case '\\': case '"': case '\'': g_string_append_c (out, c); break;
        case 'x': case 'u': case 'U':
          {
            int nd = c == 'x' ? 2 : c == 'u' ? 4 : 8;
            gunichar u = 0;
            for (int i = 0; i < nd; i++, s++)
              {
                int d = g_ascii_xdigit_value (*s);
                if (d < 0)
                  return false;
                u = u * 16 + (gunichar) d;
              }
            if (c == 'x')
              g_string_append_c (out, (char) u);
            else
              g_string_append_unichar (out, u);
            break;
          }
        default:
          return false;
        }
    }
  *p = s + 1;
  return true;
}

/* "{a="x", b="y"}" -> pairs (name, value) appended to KV. */
static bool
parse_label_set (const char *s, GPtrArray *kv)
{
  if (*s++ != '{')
    return false;
  while (*s == ' ')
    s++;
  if (*s == '}')
    return s[1] == '\0';
  for (;;)
    {
      const char *n = s;
      while (g_ascii_isalnum (*s) || *s == '_')
        s++;
      if (s == n || *s != '=')
        return false;
      g_autofree char *name = g_strndup (n, (gsize) (s - n));
      s++;
      GString *v = g_string_new (NULL);
      if (!go_unquote (&s, v))
        {
          g_string_free (v, TRUE);
          return false;
        }
      g_ptr_array_add (kv, g_steal_pointer (&name));
      g_ptr_array_add (kv, g_string_free (v, FALSE));
      if (*s == '}')
        return s[1] == '\0';
      if (s[0] != ',' || s[1] != ' ')
        return false;
      s += 2;
    }
}

typedef struct
{
  GPtrArray *labels;      /* name, value, ... (alertname left out) */
  GPtrArray *annotations; /* name, value, ... */
  char *key;              /* both, for comparing and sorting */
} Fired;

static void
fired_free (gpointer p)
{
  Fired *f = p;
  g_ptr_array_unref (f->labels);
  g_ptr_array_unref (f->annotations);
  g_free (f->key);
  g_free (f);
}

static int
fired_cmp (gconstpointer a, gconstpointer b)
{
  const Fired *x = *(Fired *const *) a, *y = *(Fired *const *) b;
  return strcmp (x->key, y->key);
}

static char *
case_key (const char *alert, int64_t ms)
{
  return g_strdup_printf ("%s\x1f%" PRId64, alert, ms);
}

/* Reads promtool's report of the failed probe cases: each
 *     alertname: NAME, time: DURATION,
 *         exp:[],
 *         got:[
 *             0:
 *               Labels:{...}
 *               Annotations:{...}
 * into CASES: case_key -> GPtrArray of Fired. Returns the number of cases
 * read, or -1 on a line it cannot read. */
static int
parse_probe (const char *out, GHashTable *cases, GError **error)
{
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  GPtrArray *cur = NULL;
  Fired *pending = NULL;
  int n = 0;
  for (char **lp = lines; *lp != NULL; lp++)
    {
      char *l = g_strstrip (*lp);
      size_t ll = strlen (l);
      if (ll > 0 && l[ll - 1] == ',' && (g_str_has_prefix (l, "Labels:{")
                                         || g_str_has_prefix (l, "Annotations:{")))
        l[ll - 1] = '\0'; /* a list of several alerts */
      if (g_str_has_prefix (l, "alertname: "))
        {
          char *t = g_strrstr (l, ", time: ");
          if (t == NULL)
            goto bad;
          g_autofree char *alert = g_strndup (l + 11, (gsize) (t - (l + 11)));
          g_autofree char *dur = g_strdup (t + 8);
          char *comma = strchr (dur, ',');
          if (comma != NULL)
            *comma = '\0';
          int64_t ms;
          if (!prom_duration_parse (g_strstrip (dur), &ms))
            goto bad;
          cur = g_ptr_array_new_with_free_func (fired_free);
          g_hash_table_insert (cases, case_key (alert, ms), cur);
          pending = NULL;
          n++;
        }
      else if (g_str_has_prefix (l, "Labels:{"))
        {
          if (cur == NULL)
            goto bad;
          pending = g_new0 (Fired, 1);
          pending->labels = g_ptr_array_new_with_free_func (g_free);
          pending->annotations = g_ptr_array_new_with_free_func (g_free);
          g_ptr_array_add (cur, pending);
          g_autoptr (GPtrArray) kv = g_ptr_array_new_with_free_func (g_free);
          if (!parse_label_set (l + 7, kv))
            goto bad;
          for (guint i = 0; i + 1 < kv->len; i += 2)
            if (strcmp (kv->pdata[i], "alertname") != 0)
              {
                g_ptr_array_add (pending->labels, g_strdup (kv->pdata[i]));
                g_ptr_array_add (pending->labels, g_strdup (kv->pdata[i + 1]));
              }
          pending->key = g_strdup (l);
        }
      else if (g_str_has_prefix (l, "Annotations:{"))
        {
          if (pending == NULL)
            goto bad;
          if (!parse_label_set (l + 12, pending->annotations))
            goto bad;
          char *k = g_strconcat (pending->key, "\n", l, NULL);
          g_free (pending->key);
          pending->key = k;
          pending = NULL;
        }
      continue;
    bad:
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                   "cannot read promtool's report line '%s' (promtest reads "
                   "the format of promtool 2.x)", l);
      return -1;
    }
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, cases);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      GPtrArray *a = v;
      for (guint i = 0; i < a->len; i++)
        if (((Fired *) a->pdata[i])->key == NULL)
          {
            g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                         "cannot read promtool's report: an alert without labels");
            return -1;
          }
      g_ptr_array_sort (a, fired_cmp);
    }
  return n;
}

/* }============ */

/* {============ writing the test file ============ */

/* KEY: and its pairs; the key line starts with FIRST (written by the
 * caller's "- " or spaces), the pairs are at column 14. */
static void
write_kv (GString *out, const char *first, const char *key, GPtrArray *kv)
{
  g_string_append_printf (out, "%s%s:\n", first, key);
  for (guint i = 0; i + 1 < kv->len; i += 2)
    {
      g_string_append_printf (out, "              %s: ", (char *) kv->pdata[i]);
      yamltext_dquote (out, kv->pdata[i + 1]);
      g_string_append_c (out, '\n');
    }
}

/* A path to TARGET from folder FROM (both made absolute). */
static char *
relative_path (const char *target, const char *from)
{
  g_autofree char *t = g_canonicalize_filename (target, NULL);
  g_autofree char *f = g_canonicalize_filename (from, NULL);
  g_auto (GStrv) tp = g_strsplit (t, "/", -1);
  g_auto (GStrv) fp = g_strsplit (f, "/", -1);
  guint i = 0;
  while (tp[i] != NULL && fp[i] != NULL && strcmp (tp[i], fp[i]) == 0)
    i++;
  GString *out = g_string_new (NULL);
  for (guint j = i; fp[j] != NULL; j++)
    if (*fp[j] != '\0')
      g_string_append (out, "../");
  for (guint j = i; tp[j] != NULL; j++)
    {
      g_string_append (out, tp[j]);
      if (tp[j + 1] != NULL)
        g_string_append_c (out, '/');
    }
  return g_string_free (out, FALSE);
}

static void
write_head (GString *out, const char *rules_path, const PromSeriesSet *set)
{
  g_string_append (out, "rule_files:\n  - ");
  yamltext_squote (out, rules_path);
  g_autofree char *iv = prom_duration_format (set->step);
  g_autofree char *ev = prom_duration_format (PROM_EVAL_INTERVAL_MS);
  g_string_append_printf (out, "\nevaluation_interval: %s\ntests:\n"
                          "  - interval: %s\n    input_series:\n", ev, iv);
  for (guint i = 0; i < set->series->len; i++)
    {
      Series *s = g_ptr_array_index (set->series, i);
      g_string_append (out, "      - series: ");
      yamltext_squote (out, s->selector);
      g_string_append (out, "\n        values: ");
      yamltext_squote (out, s->values);
      g_string_append_c (out, '\n');
    }
}

/* "simulated 1d2h: 3 of 1536 nodes unschedulable, ..." at test time MS. */
static void
write_state (GString *out, const PromSeriesSet *set, int64_t ms)
{
  int64_t idx = ms / set->step;
  if (idx >= set->points)
    idx = set->points - 1;
  g_autofree char *d = prom_duration_format (ms);
  g_string_append_printf (out, "      # at %s:", d);
  const char *sep = " ";
  if (set->agg[AGG_UNSCHED] != NULL)
    {
      g_string_append_printf (out, "%s%.0f", sep, set->agg[AGG_UNSCHED][idx]);
      if (set->agg[AGG_NODES] != NULL)
        g_string_append_printf (out, " of %.0f", set->agg[AGG_NODES][idx]);
      g_string_append (out, " nodes unschedulable");
      sep = ", ";
    }
  if (set->agg[AGG_XID] != NULL)
    {
      g_string_append_printf (out, "%s%.0f GPUs with an Xid", sep, set->agg[AGG_XID][idx]);
      sep = ", ";
    }
  if (set->agg[AGG_LINKDOWN] != NULL)
    {
      g_string_append_printf (out, "%s%.0f links down", sep, set->agg[AGG_LINKDOWN][idx]);
      sep = ", ";
    }
  if (*sep == ' ')
    g_string_append (out, " (no node, GPU or link series in the run)");
  g_string_append_c (out, '\n');
}

/* Appends alert_rule_test: for each alert, the first probe time and each
 * time its firing set changed. */
static void
write_cases (GString *out, const PromSeriesSet *set, GPtrArray *alerts,
             GHashTable *cases, const int64_t *times, guint n_times,
             FlPromtestResult *res)
{
  g_string_append (out, "    alert_rule_test:\n");
  for (guint a = 0; a < alerts->len; a++)
    {
      const char *alert = alerts->pdata[a];
      const char *prev_sig = NULL;
      g_autofree char *prev_buf = NULL;
      for (guint t = 0; t < n_times; t++)
        {
          g_autofree char *key = case_key (alert, times[t]);
          GPtrArray *fired = g_hash_table_lookup (cases, key);
          GString *sig = g_string_new (NULL);
          for (guint i = 0; fired != NULL && i < fired->len; i++)
            g_string_append_printf (sig, "%s\n", ((Fired *) fired->pdata[i])->key);
          bool changed = prev_sig == NULL || strcmp (prev_sig, sig->str) != 0;
          g_free (prev_buf);
          prev_buf = g_string_free (sig, FALSE);
          prev_sig = prev_buf;
          if (!changed)
            continue;
          write_state (out, set, times[t]);
          g_autofree char *d = prom_duration_format (times[t]);
          g_string_append_printf (out, "      - eval_time: %s\n        alertname: ", d);
          yamltext_dquote (out, alert);
          g_string_append_c (out, '\n');
          res->cases++;
          if (fired == NULL || fired->len == 0)
            {
              g_string_append (out, "        exp_alerts: []\n");
              continue;
            }
          res->firing_cases++;
          g_string_append (out, "        exp_alerts:\n");
          for (guint i = 0; i < fired->len; i++)
            {
              Fired *f = fired->pdata[i];
              if (f->labels->len == 0 && f->annotations->len == 0)
                {
                  g_string_append (out, "          - exp_labels: {}\n");
                  continue;
                }
              bool first = true;
              if (f->labels->len > 0)
                {
                  write_kv (out, "          - ", "exp_labels", f->labels);
                  first = false;
                }
              if (f->annotations->len > 0)
                write_kv (out, first ? "          - " : "            ",
                          "exp_annotations", f->annotations);
            }
        }
    }
}

/* }============ */

static bool
write_temp (const char *dir, const char *base, const GString *text,
            char **path, GError **error)
{
  *path = g_build_filename (dir, base, NULL);
  g_autoptr (GError) local = NULL;
  if (!g_file_set_contents (*path, text->str, (gssize) text->len, &local))
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s", local->message);
      return false;
    }
  return true;
}

static void
remove_temp (const char *dir)
{
  if (dir == NULL)
    return;
  const char *names[] = { "probe.yml", "check.yml" };
  for (size_t i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *p = g_build_filename (dir, names[i], NULL);
      (void) g_remove (p);
    }
  (void) g_rmdir (dir);
}

/* The scenario and seed of the run folder's summary.json, for the header;
 * NULL when there is none. */
static char *
run_title (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "summary.json", NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return NULL;
  g_autoptr (JsonParser) p = json_parser_new ();
  if (!infile_load_json (p, path, "summary", NULL))
    return NULL;
  JsonNode *root = json_parser_get_root (p);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  JsonObject *o = json_node_get_object (root);
  const char *sc = json_object_has_member (o, "scenario")
                     && JSON_NODE_HOLDS_VALUE (json_object_get_member (o, "scenario"))
                     ? json_object_get_string_member (o, "scenario") : NULL;
  if (sc == NULL || !json_object_has_member (o, "seed"))
    return NULL;
  return g_strdup_printf ("%s, seed %" PRId64, sc,
                          json_object_get_int_member (o, "seed"));
}

#define PROM_MARK "written by\n# `faultline promtest`"

/* -o replaces only a file promtest wrote (its head says so). */
static bool
output_ours (const char *path, GError **error)
{
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return true;
  char head[512] = "";
  FILE *f = g_file_test (path, G_FILE_TEST_IS_REGULAR) ? fopen (path, "r") : NULL;
  if (f != NULL)
    {
      size_t n = fread (head, 1, sizeof head - 1, f);
      head[n] = '\0';
      fclose (f);
    }
  if (strstr (head, PROM_MARK) != NULL)
    return true;
  g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
               "-o %s: exists and is not a test file faultline promtest wrote; "
               "refusing to replace it (remove it, or name another file)", path);
  return false;
}

bool
fl_promtest (const FlPromtestOptions *opt, FlPromtestResult *res, GError **error)
{
  g_return_val_if_fail (opt != NULL && opt->rules != NULL && opt->run != NULL
                        && opt->output != NULL && res != NULL, false);
  memset (res, 0, sizeof *res);
  int64_t every = opt->eval_every_ms > 0 ? opt->eval_every_ms : PROM_DEFAULT_EVERY_MS;
  if (every % PROM_EVAL_INTERVAL_MS != 0)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                   "--eval-every: %.3f s is not a whole number of minutes (the "
                   "rules are evaluated every minute)", every / 1000.0);
      return false;
    }
  if (!output_ours (opt->output, error))
    return false;
  g_autofree char *promtool = opt->promtool != NULL ? g_strdup (opt->promtool)
                                                    : g_find_program_in_path ("promtool");
  if (promtool == NULL)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                   "promtool not found on PATH: install Prometheus's promtool "
                   "(Debian: apt-get install prometheus) or give --promtool PATH");
      return false;
    }
  /* the rules */
  g_autofree char *rtext = NULL;
  gsize rlen = 0;
  if (!infile_read (opt->rules, "rule file", PROM_MAX_RULES, &rtext, &rlen, error))
    return false;
  g_autoptr (GPtrArray) alerts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) idents = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                         g_free, NULL);
  if (!prom_rules_parse (rtext, rlen, opt->rules, alerts, idents, error))
    return false;
  res->alerts = alerts->len;
  int status = 0;
  g_autofree char *pout = NULL;
  const char *check_args[] = { "check", "rules", opt->rules, NULL };
  if (!promtool_run (promtool, check_args, &pout, &status, error))
    return false;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_autofree char *t = tail_lines (pout, 6);
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                   "%s: promtool check rules refuses it:%s", opt->rules, t);
      return false;
    }
  /* the series */
  g_autofree char *om_path = NULL, *title = NULL;
  if (g_file_test (opt->run, G_FILE_TEST_IS_DIR))
    {
      om_path = g_build_filename (opt->run, "metrics.om", NULL);
      if (!g_file_test (om_path, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                       "%s: no metrics.om in the run folder (write it with "
                       "`faultline run ... -o %s --metrics %s`, or name the "
                       "OpenMetrics file)", opt->run, opt->run, om_path);
          return false;
        }
      title = run_title (opt->run);
    }
  else
    om_path = g_strdup (opt->run);
  g_autofree char *otext = NULL;
  gsize olen = 0;
  if (!infile_read (om_path, "OpenMetrics file", PROM_MAX_OM, &otext, &olen, error))
    return false;
  g_autoptr (PromSeriesSet) set = prom_series_parse (otext, olen, om_path, idents, error);
  if (set == NULL)
    return false;
  g_clear_pointer (&otext, g_free);
  if (set->series->len == 0)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                   "%s: no rule of %s reads a series of the run (the run's "
                   "families are in docs/monitoring.md)", om_path, opt->rules);
      return false;
    }
  res->series = set->series->len;
  res->samples = set->n_samples;
  res->interval_ms = set->step;
  res->span_ms = (set->points - 1) * set->step;
  /* probe times: 0, every, ... up to the last sample */
  guint n_times = (guint) (res->span_ms / every + 1);
  if ((guint64) n_times * alerts->len > PROM_MAX_PROBES)
    {
      g_autofree char *sp = prom_duration_format (res->span_ms);
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                   "--eval-every: %u alerts x %u times over %s is more than %d "
                   "cases; give a longer --eval-every", alerts->len, n_times,
                   sp, PROM_MAX_PROBES);
      return false;
    }
  g_autofree int64_t *times = g_new (int64_t, n_times);
  for (guint t = 0; t < n_times; t++)
    times[t] = (int64_t) t * every;
  g_autofree char *abs_rules = g_canonicalize_filename (opt->rules, NULL);
  g_autoptr (GError) local = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("faultline-promtest-XXXXXX", &local);
  if (tmp == NULL)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "cannot make a temporary "
                   "folder: %s", local->message);
      return false;
    }
  bool ok = false;
  g_autoptr (GHashTable) cases = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) g_ptr_array_unref);
  g_autoptr (GString) probe = g_string_new (NULL);
  g_autoptr (GString) body = g_string_new (NULL);
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GString) check = g_string_new (NULL);
  g_autofree char *probe_path = NULL, *check_path = NULL, *cout = NULL;
  g_autofree char *rel = NULL, *odir = NULL, *origin = NULL;
  g_autofree char *iv = NULL, *ev = NULL;
  write_head (probe, abs_rules, set);
  g_string_append (probe, "    alert_rule_test:\n");
  for (guint a = 0; a < alerts->len; a++)
    for (guint t = 0; t < n_times; t++)
      {
        g_autofree char *d = prom_duration_format (times[t]);
        g_string_append_printf (probe, "      - eval_time: %s\n        alertname: ", d);
        yamltext_dquote (probe, alerts->pdata[a]);
        g_string_append (probe, "\n        exp_alerts: []\n");
      }
  if (!write_temp (tmp, "probe.yml", probe, &probe_path, error))
    goto out;
  g_clear_pointer (&pout, g_free);
  const char *probe_args[] = { "test", "rules", probe_path, NULL };
  if (!promtool_run (promtool, probe_args, &pout, &status, error))
    goto out;
  int n = parse_probe (pout, cases, error);
  if (n < 0)
    goto out;
  if (n == 0 && !g_spawn_check_wait_status (status, NULL))
    {
      g_autofree char *t = tail_lines (pout, 8);
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                   "promtool test rules failed on the series of %s:%s", om_path, t);
      goto out;
    }
  /* the file: a head that says what it is, then the test */
  write_cases (body, set, alerts, cases, times, n_times, res);
  odir = g_path_get_dirname (opt->output);
  rel = relative_path (opt->rules, odir);
  {
    g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (set->origin / 1000);
    origin = dt != NULL ? g_date_time_format_iso8601 (dt) : g_strdup ("?");
  }
  iv = prom_duration_format (set->step);
  ev = prom_duration_format (every);
  g_string_append_printf (
    text,
    "# A promtool unit test of %s on a simulated run, " PROM_MARK " from\n"
    "# %s%s%s%s.\n"
    "# Test time 0 is %s (simulated time 0 of a faultline run); the\n"
    "# input series are the run's series that the rules read, one value\n"
    "# per %s scrape ('_': not scraped).\n"
    "#\n"
    "# REVIEW the expected alerts below. They are what the rules fired on\n"
    "# this run, probed every %s, kept where they changed; the comment\n"
    "# above each case is the simulated state then. Edit or delete those\n"
    "# you do not expect, then run: promtool test rules %s\n",
    rel, om_path, title ? " (" : "", title ? title : "", title ? ")" : "",
    origin, iv, ev, opt->output);
  g_string_append_len (check, text->str, (gssize) text->len);
  write_head (text, rel, set);
  g_string_append_len (text, body->str, (gssize) body->len);
  write_head (check, abs_rules, set);
  g_string_append_len (check, body->str, (gssize) body->len);
  if (!write_temp (tmp, "check.yml", check, &check_path, error))
    goto out;
  const char *check2_args[] = { "test", "rules", check_path, NULL };
  if (!promtool_run (promtool, check2_args, &cout, &status, error))
    goto out;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_autofree char *t = tail_lines (cout, 12);
      g_set_error (error, FL_ERROR, FL_ERROR_INTERNAL,
                   "the test written for %s fails promtool test rules:%s",
                   opt->output, t);
      goto out;
    }
  if (!atomicfile_write (opt->output, text->str, text->len, error))
    goto out;
  ok = true;
out:
  remove_temp (tmp);
  return ok;
}
