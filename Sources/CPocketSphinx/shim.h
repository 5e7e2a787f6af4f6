#ifndef TALKSHOP_CPOCKETSPHINX_SHIM_H
#define TALKSHOP_CPOCKETSPHINX_SHIM_H

// PocketSphinx 0.8 / sphinxbase from Debian (libpocketsphinx-dev, pocketsphinx-en-us).
// cmd_ln_init is variadic; Talkshop builds its configuration with cmd_ln_parse_r and an
// argv array instead, which needs no wrapper.
#include <pocketsphinx.h>
#include <sphinxbase/err.h>
// feat_t and cmn_t: a streamed utterance's cepstral mean is set on its decoder (SpeechDecoder).
#include <sphinxbase/feat.h>

#endif
