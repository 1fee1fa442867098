/* models/faulttrace.c - per-node fault traces: see faulttrace.h. */
#include "faulttrace.h"
#include "infile.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

G_DEFINE_QUARK (faultline-fault-trace-error-quark, fault_trace_error)

#define MAX_DAYS 36500.0 /* 100 years */
#define NODE_ID_MAX 128
#define TEXT_MAX 4096

typedef struct
{
  FaultTrace *t;
  GHashTable *node_ix; /* id -> index + 1 */
  const char *name;
} Reader;

static bool
fail (GError **error, int code, const char *name, const char *where,
      const char *fmt, ...) G_GNUC_PRINTF (5, 6);

static bool
fail (GError **error, int code, const char *name, const char *where,
      const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, FAULT_TRACE_ERROR, code, "%s: %s: %s", name, where, msg);
  return false;
}

/* Checks and appends one event. */
static bool
add_event (Reader *rd, const char *where, const char *node_id, double days,
           const char *type, const char *level, const char *cls,
           const char *desc, GError **error)
{
  if (node_id == NULL || node_id[0] == '\0' || strlen (node_id) > NODE_ID_MAX)
    return fail (error, FAULT_TRACE_ERROR_VALUE, rd->name, where,
                 "node_id: expected a non-empty id of at most %d bytes",
                 NODE_ID_MAX);
  if (!isfinite (days) || days < 0 || days > MAX_DAYS)
    return fail (error, FAULT_TRACE_ERROR_VALUE, rd->name, where,
                 "event_time %g: expected days since the trace start, "
                 "0 .. %g", days, MAX_DAYS);
  bool start;
  if (type != NULL && strcmp (type, "fault_start") == 0)
    start = true;
  else if (type != NULL && strcmp (type, "fault_end") == 0)
    start = false;
  else
    return fail (error, FAULT_TRACE_ERROR_VALUE, rd->name, where,
                 "event_type '%.40s': expected fault_start or fault_end",
                 type ? type : "");
  const char *texts[3] = { level, cls, desc };
  for (int i = 0; i < 3; i++)
    if (texts[i] != NULL && strlen (texts[i]) > TEXT_MAX)
      return fail (error, FAULT_TRACE_ERROR_VALUE, rd->name, where,
                   "fault_type text longer than %d bytes", TEXT_MAX);
  gpointer v = g_hash_table_lookup (rd->node_ix, node_id);
  if (v == NULL)
    {
      char *id = g_string_chunk_insert_const (rd->t->strings, node_id);
      g_ptr_array_add (rd->t->nodes, id);
      v = GUINT_TO_POINTER (rd->t->nodes->len);
      g_hash_table_insert (rd->node_ix, id, v);
    }
  FaultTraceEvent e = {
    .node = GPOINTER_TO_UINT (v) - 1, .time_s = days * 86400.0,
    .start = start,
    .level = g_string_chunk_insert_const (rd->t->strings, level ? level : ""),
    .cls = g_string_chunk_insert_const (rd->t->strings, cls ? cls : ""),
    .desc = g_string_chunk_insert_const (rd->t->strings, desc ? desc : ""),
  };
  g_array_append_val (rd->t->events, e);
  return true;
}

/* ---- JSON ---- */

/* A member as text: a string, or a number written as JSON writes it. */
static char *
member_text (JsonObject *o, const char *key)
{
  JsonNode *n = json_object_get_member (o, key);
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (n))
    return NULL;
  GType t = json_node_get_value_type (n);
  if (t == G_TYPE_STRING)
    return g_strdup (json_node_get_string (n));
  if (t == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (n));
  if (t == G_TYPE_DOUBLE)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      return g_strdup (g_ascii_dtostr (buf, sizeof buf, json_node_get_double (n)));
    }
  return NULL;
}

