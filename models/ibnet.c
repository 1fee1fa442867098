/* models/ibnet.c - ibnetdiscover text in and out. See ibnet.h. The reader
 * is line-oriented and strict about the parts it uses (record headers, port
 * lines), lenient about the rest (comments after '#', key=value lines). */
#include "ibnet.h"
#include "infile.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define GUID_BASE_SWITCH 0x0002c90300000000ULL
#define GUID_BASE_HCA 0x0002c90400000000ULL

uint64_t
ibnet_guid (TopoKind kind, uint32_t index)
{
  switch (kind)
    {
    case TOPO_LEAF: return GUID_BASE_SWITCH | (1ULL << 28) | index;
    case TOPO_SPINE: return GUID_BASE_SWITCH | (2ULL << 28) | index;
    case TOPO_CORE: return GUID_BASE_SWITCH | (3ULL << 28) | index;
    case TOPO_NIC: return GUID_BASE_HCA + 2ULL * index;
    default: break;
    }
  g_return_val_if_reached (0);
}

/* ---- reading ---- */

typedef struct
{
  gboolean is_switch;
  char *id;   /* "S-..." / "H-..." */
  char *desc; /* may be NULL */
  uint32_t nports;
  uint32_t lid; /* switches: "lid N" after the description, or 0 */
  int line;
  /* classification */
  gboolean has_hca, has_leaf;
  int tier; /* 0 leaf, 1 spine, 2 core, -1 HCA */
  uint32_t index; /* within tier, or node for an HCA */
  uint32_t rail;
} Rec;

typedef struct
{
  uint32_t rec, port, peer, peer_port;
  int line;
  gboolean again; /* the link of an earlier port line, from its other end */
} Conn;

typedef struct
{
  const char *name;
  GPtrArray *recs; /* Rec* */
  GHashTable *ids; /* id -> rec + 1 */
  GArray *conns;   /* Conn, from port lines (peer resolved later) */
  GPtrArray *peer_ids; /* char*, parallel to conns */
} Reader;

static void
rec_free (gpointer p)
{
  Rec *r = p;
  g_free (r->id);
  g_free (r->desc);
  g_free (r);
}

static gboolean
fail (GError **error, const Reader *rd, int line, const char *fmt, ...)
  G_GNUC_PRINTF (4, 5);

static gboolean
fail (GError **error, const Reader *rd, int line, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, TOPO_ERROR, TOPO_ERROR_PARSE, "%s:%d: %s", rd->name,
               line, msg);
  return FALSE;
}

static const char *
skip_ws (const char *s)
{
  while (*s == ' ' || *s == '\t')
    s++;
  return s;
}

/* "..." -> (transfer full) contents; advances *s. */
static char *
parse_quoted (const char **s)
{
  const char *p = skip_ws (*s);
  if (*p != '"')
    return NULL;
  const char *e = strchr (p + 1, '"');
  if (e == NULL)
    return NULL;
  *s = e + 1;
  return g_strndup (p + 1, (gsize) (e - p - 1));
}

static gboolean
parse_uint (const char **s, uint32_t *out)
{
  const char *p = skip_ws (*s);
  if (!g_ascii_isdigit (*p))
    return FALSE;
  char *end;
  errno = 0;
  unsigned long v = strtoul (p, &end, 10);
  if (errno != 0 || v > 65535)
    return FALSE;
  *out = (uint32_t) v;
  *s = end;
  return TRUE;
}

/* "[N]" -> N */
static gboolean
parse_port (const char **s, uint32_t *out)
{
  const char *p = skip_ws (*s);
  if (*p != '[')
    return FALSE;
  p++;
  if (!parse_uint (&p, out) || *p != ']' || *out == 0)
    return FALSE;
  *s = p + 1;
  return TRUE;
}

/* optional "(hex)" */
static gboolean
skip_paren (const char **s)
{
  const char *p = *s;
  if (*p != '(')
    return TRUE;
  const char *e = strchr (p, ')');
  if (e == NULL)
    return FALSE;
  for (const char *q = p + 1; q < e; q++)
    if (!g_ascii_isxdigit (*q))
      return FALSE;
  *s = e + 1;
  return TRUE;
}

/* The N of the first word "lid N" (1..0xFFFF) in what follows a switch's
 * description ("# \"leaf-0\" enhanced port 0 lid 1 lmc 0"), or 0. */
static uint32_t
comment_lid (const char *s)
{
  for (const char *p = s; (p = strstr (p, "lid")) != NULL; p += 3)
    {
      if ((p != s && p[-1] != ' ' && p[-1] != '\t')
          || (p[3] != ' ' && p[3] != '\t'))
        continue;
      const char *q = p + 3;
      uint32_t v;
      if (parse_uint (&q, &v) && v > 0 && (*q == '\0' || *q == ' ' || *q == '\t'))
        return v;
    }
  return 0;
}

