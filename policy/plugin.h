/* policy/plugin.h - (being written) */
#pragma once