static bool
read_json (Reader *rd, const char *data, size_t len, GError **error)
{
  if (!infile_json_depth_ok (data, (gssize) len, FAULT_TRACE_MAX_DEPTH,
                             rd->name, NULL))
    return fail (error, FAULT_TRACE_ERROR_PARSE, rd->name, "JSON",
                 "nested more than %d deep: not a fault trace",
                 FAULT_TRACE_MAX_DEPTH);
  g_autoptr (JsonParser) p = json_parser_new_immutable ();
  g_autoptr (GError) e = NULL;
  if (!json_parser_load_from_data (p, data, (gssize) len, &e))
    return fail (error, FAULT_TRACE_ERROR_PARSE, rd->name, "JSON", "%s",
                 e->message);
  JsonNode *root = json_parser_get_root (p);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    return fail (error, FAULT_TRACE_ERROR_PARSE, rd->name, "JSON",
                 "expected an array of events");
  JsonArray *a = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      g_autofree char *where = g_strdup_printf ("event %u", i);
      JsonNode *n = json_array_get_element (a, i);
      if (!JSON_NODE_HOLDS_OBJECT (n))
        return fail (error, FAULT_TRACE_ERROR_PARSE, rd->name, where,
                     "expected an object {\"node_id\", \"event_time\", "
                     "\"event_type\", \"fault_type\"}");
      JsonObject *o = json_node_get_object (n);
      JsonNode *tn = json_object_get_member (o, "event_time");
      if (tn == NULL || !JSON_NODE_HOLDS_VALUE (tn)
          || (json_node_get_value_type (tn) != G_TYPE_DOUBLE
              && json_node_get_value_type (tn) != G_TYPE_INT64))
        return fail (error, FAULT_TRACE_ERROR_PARSE, rd->name, where,
                     "event_time: expected a number of days");
      double days = json_node_get_double (tn);
      g_autofree char *id = member_text (o, "node_id");
      g_autofree char *type = member_text (o, "event_type");
      g_autofree char *level = NULL, *cls = NULL, *desc = NULL;
      JsonNode *fn = json_object_get_member (o, "fault_type");
      if (fn != NULL && JSON_NODE_HOLDS_OBJECT (fn))
        {
          JsonObject *f = json_node_get_object (fn);
          level = member_text (f, "Level");
          cls = member_text (f, "Class");
          desc = member_text (f, "Desc");
        }
      else if (fn != NULL && !JSON_NODE_HOLDS_NULL (fn))
        return fail (error, FAULT_TRACE_ERROR_PARSE, rd->name, where,
                     "fault_type: expected an object {\"Level\", \"Class\", "
                     "\"Desc\"}");
      if (!add_event (rd, where, id, days, type, level, cls, desc, error))
        return false;
    }
  return true;
}

/* ---- CSV ---- */

/* Splits one CSV record starting at *p (RFC 4180 quoting, a quoted field
 * may hold newlines); advances *p past its line end. *line counts lines. */
static GPtrArray *
csv_record (const char **p, const char *end, int *line, bool *bad)
{
  GPtrArray *f = g_ptr_array_new_with_free_func (g_free);
  GString *cur = g_string_new (NULL);
  bool quoted = false, was_quoted = false;
  const char *s = *p;
  while (s < end)
    {
      char c = *s++;
      if (quoted)
        {
          if (c == '"' && s < end && *s == '"')
            {
              g_string_append_c (cur, '"');
              s++;
            }
          else if (c == '"')
            quoted = false;
          else
            {
              if (c == '\n')
                (*line)++;
              g_string_append_c (cur, c);
            }
          continue;
        }
      if (c == '"' && cur->len == 0 && !was_quoted)
        {
          quoted = was_quoted = true;
          continue;
        }
      if (c == ',')
        {
          g_ptr_array_add (f, g_string_free (cur, FALSE));
          cur = g_string_new (NULL);
          was_quoted = false;
          continue;
        }
      if (c == '\n')
        break;
      if (c == '\r' && (s == end || *s == '\n'))
        continue;
      if (was_quoted)
        *bad = true; /* text after a closing quote */
      g_string_append_c (cur, c);
      if (cur->len > TEXT_MAX)
        *bad = true;
    }
  if (quoted)
    *bad = true;
  g_ptr_array_add (f, g_string_free (cur, FALSE));
  *p = s;
  return f;
}

