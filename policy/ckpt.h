/* policy/ckpt.h - (being written) */
#pragma once