static gboolean
parse_header (Reader *rd, const char *line, int lineno, gboolean is_switch,
              GError **error)
{
  const char *s = line + (is_switch ? 6 : 2);
  Rec *r = g_new0 (Rec, 1);
  r->is_switch = is_switch;
  r->line = lineno;
  g_ptr_array_add (rd->recs, r);
  if (!parse_uint (&s, &r->nports) || r->nports == 0)
    return fail (error, rd, lineno, "expected a port count after '%s'",
                 is_switch ? "Switch" : "Ca");
  r->id = parse_quoted (&s);
  if (r->id == NULL || r->id[0] == '\0')
    return fail (error, rd, lineno, "expected a quoted node id such as "
                 "\"%s-0002c90300000001\"", is_switch ? "S" : "H");
  s = skip_ws (s);
  if (*s == '#')
    {
      s++;
      r->desc = parse_quoted (&s);
      if (is_switch && r->desc != NULL)
        r->lid = comment_lid (s);
    }
  if (g_hash_table_contains (rd->ids, r->id))
    return fail (error, rd, lineno, "node id \"%s\" defined twice (first "
                 "at line %d)", r->id,
                 ((Rec *) g_ptr_array_index (rd->recs, GPOINTER_TO_UINT (
                     g_hash_table_lookup (rd->ids, r->id)) - 1))->line);
  g_hash_table_insert (rd->ids, r->id, GUINT_TO_POINTER (rd->recs->len));
  return TRUE;
}

/* "[p](guid)? [ext n]? "peer"[q](guid)? # ..." (switch or Ca ports). */
static gboolean
parse_port_line (Reader *rd, const char *line, int lineno, GError **error)
{
  if (rd->recs->len == 0)
    return fail (error, rd, lineno, "expected a Switch or Ca record before "
                 "a port line");
  const char *s = line;
  Conn c = { 0 };
  c.rec = rd->recs->len - 1;
  c.line = lineno;
  Rec *r = g_ptr_array_index (rd->recs, c.rec);
  if (!parse_port (&s, &c.port) || !skip_paren (&s))
    return fail (error, rd, lineno, "expected a port line like "
                 "'[1]\t\"S-0002c90300000001\"[2]'");
  if (c.port > r->nports)
    return fail (error, rd, lineno, "port %u exceeds the %u ports of "
                 "\"%s\"", c.port, r->nports, r->id);
  s = skip_ws (s);
  if (g_str_has_prefix (s, "[ext"))
    {
      const char *e = strchr (s, ']');
      if (e == NULL)
        return fail (error, rd, lineno, "expected ']' after '[ext'");
      s = e + 1;
    }
  char *peer = parse_quoted (&s);
  if (peer == NULL || peer[0] == '\0')
    {
      g_free (peer);
      return fail (error, rd, lineno, "expected a quoted peer id after "
                   "port [%u]", c.port);
    }
  if (!parse_port (&s, &c.peer_port) || !skip_paren (&s))
    {
      g_free (peer);
      return fail (error, rd, lineno, "expected the peer port '[N]' after "
                   "the peer id");
    }
  g_array_append_val (rd->conns, c);
  g_ptr_array_add (rd->peer_ids, peer);
  return TRUE;
}

/* g_int64_hash folds the high half onto the low one, which leaves keys
 * (record << k | port) clustered in a few buckets on a fabric of a million
 * ports (minutes in the probe loops); this mixes every bit in
 * (MurmurHash3's 64-bit finalizer). */
static guint
key_hash (gconstpointer p)
{
  uint64_t x = (uint64_t) *(const gint64 *) p;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return (guint) x;
}

static int
cmp_link (const void *a, const void *b)
{
  const TopoLink *x = a, *y = b;
  if (x->a != y->a)
    return x->a < y->a ? -1 : 1;
  return (int) x->a_port - (int) y->a_port;
}

typedef struct
{
  uint32_t leaf, su, rail, order;
} LeafKey;

/* A cabled HCA port: record and port, the leaf record and port it links
 * to, the rail it was given, the line it was read from. */
typedef struct
{
  uint32_t rec, port, leaf, leaf_port, rail;
  int line;
} HcaEnd;

static int
cmp_hcaend (const void *a, const void *b)
{
  const HcaEnd *x = a, *y = b;
  if (x->rec != y->rec)
    return x->rec < y->rec ? -1 : 1;
  return x->port < y->port ? -1 : x->port > y->port;
}

/* A fabric read from a file has at most this many NICs (node x rail
 * slots, 16.7 M: 2 M nodes of 8 rails) and a node at most this many
 * rails, so a hostile file cannot ask for more memory than its size
 * justifies. */
#define IBNET_MAX_NICS (1u << 24)
#define IBNET_MAX_RAILS 4096u

G_STATIC_ASSERT (sizeof (uintptr_t) >= 8); /* keys below: 48 bits */