static bool
read_csv (Reader *rd, const char *data, size_t len, GError **error)
{
  static const char *const cols[] = { "node_id", "event_time", "event_type",
                                      "Level", "Class", "Desc" };
  const char *p = data, *end = data + len;
  int line = 1;
  bool bad = false;
  g_autoptr (GPtrArray) head = csv_record (&p, end, &line, &bad);
  int ix[6];
  for (int k = 0; k < 6; k++)
    {
      ix[k] = -1;
      for (guint i = 0; i < head->len; i++)
        if (g_ascii_strcasecmp (g_strstrip ((char *) g_ptr_array_index (head, i)), cols[k]) == 0)
          ix[k] = (int) i;
    }
  if (bad || ix[0] < 0 || ix[1] < 0 || ix[2] < 0)
    return fail (error, FAULT_TRACE_ERROR_PARSE, rd->name, "line 1",
                 "expected a CSV header with node_id,event_time,event_type "
                 "(and Level,Class,Desc), or a JSON array");
  while (p < end)
    {
      int at = ++line;
      g_autoptr (GPtrArray) f = csv_record (&p, end, &line, &bad);
      g_autofree char *where = g_strdup_printf ("line %d", at);
      if (f->len == 1 && ((char *) g_ptr_array_index (f, 0))[0] == '\0')
        continue; /* blank line */
      if (bad)
        return fail (error, FAULT_TRACE_ERROR_PARSE, rd->name, where,
                     "a malformed quoted field or a field longer than %d "
                     "bytes", TEXT_MAX);
      const char *v[6];
      for (int k = 0; k < 6; k++)
        v[k] = ix[k] >= 0 && (guint) ix[k] < f->len ? g_ptr_array_index (f, ix[k]) : NULL;
      if (v[1] == NULL || v[2] == NULL)
        return fail (error, FAULT_TRACE_ERROR_PARSE, rd->name, where,
                     "%u fields, fewer than the header's", f->len);
      char *e = NULL;
      errno = 0;
      double days = g_ascii_strtod (v[1], &e);
      if (e == v[1] || *e != '\0' || errno != 0)
        return fail (error, FAULT_TRACE_ERROR_VALUE, rd->name, where,
                     "event_time '%.40s': expected a number of days", v[1]);
      if (!add_event (rd, where, v[0], days, v[2], v[3], v[4], v[5], error))
        return false;
    }
  return true;
}

/* ---- outages ---- */

static int
cmp_event (const void *a, const void *b)
{
  const FaultTraceEvent *x = a, *y = b;
  if (x->node != y->node)
    return x->node < y->node ? -1 : 1;
  if (x->time_s != y->time_s)
    return x->time_s < y->time_s ? -1 : 1;
  return 0; /* the same instant: file order (the sort is stable) */
}

static int
cmp_time (const void *a, const void *b)
{
  const FaultTraceEvent *x = a, *y = b;
  return x->time_s < y->time_s ? -1 : x->time_s > y->time_s;
}

static void
build_outages (FaultTrace *t)
{
  guint n = t->events->len;
  for (guint i = 0; i < n; i++)
    {
      double ts = g_array_index (t->events, FaultTraceEvent, i).time_s;
      if (ts > t->span_s)
        t->span_s = ts;
    }
  /* g_array_sort is a stable merge sort (GLib >= 2.32) */
  g_autoptr (GArray) by_node = g_array_sized_new (FALSE, FALSE, sizeof (FaultTraceEvent), n);
  g_array_append_vals (by_node, t->events->data, n);
  g_array_sort (by_node, cmp_event);
  const FaultTraceEvent *ev = (const FaultTraceEvent *) (void *) by_node->data;
  guint i = 0;
  while (i < n)
    {
      uint32_t node = ev[i].node;
      int open = 0;
      FaultTraceOutage cur = { 0 };
      for (; i < n && ev[i].node == node; i++)
        {
          if (ev[i].start)
            {
              if (open++ == 0)
                {
                  cur.node = node;
                  cur.start_s = ev[i].time_s;
                  cur.fault_class = ev[i].cls;
                  cur.cls = fault_trace_default_class (ev[i].cls, ev[i].desc);
                }
            }
          else if (open == 0)
            t->unmatched_ends++;
          else if (--open == 0)
            {
              cur.end_s = ev[i].time_s;
              if (cur.end_s > cur.start_s)
                g_array_append_val (t->outages, cur);
            }
        }
      if (open > 0)
        {
          cur.end_s = t->span_s;
          if (cur.end_s > cur.start_s)
            g_array_append_val (t->outages, cur);
        }
    }
  /* merge outages of a node that touch (an end and a start at one instant) */
  guint w = 0;
  for (guint k = 0; k < t->outages->len; k++)
    {
      FaultTraceOutage *o = &g_array_index (t->outages, FaultTraceOutage, k);
      if (w > 0)
        {
          FaultTraceOutage *p = &g_array_index (t->outages, FaultTraceOutage, w - 1);
          if (p->node == o->node && o->start_s <= p->end_s)
            {
              p->end_s = MAX (p->end_s, o->end_s);
              continue;
            }
        }
      g_array_index (t->outages, FaultTraceOutage, w++) = *o;
    }
  g_array_set_size (t->outages, w);
  /* the events in time order, ties in file order (merge sort is stable) */
  if (n > 1)
    {
      GArray *sorted = g_array_sized_new (FALSE, FALSE, sizeof (FaultTraceEvent), n);
      g_array_append_vals (sorted, t->events->data, n);
      g_array_sort (sorted, cmp_time); /* g_array_sort is a stable merge sort */
      g_array_unref (t->events);
      t->events = sorted;
    }
}

