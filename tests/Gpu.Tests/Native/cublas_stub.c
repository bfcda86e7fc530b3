/* A stand-in for libcublas with the five entry points Thresher binds, their exact C signatures (cublas_v2.h),
 * and a naive column-major sgemm on host memory: the binding tests build it with cc and drive the real P/Invoke
 * path through it on ILGPU's CPU accelerator (whose buffers are host memory). stub_* report what was set. */
#include <stdlib.h>

typedef struct { void *stream; int math; } handle_t;

static int live, last_math = -1;
static void *last_stream;

int cublasCreate_v2(handle_t **handle) {
    *handle = calloc(1, sizeof(handle_t));
    live++;
    return 0;
}

int cublasDestroy_v2(handle_t *handle) {
    if (!handle) return 1;
    free(handle);
    live--;
    return 0;
}

int cublasSetStream_v2(handle_t *handle, void *stream) {
    if (!handle) return 1;
    handle->stream = last_stream = stream;
    return 0;
}

int cublasSetMathMode(handle_t *handle, int mode) {
    if (!handle) return 1;
    if (mode < 0 || mode > 3) return 7; /* CUBLAS_STATUS_INVALID_VALUE */
    handle->math = last_math = mode;
    return 0;
}

#ifndef NO_SGEMM
int cublasSgemm_v2(handle_t *handle, int transa, int transb, int m, int n, int k, const float *alpha,
                   const float *a, int lda, const float *b, int ldb, const float *beta, float *c, int ldc) {
    if (!handle) return 1;
    if (m < 0 || n < 0 || k < 0 || lda < 1 || ldb < 1 || ldc < (m > 1 ? m : 1)) return 7;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < m; i++) {
            float sum = 0;
            for (int p = 0; p < k; p++)
                sum += (transa ? a[p + (long)i * lda] : a[i + (long)p * lda]) * (transb ? b[j + (long)p * ldb] : b[p + (long)j * ldb]);
            float *out = &c[i + (long)j * ldc];
            *out = *beta == 0 ? *alpha * sum : *alpha * sum + *beta * *out;
        }
    return 0;
}
#endif

int stub_live_handles(void) { return live; }
int stub_last_math_mode(void) { return last_math; }
void *stub_last_stream(void) { return last_stream; }