static gpointer
rail_key (uint32_t node, uint32_t rail)
{
  return (gpointer) (((uintptr_t) node << 13) | rail);
}

static int
cmp_leafkey (const void *a, const void *b)
{
  const LeafKey *x = a, *y = b;
  if (x->su != y->su)
    return x->su < y->su ? -1 : 1;
  if (x->rail != y->rail)
    return x->rail < y->rail ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

uint32_t
ibnet_desc_rail (const char *word)
{
  const char *num = NULL;
  uint32_t off = 0;
  if (g_str_has_prefix (word, "HCA-"))
    {
      num = word + 4;
      off = 1;
    }
  else if (g_str_has_prefix (word, "mlx5_"))
    num = word + 5;
  if (num == NULL)
    return TOPO_NONE;
  guint64 v;
  if (!g_ascii_string_to_unsigned (num, 10, off, G_MAXUINT16, &v, NULL))
    return TOPO_NONE;
  return (uint32_t) v - off;
}

/* Resolves the peers of the port lines, checks the links, classifies the
 * records into tiers. */
static gboolean
resolve (Reader *rd, GError **error)
{
  GPtrArray *recs = rd->recs;
  /* resolve peers; every (rec, port) has at most one peer */
  g_autoptr (GHashTable) ends = g_hash_table_new (key_hash,
                                                  g_int64_equal);
  g_autofree gint64 *keys = g_new (gint64, 2 * rd->conns->len + 1);
  guint nk = 0;
  for (guint i = 0; i < rd->conns->len; i++)
    {
      Conn *c = &g_array_index (rd->conns, Conn, i);
      const char *pid = g_ptr_array_index (rd->peer_ids, i);
      gpointer v = g_hash_table_lookup (rd->ids, pid);
      if (v == NULL)
        {
          return fail (error, rd, c->line, "peer \"%s\" has no Switch or "
                       "Ca record in the file", pid);
        }
      c->peer = GPOINTER_TO_UINT (v) - 1;
      Rec *pr = g_ptr_array_index (recs, c->peer);
      if (c->peer_port > pr->nports)
        {
          return fail (error, rd, c->line, "peer port [%u] exceeds the %u "
                       "ports of \"%s\" (line %d)", c->peer_port,
                       pr->nports, pid, pr->line);
        }
      if (c->peer == c->rec)
        {
          return fail (error, rd, c->line, "\"%s\" is linked to itself",
                       pid);
        }
      /* check both ends agree */
      gint64 *k1 = &keys[nk++], *k2 = &keys[nk++];
      *k1 = ((gint64) c->rec << 20) | c->port;
      *k2 = ((gint64) c->peer << 20) | c->peer_port;
      gint64 want2 = *k2, want1 = *k1;
      gpointer o1 = g_hash_table_lookup (ends, k1);
      gpointer o2 = g_hash_table_lookup (ends, k2);
      if ((o1 != NULL && *(gint64 *) o1 != want2)
          || (o2 != NULL && *(gint64 *) o2 != want1))
        {
          Rec *r = g_ptr_array_index (recs, c->rec);
          return fail (error, rd, c->line, "port [%u] of \"%s\" is "
                       "connected to two different peers; expected each "
                       "port linked once", c->port, r->id);
        }
      c->again = o1 != NULL; /* then it is this link (checked above) */
      if (o1 == NULL)
        g_hash_table_insert (ends, k1, k2);
      if (o2 == NULL)
        g_hash_table_insert (ends, k2, k1);
    }
  /* classify */
  for (guint i = 0; i < rd->conns->len; i++)
    {
      Conn *c = &g_array_index (rd->conns, Conn, i);
      Rec *a = g_ptr_array_index (recs, c->rec);
      Rec *b = g_ptr_array_index (recs, c->peer);
      if (!a->is_switch && !b->is_switch)
        {
          return fail (error, rd, c->line, "\"%s\" and \"%s\" are both "
                       "HCAs; expected an HCA to link to a switch", a->id,
                       b->id);
        }
      if (a->is_switch && !b->is_switch)
        a->has_hca = TRUE;
      if (b->is_switch && !a->is_switch)
        b->has_hca = TRUE;
    }
  for (guint i = 0; i < rd->conns->len; i++)
    {
      Conn *c = &g_array_index (rd->conns, Conn, i);
      Rec *a = g_ptr_array_index (recs, c->rec);
      Rec *b = g_ptr_array_index (recs, c->peer);
      if (b->has_hca && a->is_switch)
        a->has_leaf = TRUE;
      if (a->has_hca && b->is_switch)
        b->has_leaf = TRUE;
    }
  for (guint i = 0; i < recs->len; i++)
    {
      Rec *r = g_ptr_array_index (recs, i);
      r->tier = !r->is_switch ? -1 : r->has_hca ? 0 : r->has_leaf ? 1 : 2;
    }
  return TRUE;
}

static Topo *
build (Reader *rd, uint32_t gpus_per_node, GError **error)
{
  GPtrArray *recs = rd->recs;
  uint32_t nrec = recs->len;
  /* nodes from CA descriptions; r->rail is the rail the description asks
   * for ("HCA-5", "mlx5_4"), or TOPO_NONE */
  g_autoptr (GHashTable) node_ix = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) node_names = g_ptr_array_new_with_free_func (g_free);
  uint32_t n_sw[3] = { 0, 0, 0 }, radix = 0;
  for (uint32_t i = 0; i < nrec; i++)
    {
      Rec *r = g_ptr_array_index (recs, i);
      if (r->is_switch)
        {
          r->index = n_sw[r->tier]++;
          radix = MAX (radix, r->nports);
          continue;
        }
      if (r->desc == NULL || r->desc[0] == '\0' || r->desc[0] == ' ')
        {
          fail (error, rd, r->line, "expected a node description such as "
                "# \"node0412 HCA-5\" after Ca \"%s\"", r->id);
          return NULL;
        }
      g_auto (GStrv) words = g_strsplit (r->desc, " ", 3);
      if (!topo_valid_node_name (words[0]))
        {
          fail (error, rd, r->line, "the node name of Ca \"%s\" (the first "
                "word of its description) must be 1-%d letters, digits, "
                "'-', '_' or '.', as a host name", r->id, TOPO_MAX_NODE_NAME);
          return NULL;
        }
      gpointer v = g_hash_table_lookup (node_ix, words[0]);
      uint32_t node;
      if (v == NULL)
        {
          char *nm = g_strdup (words[0]);
          g_ptr_array_add (node_names, nm);
          node = node_names->len - 1;
          g_hash_table_insert (node_ix, nm, GUINT_TO_POINTER (node + 1));
        }
      else
        node = GPOINTER_TO_UINT (v) - 1;
      r->index = node;
      r->rail = words[1] ? ibnet_desc_rail (words[1]) : TOPO_NONE;
    }
  if (n_sw[0] == 0 || node_names->len == 0)
    {
      fail (error, rd, 1, "expected at least one Ca record linked to a "
            "Switch (found %u HCA nodes, %u leaf switches)", node_names->len,
            n_sw[0]);
      return NULL;
    }
  uint32_t n_nodes = node_names->len;
  /* The cabled HCA ports, each link once, in (record, port) order. Every
   * cabled port is a NIC of its node with its own cable and rail: a
   * dual-port HCA with both ports cabled gives its node two NICs, and two
   * HCAs of one node that claim the same rail get two. The first port of
   * an HCA takes the rail its description names if that rail of the node
   * is free; any other takes the node's lowest free rail. */
  g_autoptr (GArray) ends_hca = g_array_new (FALSE, FALSE, sizeof (HcaEnd));
  g_autoptr (GHashTable) seen = g_hash_table_new (g_direct_hash,
                                                  g_direct_equal);
  for (guint i = 0; i < rd->conns->len; i++)
    {
      Conn *c = &g_array_index (rd->conns, Conn, i);
      Rec *a = g_ptr_array_index (recs, c->rec);
      Rec *b = g_ptr_array_index (recs, c->peer);
      if (a->tier != -1 && b->tier != -1)
        continue;
      HcaEnd e = a->tier == -1
        ? (HcaEnd) { c->rec, c->port, c->peer, c->peer_port, 0, c->line }
        : (HcaEnd) { c->peer, c->peer_port, c->rec, c->port, 0, c->line };
      gpointer key = (gpointer) (((uintptr_t) e.rec << 16) | e.port);
      if (g_hash_table_contains (seen, key))
        continue; /* the same link seen from its other end */
      g_hash_table_add (seen, key);
      g_array_append_val (ends_hca, e);
    }
  g_array_sort (ends_hca, cmp_hcaend);
  g_autoptr (GHashTable) used = g_hash_table_new (g_direct_hash,
                                                  g_direct_equal);
  g_autofree uint32_t *lowest = g_new0 (uint32_t, n_nodes + 1);
  uint32_t rails = 1;
  for (guint i = 0; i < ends_hca->len; i++)
    {
      HcaEnd *e = &g_array_index (ends_hca, HcaEnd, i);
      Rec *r = g_ptr_array_index (recs, e->rec);
      uint32_t node = r->index, rail = TOPO_NONE;
      gboolean first = i == 0 || (e - 1)->rec != e->rec;
      if (first && r->rail != TOPO_NONE
          && !g_hash_table_contains (used, rail_key (node, r->rail)))
        rail = r->rail;
      else
        {
          while (g_hash_table_contains (used, rail_key (node, lowest[node])))
            lowest[node]++;
          rail = lowest[node];
        }
      if (rail >= IBNET_MAX_RAILS)
        {
          fail (error, rd, rail == r->rail ? r->line : e->line, "rail %u of "
                "node \"%s\" is beyond the %u rails a node may have",
                rail, (char *) g_ptr_array_index (node_names, node),
                IBNET_MAX_RAILS);
          return NULL;
        }
      g_hash_table_add (used, rail_key (node, rail));
      e->rail = rail;
      rails = MAX (rails, rail + 1);
    }
  if ((uint64_t) n_nodes * rails > IBNET_MAX_NICS)
    {
      fail (error, rd, 1, "%u nodes x %u rails is more than the %u NICs a "
            "fabric read from a file may have", n_nodes, rails,
            IBNET_MAX_NICS);
      return NULL;
    }
  TopoExplicit x = { 0 };
  x.n_nodes = n_nodes;
  x.gpus_per_node = gpus_per_node ? gpus_per_node : 8;
  x.rails = rails;
  x.radix = radix;
  x.cables = g_new (TopoLink, (uint64_t) n_nodes * rails);
  for (uint64_t i = 0; i < (uint64_t) n_nodes * rails; i++)
    x.cables[i] = (TopoLink) { (uint32_t) i, TOPO_NONE, 1, 0 };
  for (guint i = 0; i < ends_hca->len; i++)
    {
      const HcaEnd *e = &g_array_index (ends_hca, HcaEnd, i);
      const Rec *h = g_ptr_array_index (recs, e->rec);
      const Rec *l = g_ptr_array_index (recs, e->leaf);
      TopoLink *cl = &x.cables[(uint64_t) h->index * rails + e->rail];
      cl->b = l->index; /* renumbered below */
      cl->a_port = (uint16_t) e->port;
      cl->b_port = (uint16_t) e->leaf_port;
    }
  GArray *ups = g_array_new (FALSE, FALSE, sizeof (TopoLink));
  GArray *cores = g_array_new (FALSE, FALSE, sizeof (TopoLink));
  gboolean ok = TRUE;
  for (guint i = 0; i < rd->conns->len && ok; i++)
    {
      Conn *c = &g_array_index (rd->conns, Conn, i);
      Rec *a = g_ptr_array_index (recs, c->rec);
      Rec *b = g_ptr_array_index (recs, c->peer);
      uint32_t ap = c->port, bp = c->peer_port;
      /* a link may be listed from both ends: orient it lower tier first
       * (HCA, leaf, spine, core) and drop duplicates below */
      int ta = a->tier, tb = b->tier;
      if (ta > tb)
        {
          Rec *tr = a;
          a = b;
          b = tr;
          uint32_t tp = ap;
          ap = bp;
          bp = tp;
          int tt = ta;
          ta = tb;
          tb = tt;
        }
      if (ta == tb)
        {
          fail (error, rd, c->line, "\"%s\" and \"%s\" are both %s; "
                "expected a fat tree (HCA-leaf-spine-core)", a->id, b->id,
                ta == 0 ? "leaves" : ta == 1 ? "spines" : "cores");
          ok = FALSE;
          break;
        }
      if (ta == -1)
        {
          if (tb != 0)
            ok = fail (error, rd, c->line, "HCA \"%s\" links to a "
                       "non-leaf switch", a->id);
          continue; /* cabled above */
        }
      else if (ta == 0 && tb == 1)
        {
          TopoLink l = { a->index, b->index, (uint16_t) ap, (uint16_t) bp };
          g_array_append_val (ups, l);
        }
      else if (ta == 1 && tb == 2)
        {
          TopoLink l = { a->index, b->index, (uint16_t) ap, (uint16_t) bp };
          g_array_append_val (cores, l);
        }
      else
        {
          ok = fail (error, rd, c->line, "\"%s\" links a leaf to a core "
                     "switch \"%s\"; expected leaf-spine-core", a->id, b->id);
          break;
        }
    }
  if (!ok)
    {
      g_array_free (ups, TRUE);
      g_array_free (cores, TRUE);
      g_free (x.cables);
      return NULL;
    }
  /* dedupe (each link seen from both ends) */
  g_array_sort (ups, cmp_link);
  g_array_sort (cores, cmp_link);
  GArray *arrs[2] = { ups, cores };
  for (int k = 0; k < 2; k++)
    {
      GArray *a = arrs[k];
      guint w = 0;
      for (guint i = 0; i < a->len; i++)
        if (w == 0 || cmp_link (&g_array_index (a, TopoLink, w - 1),
                                &g_array_index (a, TopoLink, i)) != 0)
          g_array_index (a, TopoLink, w++) = g_array_index (a, TopoLink, i);
      g_array_set_size (a, w);
    }
  /* SUs: a node's SU is that of the leaf of its lowest cabled rail */
  x.node_su = g_new (uint32_t, n_nodes + 1);
  g_autofree uint32_t *su_of_leaf0 = g_new (uint32_t, n_sw[0] + 1);
  for (uint32_t l = 0; l < n_sw[0]; l++)
    su_of_leaf0[l] = TOPO_NONE;
  uint32_t n_sus = 0;
  for (uint32_t n = 0; n < n_nodes; n++)
    {
      uint32_t leaf = TOPO_NONE;
      for (uint32_t r = 0; r < rails && leaf == TOPO_NONE; r++)
        leaf = x.cables[(uint64_t) n * rails + r].b;
      if (leaf == TOPO_NONE)
        {
          g_array_free (ups, TRUE);
          g_array_free (cores, TRUE);
          g_free (x.cables);
          g_free (x.node_su);
          fail (error, rd, 1, "node \"%s\" has no HCA linked to a switch",
                (char *) g_ptr_array_index (node_names, n));
          return NULL;
        }
      if (su_of_leaf0[leaf] == TOPO_NONE)
        su_of_leaf0[leaf] = n_sus++;
      x.node_su[n] = su_of_leaf0[leaf];
    }
  /* leaves: SU and rail of their first node; renumber by (su, rail) */
  g_autofree LeafKey *lk = g_new (LeafKey, n_sw[0] + 1);
  for (uint32_t l = 0; l < n_sw[0]; l++)
    lk[l] = (LeafKey) { l, TOPO_NONE, TOPO_NONE, l };
  for (uint32_t n = 0; n < n_nodes; n++)
    for (uint32_t r = 0; r < rails; r++)
      {
        uint32_t leaf = x.cables[(uint64_t) n * rails + r].b;
        if (leaf != TOPO_NONE && lk[leaf].su == TOPO_NONE)
          {
            lk[leaf].su = x.node_su[n];
            lk[leaf].rail = r;
          }
      }
  for (uint32_t l = 0; l < n_sw[0]; l++)
    if (lk[l].su == TOPO_NONE)
      {
        /* every leaf has an HCA link, hence a cable; kept as a check */
        g_array_free (ups, TRUE);
        g_array_free (cores, TRUE);
        g_free (x.cables);
        g_free (x.node_su);
        fail (error, rd, 1, "leaf switch %u has no cabled HCA", l);
        return NULL;
      }
  qsort (lk, n_sw[0], sizeof *lk, cmp_leafkey);
  g_autofree uint32_t *renum = g_new (uint32_t, n_sw[0] + 1);
  x.n_leaves = n_sw[0];
  x.leaf_su = g_new (uint32_t, n_sw[0] + 1);
  x.leaf_rail = g_new (uint32_t, n_sw[0] + 1);
  for (uint32_t i = 0; i < n_sw[0]; i++)
    {
      renum[lk[i].leaf] = i;
      x.leaf_su[i] = lk[i].su;
      x.leaf_rail[i] = lk[i].rail;
    }
  for (uint64_t i = 0; i < (uint64_t) n_nodes * rails; i++)
    if (x.cables[i].b != TOPO_NONE)
      x.cables[i].b = renum[x.cables[i].b];
  for (guint i = 0; i < ups->len; i++)
    g_array_index (ups, TopoLink, i).a
      = renum[g_array_index (ups, TopoLink, i).a];
  g_array_sort (ups, cmp_link);
  x.n_spines = n_sw[1];
  x.n_cores = n_sw[2];
  x.n_uplinks = ups->len;
  x.uplinks = (TopoLink *) g_array_free (ups, FALSE);
  x.n_corelinks = cores->len;
  x.corelinks = (TopoLink *) g_array_free (cores, FALSE);
  g_ptr_array_add (node_names, NULL);
  x.node_names = (char **) g_ptr_array_steal (node_names, NULL);
  Topo *t = topo_new_explicit (&x);
  if (t == NULL)
    {
      g_free (x.cables);
      g_free (x.uplinks);
      g_free (x.corelinks);
      g_free (x.leaf_su);
      g_free (x.leaf_rail);
      g_free (x.node_su);
      g_strfreev (x.node_names);
      g_set_error (error, TOPO_ERROR, TOPO_ERROR_PARSE, "%s: the fabric "
                   "read is inconsistent (a bug in faultline's reader)",
                   rd->name);
    }
  return t;
}