void
fault_trace_free (FaultTrace *t)
{
  if (t == NULL)
    return;
  g_ptr_array_unref (t->nodes);
  g_array_unref (t->events);
  g_array_unref (t->outages);
  g_string_chunk_free (t->strings);
  g_free (t);
}

FaultTrace *
fault_trace_read_data (const char *data, size_t len, const char *name,
                       GError **error)
{
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  if (len > FAULT_TRACE_MAX_BYTES)
    {
      fail (error, FAULT_TRACE_ERROR_IO, name, "size", "%zu bytes, more than "
            "the %zu a trace may have", len, FAULT_TRACE_MAX_BYTES);
      return NULL;
    }
  if (memchr (data, '\0', len) != NULL)
    {
      fail (error, FAULT_TRACE_ERROR_PARSE, name, "content", "a NUL byte: "
            "not a JSON or CSV text file");
      return NULL;
    }
  FaultTrace *t = g_new0 (FaultTrace, 1);
  t->nodes = g_ptr_array_new ();
  t->events = g_array_new (FALSE, FALSE, sizeof (FaultTraceEvent));
  t->outages = g_array_new (FALSE, FALSE, sizeof (FaultTraceOutage));
  t->strings = g_string_chunk_new (4096);
  Reader rd = { t, g_hash_table_new (g_str_hash, g_str_equal), name };
  size_t i = 0;
  while (i < len && g_ascii_isspace (data[i]))
    i++;
  bool ok = i < len && data[i] == '['
              ? read_json (&rd, data, len, error)
              : read_csv (&rd, data, len, error);
  g_hash_table_unref (rd.node_ix);
  if (!ok)
    {
      fault_trace_free (t);
      return NULL;
    }
  build_outages (t);
  return t;
}

FaultTrace *
fault_trace_read_file (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  /* infile_read: one open, then fstat and read on that descriptor (no
   * window between the check and the read), regular files only, capped */
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr (GError) e = NULL;
  if (!infile_read (path, "fault trace (a JSON or CSV file)",
                    FAULT_TRACE_MAX_BYTES, &data, &len, &e))
    {
      g_set_error_literal (error, FAULT_TRACE_ERROR, FAULT_TRACE_ERROR_IO,
                           e->message);
      return NULL;
    }
  return fault_trace_read_data (data, len, path, error);
}

FlClass
fault_trace_default_class (const char *cls, const char *desc)
{
  static const struct { const char *word; FlClass cls; } table[] = {
    { "gpu", FL_CLASS_GPU },
    { "nic", FL_CLASS_NIC }, { "hca", FL_CLASS_NIC },
    { "infiniband", FL_CLASS_NIC }, { "network", FL_CLASS_NIC },
    { "cable", FL_CLASS_CABLE }, { "link", FL_CLASS_CABLE },
    { "optic", FL_CLASS_CABLE }, { "transceiver", FL_CLASS_CABLE },
  };
  const char *texts[2] = { cls, desc };
  for (int k = 0; k < 2; k++)
    {
      if (texts[k] == NULL || texts[k][0] == '\0')
        continue;
      g_autofree char *low = g_ascii_strdown (texts[k], -1);
      for (size_t i = 0; i < G_N_ELEMENTS (table); i++)
        if (strstr (low, table[i].word) != NULL)
          return table[i].cls;
      return FL_CLASS_NODE; /* a class that names none of the above */
    }
  return FL_CLASS_NODE;
}

double
fault_trace_availability (const FaultTrace *t, uint32_t n_nodes)
{
  g_return_val_if_fail (t != NULL, NAN);
  n_nodes = MAX (n_nodes, t->nodes->len);
  if (t->span_s <= 0 || n_nodes == 0)
    return 1.0;
  double down = 0;
  for (guint i = 0; i < t->outages->len; i++)
    {
      const FaultTraceOutage *o = &g_array_index (t->outages, FaultTraceOutage, i);
      down += o->end_s - o->start_s;
    }
  return 1.0 - down / ((double) n_nodes * t->span_s);
}
