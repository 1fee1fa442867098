/* sim/phold.h - the PHOLD benchmark model (Fujimoto 1990) on the sim/
 * kernel, and the same model on a plain binary heap for reference.
 *
 * L logical processes each start with M events at Exp(1) times; handling an
 * event at t draws d ~ Exp(1), picks a target process uniformly and
 * schedules an event there at t + d; the run stops when time passes T. */
#pragma once

#include <stdint.h>

#include "evq.h"

typedef struct
{
  uint32_t lps;        /* L */
  uint32_t population; /* M, events per LP at start */
  double end;          /* T, in units of the mean delay */
  uint64_t seed;
  EvqKind queue;       /* phold_run's queue (EVQ_RADIX when zeroed) */
} PholdParams;

typedef struct
{
  uint64_t events;     /* events handled */
  double seconds;      /* wall time of the event loop only */
  double cpu_seconds;  /* user + sys CPU time of the event loop (getrusage) */
  double events_per_s;
  long maxrss_kb;      /* peak resident set after the run */
} PholdResult;

/* Runs PHOLD on the faultline kernel (sim.h) with queue p->queue. */
void phold_run (const PholdParams *p, PholdResult *r);
/* Runs PHOLD on a plain hand-written binary heap (the reference). */
void phold_run_reference (const PholdParams *p, PholdResult *r);