static void
reader_clear (Reader *rd)
{
  g_ptr_array_unref (rd->recs);
  g_hash_table_unref (rd->ids);
  g_array_unref (rd->conns);
  g_ptr_array_unref (rd->peer_ids);
}

/* Reads the lines of DATA into RD (records, port lines), then resolves
 * and checks them (resolve()). */
static gboolean
reader_parse (Reader *rd, const char *data, size_t len, const char *name,
              GError **error)
{
  rd->name = name ? name : "<ibnetdiscover>";
  rd->recs = g_ptr_array_new_with_free_func (rec_free);
  rd->ids = g_hash_table_new (g_str_hash, g_str_equal);
  rd->conns = g_array_new (FALSE, FALSE, sizeof (Conn));
  rd->peer_ids = g_ptr_array_new_with_free_func (g_free);
  gboolean ok = TRUE;
  g_autofree char *copy = g_strndup (data ? data : "", len);
  if (strlen (copy) != len)
    ok = fail (error, rd, 1, "expected text, found a NUL byte");
  char *save = copy;
  int lineno = 0;
  while (ok && save != NULL)
    {
      char *line = save;
      char *nl = strchr (save, '\n');
      if (nl != NULL)
        {
          *nl = '\0';
          save = nl + 1;
        }
      else
        save = NULL;
      lineno++;
      g_strchomp (line);
      const char *s = skip_ws (line);
      if (*s == '\0' || *s == '#')
        continue;
      if (g_str_has_prefix (s, "Switch") && (s[6] == ' ' || s[6] == '\t'))
        ok = parse_header (rd, s, lineno, TRUE, error);
      else if (g_str_has_prefix (s, "Ca") && (s[2] == ' ' || s[2] == '\t'))
        ok = parse_header (rd, s, lineno, FALSE, error);
      else if (*s == '[')
        ok = parse_port_line (rd, s, lineno, error);
      else if (g_ascii_isalpha (*s) && strchr (s, '=') != NULL
               && strspn (s, "abcdefghijklmnopqrstuvwxyz") == (size_t) (strchr (s, '=') - s))
        continue; /* vendid=, devid=, sysimgguid=, switchguid=, caguid= */
      else
        ok = fail (error, rd, lineno, "expected 'Switch', 'Ca', a port "
                   "line '[N] \"id\"[M]' or 'key=value' (the line is not "
                   "quoted: the file may not be an ibnetdiscover dump)");
    }
  return ok && resolve (rd, error);
}

