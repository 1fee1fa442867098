/* lib/yamltext.c - YAML scalars written by hand (yamltext.h). */
#include "yamltext.h"

void
yamltext_dquote (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (out, "\\%c", *p);
      else if (*p == '\n')
        g_string_append (out, "\\n");
      else if (*p < 0x20 || *p == 0x7f)
        g_string_append_printf (out, "\\u%04x", *p);
      else
        g_string_append_c (out, (char) *p);
    }
  g_string_append_c (out, '"');
}

void
yamltext_squote (GString *out, const char *s)
{
  g_string_append_c (out, '\'');
  for (; *s; s++)
    {
      if (*s == '\'')
        g_string_append_c (out, '\'');
      g_string_append_c (out, *s);
    }
  g_string_append_c (out, '\'');
}
