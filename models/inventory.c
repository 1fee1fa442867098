/* models/inventory.c - `kubectl get nodes -o json` as the cluster (see
 * inventory.h). json-glib parses; its object-member signal gives the line
 * of every member, so each error names the line it is about. */
#include "inventory.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "infile.h"
#include "topo.h"

G_DEFINE_QUARK (faultline-inventory-error-quark, inventory_error)

#define GPU_RESOURCE "nvidia.com/gpu"
#define MAX_GPUS 64 /* cluster.gpus_per_node's range */

typedef struct
{
  const char *file;
  GHashTable *lines; /* "%p member" -> line, "%p" -> first line */
} Lines;

static void
on_member (JsonParser *parser, JsonObject *object, const char *member,
           gpointer data)
{
  Lines *l = data;
  guint line = json_parser_get_current_line (parser);
  g_hash_table_insert (l->lines, g_strdup_printf ("%p %s", (void *) object, member),
                       GUINT_TO_POINTER (line));
  char *k = g_strdup_printf ("%p", (void *) object);
  if (!g_hash_table_contains (l->lines, k))
    g_hash_table_insert (l->lines, k, GUINT_TO_POINTER (line));
  else
    g_free (k);
}

/* The line of OBJECT's MEMBER (NULL: of the object's first member); 0 when
 * unknown. */
static guint
line_of (const Lines *l, JsonObject *object, const char *member)
{
  g_autofree char *k = member ? g_strdup_printf ("%p %s", (void *) object, member)
                              : g_strdup_printf ("%p", (void *) object);
  return GPOINTER_TO_UINT (g_hash_table_lookup (l->lines, k));
}

static void fail (GError **error, const Lines *l, guint line, int code,
                  const char *fmt, ...) G_GNUC_PRINTF (5, 6);

static void
fail (GError **error, const Lines *l, guint line, int code, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  if (line > 0)
    g_set_error (error, INVENTORY_ERROR, code, "%s:%u: %s", l->file, line, msg);
  else
    g_set_error (error, INVENTORY_ERROR, code, "%s: %s", l->file, msg);
}

