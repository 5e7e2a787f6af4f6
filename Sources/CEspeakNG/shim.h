#ifndef TALKSHOP_CESPEAKNG_SHIM_H
#define TALKSHOP_CESPEAKNG_SHIM_H

#include <espeak-ng/speak_lib.h>

#endif
