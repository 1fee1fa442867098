/* policy/health_kit.c - what the built-in health policies share (see
 * health_kit.h). */
#include "health_kit.h"

bool
health_kit_ring_push_hits (HealthKitRing *r, uint32_t k, HealthTimeMs now,
                           HealthTimeMs window)
{
  if (k == 0)
    return false;
  if (r->t == NULL)
    r->t = g_new (HealthTimeMs, k);
  r->t[r->head] = now;
  r->head = (r->head + 1) % k;
  if (r->n < k)
    r->n++;
  /* head now points at the oldest of the last k events */
  return r->n == k && now - r->t[r->head] <= window;
}

bool
health_kit_ring_hits (const HealthKitRing *r, uint32_t k, HealthTimeMs now,
                      HealthTimeMs window)
{
  return k > 0 && r->n == k && now - r->t[r->head] <= window;
}

void
health_kit_ring_clear (HealthKitRing *r)
{
  r->n = 0;
  r->head = 0;
}

void
health_kit_ring_free (HealthKitRing *r)
{
  g_clear_pointer (&r->t, g_free);
  health_kit_ring_clear (r);
}

GArray *
health_kit_timers_new (void)
{
  return g_array_new (FALSE, FALSE, sizeof (HealthKitTimer));
}

void
health_kit_timers_push (GArray *heap, HealthTimeMs time, uint32_t id)
{
  HealthKitTimer t = { time, id };
  HealthKitTimer *h;
  guint i;

  g_array_append_val (heap, t);
  h = (HealthKitTimer *) (void *) heap->data;
  i = heap->len - 1;
  while (i > 0 && h[(i - 1) / 2].time > h[i].time)
    {
      HealthKitTimer tmp = h[i];
      h[i] = h[(i - 1) / 2];
      h[(i - 1) / 2] = tmp;
      i = (i - 1) / 2;
    }
}

HealthKitTimer
health_kit_timers_pop (GArray *heap)
{
  HealthKitTimer *h = (HealthKitTimer *) (void *) heap->data;
  HealthKitTimer top = h[0];
  guint n = heap->len - 1, i = 0;

  h[0] = h[n];
  g_array_set_size (heap, n);
  for (;;)
    {
      guint l = 2 * i + 1, r = l + 1, m = i;
      if (l < n && h[l].time < h[m].time)
        m = l;
      if (r < n && h[r].time < h[m].time)
        m = r;
      if (m == i)
        break;
      HealthKitTimer tmp = h[i];
      h[i] = h[m];
      h[m] = tmp;
      i = m;
    }
  return top;
}

HealthTimeMs
health_kit_timers_next (GArray *heap, HealthKitLiveFn live, void *owner)
{
  while (heap->len > 0)
    {
      HealthKitTimer *top = &g_array_index (heap, HealthKitTimer, 0);
      if (live (owner, top))
        return top->time;
      health_kit_timers_pop (heap);
    }
  return HEALTH_TIME_NEVER;
}

void
health_kit_emit_node (HealthActionSink *sink, HealthActionKind kind,
                      HealthTimeMs now, uint32_t node, int32_t gpu,
                      const char *reason)
{
  HealthAction a = { kind, now, node, gpu, HEALTH_NO_LINK, reason };
  health_emit (sink, &a);
}

void
health_kit_emit_link (HealthActionSink *sink, HealthActionKind kind,
                      HealthTimeMs now, uint32_t link, const char *reason)
{
  HealthAction a = { kind, now, HEALTH_NO_NODE, HEALTH_NO_GPU, link, reason };
  health_emit (sink, &a);
}
