/* tests/policy/plugin_data.c - a .so that exports faultline_health_policy
 * as data, not as a function: calling it would jump into data, so the
 * loader must refuse it before dlopen (policy/plugin.c). */
const unsigned char faultline_health_policy[64] = { 0xff, 0xff, 0xff, 0xff };
