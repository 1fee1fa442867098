/* models/infile.c - input files read whole: regular files only, with a
 * size cap and a JSON depth check; see infile.h. */
#include "infile.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

G_DEFINE_QUARK (faultline-infile-error-quark, infile_error)

static const char *
infile_kind (mode_t m)
{
  if (S_ISDIR (m))
    return "a directory";
  if (S_ISFIFO (m))
    return "a FIFO (named pipe)";
  if (S_ISSOCK (m))
    return "a socket";
  if (S_ISCHR (m) || S_ISBLK (m))
    return "a device";
  return "not a regular file";
}

/* "2.0 GiB" for messages (plain ASCII: g_format_size puts a no-break
 * space before the unit). Returns: (transfer full). */
static char *
infile_size (gsize n)
{
  if (n >= (gsize) 1 << 30)
    return g_strdup_printf ("%.1f GiB", (double) n / (1 << 30));
  if (n >= (gsize) 1 << 20)
    return g_strdup_printf ("%.1f MiB", (double) n / (1 << 20));
  return g_strdup_printf ("%" G_GSIZE_FORMAT " bytes", n);
}

bool
infile_read (const char *path, const char *what, gsize max_bytes,
             char **data, gsize *len, GError **error)
{
  g_return_val_if_fail (path != NULL && what != NULL && data != NULL, false);
  *data = NULL;
  if (len != NULL)
    *len = 0;
  /* O_NONBLOCK: opening a FIFO with no writer would wait forever. */
  int fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, INFILE_ERROR, INFILE_ERROR_IO,
                   "%s: cannot read the %s: %s", path, what, g_strerror (e));
      return false;
    }
  struct stat st;
  if (fstat (fd, &st) != 0)
    {
      int e = errno;
      close (fd);
      g_set_error (error, INFILE_ERROR, INFILE_ERROR_IO,
                   "%s: cannot read the %s: %s", path, what, g_strerror (e));
      return false;
    }
  if (!S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, INFILE_ERROR, INFILE_ERROR_NOT_REGULAR,
                   "%s: is %s, not a regular file (expected the %s)", path,
                   infile_kind (st.st_mode), what);
      return false;
    }
  if ((guint64) st.st_size > max_bytes)
    {
      close (fd);
      g_autofree char *have = infile_size ((gsize) st.st_size);
      g_autofree char *cap = infile_size (max_bytes);
      g_set_error (error, INFILE_ERROR, INFILE_ERROR_TOO_BIG,
                   "%s: %s, more than the %s allowed for the %s", path, have,
                   cap, what);
      return false;
    }
  /* Read to the end, not to st_size: the file may have grown since. */
  gsize cap = (gsize) st.st_size + 1, n = 0;
  char *buf = g_malloc (cap + 1);
  for (;;)
    {
      if (n == cap)
        {
          if (n > max_bytes)
            break;
          cap = MIN (cap * 2, max_bytes + 1);
          buf = g_realloc (buf, cap + 1);
        }
      ssize_t r = read (fd, buf + n, cap - n);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          int e = errno;
          close (fd);
          g_free (buf);
          g_set_error (error, INFILE_ERROR, INFILE_ERROR_IO,
                       "%s: cannot read the %s: %s", path, what,
                       g_strerror (e));
          return false;
        }
      if (r == 0)
        break;
      n += (gsize) r;
    }
  close (fd);
  if (n > max_bytes)
    {
      g_free (buf);
      g_autofree char *capt = infile_size (max_bytes);
      g_set_error (error, INFILE_ERROR, INFILE_ERROR_TOO_BIG,
                   "%s: grew past the %s allowed for the %s while being read",
                   path, capt, what);
      return false;
    }
  buf[n] = '\0';
  *data = buf;
  if (len != NULL)
    *len = n;
  return true;
}

bool
infile_json_depth_ok (const char *text, gssize len, guint max_depth,
                      const char *name, GError **error)
{
  g_return_val_if_fail (text != NULL, false);
  gsize n = len < 0 ? strlen (text) : (gsize) len;
  guint depth = 0;
  bool in_string = false;
  for (gsize i = 0; i < n; i++)
    {
      char c = text[i];
      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = false;
          continue;
        }
      if (c == '"')
        in_string = true;
      else if (c == '[' || c == '{')
        {
          if (++depth > max_depth)
            {
              g_set_error (error, INFILE_ERROR, INFILE_ERROR_MALFORMED,
                           "%s: JSON nested more than %u deep (at byte %"
                           G_GSIZE_FORMAT "): not a file faultline wrote",
                           name, max_depth, i);
              return false;
            }
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return true;
}

bool
infile_load_json (JsonParser *parser, const char *path, const char *what,
                  GError **error)
{
  g_return_val_if_fail (JSON_IS_PARSER (parser) && path != NULL, false);
  g_autofree char *text = NULL;
  gsize len = 0;
  if (!infile_read (path, what, INFILE_MAX_JSON, &text, &len, error)
      || !infile_json_depth_ok (text, (gssize) len, INFILE_JSON_MAX_DEPTH,
                                path, error))
    return false;
  g_autoptr (GError) local = NULL;
  if (!json_parser_load_from_data (parser, text, (gssize) len, &local))
    {
      g_set_error (error, INFILE_ERROR, INFILE_ERROR_MALFORMED,
                   "%s: not valid JSON: %s", path, local->message);
      return false;
    }
  return true;
}
