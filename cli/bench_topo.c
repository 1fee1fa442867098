/* cli/bench_topo.c - `faultline bench topo`. (being written) */
#include "cli.h"

int
bench_topo_main (int argc, char **argv)
{
  cli_error ("bench topo", "not implemented yet");
  return FL_EXIT_INTERNAL;
}
