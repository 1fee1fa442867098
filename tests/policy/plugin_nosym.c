/* tests/policy/plugin_nosym.c - a loadable .so that does not export
 * faultline_health_policy(), to check the loader's error. */
int plugin_nosym_answer (void);

int
plugin_nosym_answer (void)
{
  return 42;
}