Topo *
ibnet_read_data (const char *data, size_t len, const char *name,
                 uint32_t gpus_per_node, GError **error)
{
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  Reader rd = { 0 };
  Topo *t = NULL;
  if (reader_parse (&rd, data, len, name, error))
    t = build (&rd, gpus_per_node, error);
  reader_clear (&rd);
  return t;
}

static void
ibnet_rec_free (gpointer p)
{
  IbnetRec *r = p;
  g_free (r->id);
  g_free (r->desc);
  g_free (r);
}

IbnetDump *
ibnet_dump_parse (const char *data, size_t len, const char *name,
                  GError **error)
{
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  Reader rd = { 0 };
  IbnetDump *d = NULL;
  if (reader_parse (&rd, data, len, name, error))
    {
      d = g_new0 (IbnetDump, 1);
      d->recs = g_ptr_array_new_full (rd.recs->len, ibnet_rec_free);
      for (guint i = 0; i < rd.recs->len; i++)
        {
          Rec *r = g_ptr_array_index (rd.recs, i);
          IbnetRec *o = g_new0 (IbnetRec, 1);
          o->is_switch = r->is_switch;
          o->id = g_steal_pointer (&r->id);
          o->desc = g_steal_pointer (&r->desc);
          o->nports = r->nports;
          o->lid = r->lid;
          o->line = r->line;
          o->tier = r->tier;
          g_ptr_array_add (d->recs, o);
        }
      d->conns = g_array_sized_new (FALSE, FALSE, sizeof (IbnetConn),
                                    rd.conns->len);
      for (guint i = 0; i < rd.conns->len; i++)
        {
          const Conn *c = &g_array_index (rd.conns, Conn, i);
          IbnetConn o = { c->rec, c->port, c->peer, c->peer_port, c->line,
                          c->again };
          g_array_append_val (d->conns, o);
        }
    }
  reader_clear (&rd);
  return d;
}

