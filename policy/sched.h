/* policy/sched.h - (being written) */
#pragma once
