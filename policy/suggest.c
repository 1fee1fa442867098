/* policy/suggest.c - see suggest.h. O(|a| |b|) per pair; keys are short. */
#include "suggest.h"

#include <glib.h>
#include <string.h>

size_t
policy_edit_distance (const char *a, const char *b)
{
  size_t la = strlen (a), lb = strlen (b);
  if (la > 64 || lb > 64)
    return (size_t) -1;
  size_t d[65][65];
  for (size_t i = 0; i <= la; i++)
    d[i][0] = i;
  for (size_t j = 0; j <= lb; j++)
    d[0][j] = j;
  for (size_t i = 1; i <= la; i++)
    for (size_t j = 1; j <= lb; j++)
      {
        size_t cost = g_ascii_tolower (a[i - 1]) != g_ascii_tolower (b[j - 1]);
        size_t v = MIN (d[i - 1][j] + 1, d[i][j - 1] + 1);
        v = MIN (v, d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
          v = MIN (v, d[i - 2][j - 2] + 1);
        d[i][j] = v;
      }
  return d[la][lb];
}

const char *
policy_suggest (const char *word, const char *const *candidates, size_t n)
{
  g_return_val_if_fail (word != NULL && candidates != NULL, NULL);
  const char *best = NULL;
  size_t best_d = (size_t) -1;
  for (size_t i = 0; n == (size_t) -1 ? candidates[i] != NULL : i < n; i++)
    {
      size_t d = policy_edit_distance (word, candidates[i]);
      if (d < best_d)
        {
          best_d = d;
          best = candidates[i];
        }
    }
  size_t lw = strlen (word);
  size_t limit = lw <= 3 ? 1 : lw <= 6 ? 2 : 3;
  return best_d <= limit ? best : NULL;
}