void
ibnet_dump_free (IbnetDump *d)
{
  if (d == NULL)
    return;
  g_ptr_array_unref (d->recs);
  g_array_unref (d->conns);
  g_free (d);
}

Topo *
ibnet_read_file (const char *path, uint32_t gpus_per_node, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr (GError) e = NULL;
  if (!infile_read (path, "ibnetdiscover file", INFILE_MAX_IBNET, &data,
                    &len, &e))
    {
      g_set_error_literal (error, TOPO_ERROR, TOPO_ERROR_IO, e->message);
      return NULL;
    }
  return ibnet_read_data (data, len, path, gpus_per_node, error);
}

/* ---- writing ---- */

static uint32_t
lid_of (const Topo *t, TopoKind kind, uint32_t i)
{
  uint32_t nl = topo_count (t, TOPO_LEAF), ns = topo_count (t, TOPO_SPINE);
  switch (kind)
    {
    case TOPO_LEAF: return 1 + i;
    case TOPO_SPINE: return 1 + nl + i;
    case TOPO_CORE: return 1 + nl + ns + i;
    default: return 1 + topo_n_switches (t) + i;
    }
}

uint32_t
ibnet_lid (const Topo *topo, TopoKind kind, uint32_t index)
{
  g_return_val_if_fail (topo != NULL, 0);
  return lid_of (topo, kind, index);
}

