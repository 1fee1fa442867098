/* policy/ckpt.h - checkpoint-interval theory: Young (1974) and Daly (2006).
 *
 * Closed forms a controller can use to pick a checkpoint interval, and the
 * expected efficiency the simulator is validated against. Units are the
 * caller's: any consistent unit (faultline passes minutes or hours).
 * Notation (field-data.md §10): M = mean time between failures
 * (exponential), delta = checkpoint save time, R = restart time, tau =
 * compute time between checkpoints. Not a simulator of checkpoints: that
 * is models/. GLib-free, libm only. */
#pragma once

/* Young's first-order optimum: sqrt (2 delta M). delta >= 0, M > 0. */
double ckpt_young (double delta, double M);

/* Daly's higher-order optimum: for delta < 2M,
 *   tau = sqrt (2 delta M) [1 + (1/3) sqrt (delta / 2M) + (1/9) (delta / 2M)]
 *         - delta,
 * else M. R does not enter this form (it is kept for symmetry with
 * ckpt_daly_efficiency and for future refinements). */
double ckpt_daly (double delta, double M, double R);

/* Expected useful fraction of wall time of Daly's complete model:
 *   E = tau / (M e^(R/M) (e^((tau + delta)/M) - 1)).
 * tau > 0, delta >= 0, R >= 0, M > 0. */
double ckpt_daly_efficiency (double tau, double delta, double R, double M);

/* Expected useful fraction with asynchronous checkpoints: the job blocks
 * for delta, then the checkpoint is written in the background for W while
 * the job computes on, and becomes a restart point only once written. A
 * restart point thus needs the job to survive W past the end of its
 * blocking part, and by renewal-reward (docs/validation.md)
 *   E = tau e^(-W/M) / (M e^(R/M) (e^((tau + delta)/M) - 1)),
 * Daly's efficiency times e^(-W/M). Exact for W <= tau (one write in
 * flight never delays the next checkpoint); W = 0 is Daly's model. The
 * optimum tau does not depend on W. tau > 0, delta >= 0, 0 <= W <= tau,
 * R >= 0, M > 0. */
double ckpt_async_efficiency (double tau, double delta, double W, double R,
                              double M);

/* The exact optimum of Daly's complete model: the root in (0, M) of
 *   e^((tau + delta)/M) (1 - tau/M) = 1,
 * found by bisection to relative precision 1e-12 (the left side minus one
 * decreases strictly on (0, M), so the root is unique). Returns 0 when
 * delta == 0 (checkpoints are free: checkpoint continuously). */
double ckpt_optimal_tau_exact (double delta, double M);