/* The member as an object, or NULL. */
static JsonObject *
get_object (JsonObject *o, const char *member)
{
  JsonNode *n = o ? json_object_get_member (o, member) : NULL;
  return n != NULL && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

/* The member as a string, or NULL (absent or not a string). */
static const char *
get_string (JsonObject *o, const char *member)
{
  JsonNode *n = o ? json_object_get_member (o, member) : NULL;
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

typedef struct
{
  char *name;
  const char *group[3]; /* zone, SU, rack (NULL: no label) */
  guint line;           /* of metadata.name */
} Rec;

/* Natural order: runs of digits compare as numbers ("node2" < "node10"),
 * then plain byte order breaks ties ("node02" vs "node2"). NULL first. */
static int
natural_cmp (const char *a, const char *b)
{
  if (a == NULL || b == NULL)
    return (a != NULL) - (b != NULL);
  const char *p = a, *q = b;
  while (*p && *q)
    {
      if (g_ascii_isdigit (*p) && g_ascii_isdigit (*q))
        {
          while (*p == '0')
            p++;
          while (*q == '0')
            q++;
          const char *ps = p, *qs = q;
          while (g_ascii_isdigit (*p))
            p++;
          while (g_ascii_isdigit (*q))
            q++;
          size_t lp = (size_t) (p - ps), lq = (size_t) (q - qs);
          if (lp != lq)
            return lp < lq ? -1 : 1;
          int c = memcmp (ps, qs, lp);
          if (c != 0)
            return c;
          continue;
        }
      if (*p != *q)
        return (unsigned char) *p < (unsigned char) *q ? -1 : 1;
      p++;
      q++;
    }
  if (*p || *q)
    return *p ? 1 : -1;
  return strcmp (a, b);
}

static int
rec_cmp (gconstpointer x, gconstpointer y)
{
  const Rec *a = x, *b = y;
  for (int k = 0; k < 3; k++)
    {
      int c = natural_cmp (a->group[k], b->group[k]);
      if (c != 0)
        return c;
    }
  return natural_cmp (a->name, b->name);
}

/* Whether a and b are in one group of level K (and of every level above). */
static bool
same_group (const Rec *a, const Rec *b, int k)
{
  for (int i = 0; i <= k; i++)
    if (g_strcmp0 (a->group[i], b->group[i]) != 0)
      return false;
  return true;
}

static const char *const level_name[3] = { "zone", "scalable unit", "rack" };

/* Checks level K's groups: each value one run, every run but the last of
 * one size. Sets *size (0 when the level has no label). */
static bool
check_level (const Lines *l, const Rec *r, uint32_t n, int k, const char *label,
             uint32_t *size, GError **error)
{
  *size = 0;
  if (r[0].group[k] == NULL)
    return true;
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  uint32_t start = 0, first = 0;
  for (uint32_t i = 1; i <= n; i++)
    {
      if (i < n && same_group (&r[i - 1], &r[i], k))
        continue;
      uint32_t len = i - start;
      const Rec *s = &r[start];
      const Rec *prev = g_hash_table_lookup (seen, s->group[k]);
      if (prev != NULL && k > 0)
        {
          fail (error, l, s->line, INVENTORY_ERROR_SHAPE,
                "node %s: %s '%s' (%s) holds node %s of %s '%s' too; "
                "faultline's %ss lie within one %s", s->name, level_name[k],
                s->group[k], label, prev->name, level_name[k - 1],
                prev->group[k - 1], level_name[k], level_name[k - 1]);
          return false;
        }
      g_hash_table_insert (seen, (gpointer) s->group[k], (gpointer) s);
      if (first == 0)
        first = len;
      else if (len != first && i < n)
        {
          fail (error, l, s->line, INVENTORY_ERROR_SHAPE,
                "%s '%s' (%s) has %u nodes, the first %s (%s) %u: faultline's "
                "%ss are alike (all but the last)", level_name[k], s->group[k],
                label, len, level_name[k], r[0].group[k], first, level_name[k]);
          return false;
        }
      else if (len > first)
        {
          fail (error, l, s->line, INVENTORY_ERROR_SHAPE,
                "the last %s, '%s' (%s), has %u nodes, more than the others' %u",
                level_name[k], s->group[k], label, len, first);
          return false;
        }
      start = i;
    }
  *size = first;
  return true;
}

static bool
read_node (const Lines *l, JsonObject *item, guint item_line,
           const InventoryLabels *lab, GArray *recs, GHashTable *names,
           uint32_t *gpus, Rec *gpus_from, uint32_t *skipped, GError **error)
{
  const char *kind = get_string (item, "kind");
  if (json_object_has_member (item, "kind") && g_strcmp0 (kind, "Node") != 0)
    {
      fail (error, l, line_of (l, item, "kind"), INVENTORY_ERROR_PARSE,
            "an item of kind '%s': expected Node (kubectl get nodes -o json)",
            kind ? kind : "?");
      return false;
    }
  JsonObject *meta = get_object (item, "metadata");
  const char *name = get_string (meta, "name");
  if (name == NULL)
    {
      fail (error, l, meta ? line_of (l, item, "metadata") : item_line,
            INVENTORY_ERROR_PARSE, "a node without a string metadata.name");
      return false;
    }
  guint line = line_of (l, meta, "name");
  if (!topo_valid_node_name (name))
    {
      fail (error, l, line, INVENTORY_ERROR_PARSE,
            "node name '%.80s' must be 1-%d letters, digits, '-', '_' or '.', "
            "as a host name", name, TOPO_MAX_NODE_NAME);
      return false;
    }
  guint first = GPOINTER_TO_UINT (g_hash_table_lookup (names, name));
  if (first != 0)
    {
      fail (error, l, line, INVENTORY_ERROR_PARSE,
            "node %s is listed twice (first on line %u)", name, first);
      return false;
    }
  g_hash_table_insert (names, (gpointer) name, GUINT_TO_POINTER (MAX (line, 1)));
  JsonObject *cap = get_object (get_object (item, "status"), "capacity");
  JsonNode *g = cap ? json_object_get_member (cap, GPU_RESOURCE) : NULL;
  guint64 n = 0;
  if (g != NULL)
    {
      const char *s = JSON_NODE_HOLDS_VALUE (g) && json_node_get_value_type (g) == G_TYPE_STRING
                        ? json_node_get_string (g) : NULL;
      gint64 iv = JSON_NODE_HOLDS_VALUE (g) && json_node_get_value_type (g) == G_TYPE_INT64
                    ? json_node_get_int (g) : -1;
      bool ok = s != NULL ? g_ascii_string_to_unsigned (s, 10, 0, MAX_GPUS, &n, NULL)
                          : iv >= 0 && iv <= MAX_GPUS;
      if (s == NULL && ok)
        n = (guint64) iv;
      if (!ok)
        {
          fail (error, l, line_of (l, cap, GPU_RESOURCE), INVENTORY_ERROR_PARSE,
                "node %s: capacity %s must be a whole number 0-%d", name,
                GPU_RESOURCE, MAX_GPUS);
          return false;
        }
    }
  if (n == 0)
    {
      (*skipped)++;
      return true;
    }
  Rec r = { g_strdup (name), { NULL, NULL, NULL }, line };
  JsonObject *labels = get_object (meta, "labels");
  const char *keys[3] = { lab->zone_label, lab->su_label, lab->rack_label };
  for (int k = 0; k < 3; k++)
    if (keys[k] != NULL && *keys[k] != '\0' && labels != NULL
        && json_object_has_member (labels, keys[k]))
      {
        r.group[k] = get_string (labels, keys[k]);
        if (r.group[k] == NULL || *r.group[k] == '\0')
          {
            fail (error, l, line_of (l, labels, keys[k]), INVENTORY_ERROR_PARSE,
                  "node %s: label %s must be a non-empty string", name, keys[k]);
            g_free (r.name);
            return false;
          }
      }
  if (*gpus == 0)
    {
      *gpus = (uint32_t) n;
      *gpus_from = r; /* the name is borrowed: recs keeps it */
    }
  else if (n != *gpus)
    {
      fail (error, l, line_of (l, cap, GPU_RESOURCE), INVENTORY_ERROR_SHAPE,
            "node %s has %u GPUs, node %s (line %u) %u: faultline's nodes are "
            "alike; give one inventory per kind of node", name, (unsigned) n,
            gpus_from->name, gpus_from->line, *gpus);
      g_free (r.name);
      return false;
    }
  g_array_append_val (recs, r);
  return true;
}

static void
rec_clear (gpointer p)
{
  g_free (((Rec *) p)->name);
}

Inventory *
inventory_parse (const char *text, size_t len, const char *name,
                 const InventoryLabels *labels, GError **error)
{
  g_return_val_if_fail (text != NULL && name != NULL, NULL);
  InventoryLabels lab = {
    .su_label = labels && labels->su_label ? labels->su_label : INVENTORY_SU_LABEL,
    .rack_label = labels && labels->rack_label ? labels->rack_label : INVENTORY_RACK_LABEL,
    .zone_label = labels && labels->zone_label ? labels->zone_label : INVENTORY_ZONE_LABEL,
  };
  g_autoptr (GHashTable) lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Lines l = { name, lines };
  g_autoptr (GError) local = NULL;
  if (len > G_MAXSSIZE
      || !infile_json_depth_ok (text, (gssize) len, INFILE_JSON_MAX_DEPTH, name, &local))
    {
      fail (error, &l, 0, INVENTORY_ERROR_PARSE, "%s",
            local ? local->message : "too large");
      return NULL;
    }
  const char *bad = NULL;
  if (!g_utf8_validate (text, (gssize) len, &bad))
    {
      guint line = 1;
      for (const char *q = text; q < bad; q++)
        line += *q == '\n';
      fail (error, &l, line, INVENTORY_ERROR_PARSE, "not UTF-8 text (not JSON: "
            "give what `kubectl get nodes -o json` prints)");
      return NULL;
    }
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_signal_connect (parser, "object-member", G_CALLBACK (on_member), &l);
  if (!json_parser_load_from_data (parser, text, (gssize) len, &local))
    {
      /* json-glib says "<data>:LINE:COL: Parse error: ..." */
      const char *m = local->message;
      if (g_str_has_prefix (m, "<data>:"))
        m += 7;
      g_set_error (error, INVENTORY_ERROR, INVENTORY_ERROR_PARSE,
                   "%s:%s (not JSON: give what `kubectl get nodes -o json` prints)",
                   name, m);
      return NULL;
    }
  JsonNode *root = json_parser_get_root (parser);
  JsonObject *ro = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  const char *kind = get_string (ro, "kind");
  JsonArray *items = NULL;
  g_autoptr (JsonArray) single = NULL;
  if (ro != NULL && (g_strcmp0 (kind, "List") == 0 || g_strcmp0 (kind, "NodeList") == 0))
    {
      JsonNode *in = json_object_get_member (ro, "items");
      if (in == NULL || !JSON_NODE_HOLDS_ARRAY (in))
        {
          fail (error, &l, line_of (&l, ro, "kind"), INVENTORY_ERROR_PARSE,
                "a %s without an array 'items'", kind);
          return NULL;
        }
      items = json_node_get_array (in);
    }
  else if (ro != NULL && g_strcmp0 (kind, "Node") == 0)
    {
      single = json_array_new ();
      json_array_add_element (single, json_node_copy (root));
      items = single;
    }
  else
    {
      fail (error, &l, ro ? line_of (&l, ro, kind ? "kind" : NULL) : 1,
            INVENTORY_ERROR_PARSE, "not a node list: expected \"kind\": "
            "\"List\", \"NodeList\" or \"Node\", as `kubectl get nodes -o json` prints");
      return NULL;
    }
  guint n_items = json_array_get_length (items);
  if (n_items > INVENTORY_MAX_NODES)
    {
      fail (error, &l, 0, INVENTORY_ERROR_SHAPE, "%u nodes, more than %u",
            n_items, INVENTORY_MAX_NODES);
      return NULL;
    }
  g_autoptr (GArray) recs = g_array_new (FALSE, FALSE, sizeof (Rec));
  g_array_set_clear_func (recs, rec_clear);
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  uint32_t gpus = 0, skipped = 0;
  Rec gpus_from = { NULL, { NULL, NULL, NULL }, 0 };
  for (guint i = 0; i < n_items; i++)
    {
      JsonNode *in = json_array_get_element (items, i);
      if (!JSON_NODE_HOLDS_OBJECT (in))
        {
          fail (error, &l, 0, INVENTORY_ERROR_PARSE, "item %u of 'items' is "
                "not an object", i + 1);
          return NULL;
        }
      JsonObject *item = json_node_get_object (in);
      if (single != NULL)
        item = ro; /* the copy has no lines: the root is the node */
      if (!read_node (&l, item, line_of (&l, item, NULL), &lab, recs, names,
                      &gpus, &gpus_from, &skipped, error))
        return NULL;
    }
  if (recs->len == 0)
    {
      fail (error, &l, 0, INVENTORY_ERROR_SHAPE, "no node with %s capacity "
            "(%u node%s without GPUs left out)", GPU_RESOURCE, skipped,
            skipped == 1 ? "" : "s");
      return NULL;
    }
  Rec *r = (Rec *) (void *) recs->data;
  /* a label on some nodes must be on all */
  const char *keys[3] = { lab.zone_label, lab.su_label, lab.rack_label };
  for (int k = 0; k < 3; k++)
    {
      const Rec *with = NULL, *without = NULL;
      for (guint i = 0; i < recs->len; i++)
        {
          if (r[i].group[k] != NULL && with == NULL)
            with = &r[i];
          if (r[i].group[k] == NULL && without == NULL)
            without = &r[i];
        }
      if (with != NULL && without != NULL)
        {
          fail (error, &l, without->line, INVENTORY_ERROR_SHAPE,
                "node %s has no label %s, node %s (line %u) has: label every "
                "GPU node, or none", without->name, keys[k], with->name, with->line);
          return NULL;
        }
    }
  g_array_sort (recs, rec_cmp);
  r = (Rec *) (void *) recs->data;
  Inventory *inv = g_new0 (Inventory, 1);
  inv->n_nodes = recs->len;
  inv->gpus_per_node = gpus;
  inv->skipped = skipped;
  uint32_t sizes[3];
  for (int k = 0; k < 3; k++)
    if (!check_level (&l, r, recs->len, k, keys[k], &sizes[k], error))
      {
        inventory_free (inv);
        return NULL;
      }
  inv->nodes_per_zone = sizes[0];
  inv->su_size = sizes[1];
  inv->nodes_per_rack = sizes[2];
  inv->names = g_new0 (char *, recs->len + 1);
  for (guint i = 0; i < recs->len; i++)
    inv->names[i] = g_steal_pointer (&r[i].name);
  return inv;
}

Inventory *
inventory_load (const char *path, const InventoryLabels *labels, GError **error)
{
  g_autofree char *text = NULL;
  gsize len = 0;
  g_autoptr (GError) local = NULL;
  if (!infile_read (path, "node inventory", INFILE_MAX_JSON, &text, &len, &local))
    {
      g_set_error (error, INVENTORY_ERROR, INVENTORY_ERROR_PARSE, "%s", local->message);
      return NULL;
    }
  return inventory_parse (text, len, path, labels, error);
}

void
inventory_free (Inventory *inv)
{
  if (inv == NULL)
    return;
  g_strfreev (inv->names);
  g_free (inv);
}

char **
inventory_steal_names (Inventory *inv)
{
  return g_steal_pointer (&inv->names);
}

Topo *
inventory_topology (const char *path, const InventoryLabels *labels,
                    const TopoParams *base, GError **error)
{
  g_autoptr (Inventory) inv = inventory_load (path, labels, error);
  if (inv == NULL)
    return NULL;
  TopoParams p = *base;
  p.nodes = inv->n_nodes;
  p.gpus_per_node = inv->gpus_per_node;
  if (inv->su_size > 0)
    p.su_size = inv->su_size;
  if (inv->nodes_per_rack > 0)
    p.nodes_per_rack = inv->nodes_per_rack;
  if (inv->nodes_per_zone > 0)
    {
      if (inv->nodes_per_zone % p.nodes_per_rack != 0)
        {
          g_set_error (error, INVENTORY_ERROR, INVENTORY_ERROR_SHAPE,
                       "%s: a zone of %u nodes is not a whole number of racks "
                       "of %u: faultline's rows are whole racks", path,
                       inv->nodes_per_zone, p.nodes_per_rack);
          return NULL;
        }
      p.racks_per_row = inv->nodes_per_zone / p.nodes_per_rack;
    }
  g_autoptr (GError) local = NULL;
  Topo *t = topo_new_fattree (&p, &local);
  if (t == NULL)
    {
      g_set_error (error, INVENTORY_ERROR, INVENTORY_ERROR_SHAPE, "%s: %s",
                   path, local->message);
      return NULL;
    }
  char **names = inventory_steal_names (inv);
  if (!topo_set_node_names (t, names, &local))
    {
      g_strfreev (names);
      topo_free (t);
      g_set_error (error, INVENTORY_ERROR, INVENTORY_ERROR_SHAPE, "%s: %s",
                   path, local->message);
      return NULL;
    }
  return t;
}