static void
write_hca_desc (const Topo *t, uint32_t nic, char *buf, size_t len)
{
  char node[128];
  topo_name (t, TOPO_NODE, nic / topo_rails (t), node, sizeof node);
  g_snprintf (buf, len, "%s HCA-%u", node, nic % topo_rails (t) + 1);
}

gboolean
ibnet_write (const Topo *topo, FILE *out, GError **error)
{
  g_return_val_if_fail (topo != NULL && out != NULL, FALSE);
  static const TopoKind sk[3] = { TOPO_LEAF, TOPO_SPINE, TOPO_CORE };
  char name[128], peer[128];
  fprintf (out, "#\n# Topology file: generated by faultline (synthetic "
           "GUIDs)\n# %u nodes, %u switches, %" G_GUINT64_FORMAT " links\n#\n",
           topo_count (topo, TOPO_NODE), topo_n_switches (topo),
           topo_n_links (topo));
  for (int tier = 0; tier < 3; tier++)
    for (uint32_t s = 0; s < topo_count (topo, sk[tier]); s++)
      {
        uint64_t g = ibnet_guid (sk[tier], s);
        topo_name (topo, sk[tier], s, name, sizeof name);
        fprintf (out, "\nvendid=0x2c9\ndevid=0xd2f0\nsysimgguid=0x%" PRIx64
                 "\nswitchguid=0x%" PRIx64 "(%" PRIx64 ")\n", g, g, g);
        fprintf (out, "Switch\t%u \"S-%016" PRIx64 "\"\t\t# \"%s\" enhanced "
                 "port 0 lid %u lmc 0\n", topo_radix (topo), g, name,
                 lid_of (topo, sk[tier], s));
        const TopoRef *refs;
        uint32_t n;
        topo_switch_links (topo, sk[tier], s, &refs, &n);
        for (uint32_t i = 0; i < n; i++)
          {
            const TopoLink *l = topo_link (topo, refs[i].kind, refs[i].index);
            if (refs[i].kind == TOPO_CABLE)
              {
                uint64_t hg = ibnet_guid (TOPO_NIC, l->a);
                write_hca_desc (topo, l->a, peer, sizeof peer);
                fprintf (out, "[%u]\t\"H-%016" PRIx64 "\"[%u](%" PRIx64
                         ") \t\t# \"%s\" lid %u 4xNDR\n", l->b_port, hg,
                         l->a_port, hg + 1, peer,
                         lid_of (topo, TOPO_NIC, l->a));
                continue;
              }
            gboolean up = (refs[i].kind == TOPO_UPLINK && tier == 0)
                          || (refs[i].kind == TOPO_CORELINK && tier == 1);
            TopoKind pk = up ? sk[tier + 1] : sk[tier - 1];
            uint32_t pi = up ? l->b : l->a;
            uint64_t pg = ibnet_guid (pk, pi);
            topo_name (topo, pk, pi, peer, sizeof peer);
            fprintf (out, "[%u]\t\"S-%016" PRIx64 "\"[%u]\t\t# \"%s\" lid %u "
                     "4xNDR\n", up ? l->a_port : l->b_port, pg,
                     up ? l->b_port : l->a_port, peer, lid_of (topo, pk, pi));
          }
      }
  uint32_t nics = topo_index_limit (topo, TOPO_CABLE);
  for (uint32_t c = 0; c < nics; c++)
    {
      const TopoLink *l = topo_link (topo, TOPO_CABLE, c);
      if (l == NULL)
        continue;
      uint64_t hg = ibnet_guid (TOPO_NIC, c), lg = ibnet_guid (TOPO_LEAF, l->b);
      write_hca_desc (topo, c, peer, sizeof peer);
      topo_name (topo, TOPO_LEAF, l->b, name, sizeof name);
      fprintf (out, "\nvendid=0x2c9\ndevid=0x1021\nsysimgguid=0x%" PRIx64
               "\ncaguid=0x%" PRIx64 "\n", hg, hg);
      /* the HCA has at least as many ports as the one cabled (port 2 of
       * a dual-port HCA read from a file) */
      fprintf (out, "Ca\t%u \"H-%016" PRIx64 "\"\t\t# \"%s\"\n",
               MAX (1u, (unsigned) l->a_port), hg, peer);
      fprintf (out, "[%u](%" PRIx64 ") \t\"S-%016" PRIx64 "\"[%u]\t\t# lid %u "
               "lmc 0 \"%s\" lid %u 4xNDR\n", l->a_port, hg + 1, lg, l->b_port,
               lid_of (topo, TOPO_NIC, c), name,
               lid_of (topo, TOPO_LEAF, l->b));
    }
  if (fflush (out) != 0 || ferror (out))
    {
      g_set_error (error, TOPO_ERROR, TOPO_ERROR_IO,
                   "writing ibnetdiscover output failed: %s",
                   g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}
