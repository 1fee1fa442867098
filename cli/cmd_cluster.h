/* cli/cmd_cluster.h - what cmd_slurm.c and cmd_k8s.c share beyond cli.h:
 * turning the parsed sweep and cluster options into
 * SweepClusterOptions (lib/sweep-cluster.h). */
#pragma once

#include "cli.h"
#include "sweep-cluster.h"

/* Fills o's sweep, shard and naming fields from a and c (defaults:
 * min(replicas, 100) shards, DIR.shards, faultline-SCENARIO) and checks
 * them. Returns an exit status, the problem printed. */
int cli_cluster_prepare (const char *cmd, CliSweepArgs *a, CliClusterArgs *c,
                         SweepClusterOptions *o);
