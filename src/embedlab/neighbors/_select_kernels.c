/* Exact neighbour search, the selection step: fold a block of scores into each query's best k.
 *
 * The exact search scores the table a block of rows at a time (one matrix product per block,
 * done by BLAS). Keeping each query's best k used to take several passes over the block in
 * torch (scale by the inverse norms, the best per query, top-k, merge); this does it in one
 * pass while the block is in cache. After the first blocks almost no score beats a query's
 * current k-th best, so the pass is a vectorised comparison of 64 scores at a time, and only
 * the rare winners pay for an insertion into the sorted list of k.
 *
 * The ranking rule of every exact search in embedlab (neighbors/topk.py documents it): best
 * first; among equal scores the lower row first (callers fold blocks in increasing row order,
 * and a score must beat the k-th best strictly to enter); a NaN or -inf score never enters, so
 * slots nothing filled keep row -1 and score -inf. The plain twin, with the same signature, is
 * _select_reference.py; every kernel test runs on both.
 *
 * scan_panels scores and selects in the same pass, for tables laid out in panels (see
 * neighbors/panels.py): no block of scores is ever written out, so a batch of queries costs
 * the multiplications and one read of the table. A score is defined as the sum, in dimension
 * order, of the float32 products q[d] * x[d] (each product and each sum rounded to float32; no
 * fused multiply-add), so that the vectorised path, the plain C path and the numpy twin give
 * the same bits.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_AVX2_PATH 1
#endif

/* Scores are products then sums, never fused: the twin (numpy) cannot fuse. gcc with -std=c99
 * (setup.py) contracts nothing, and the AVX2 path is compiled without FMA; this pragma tells
 * clang the same. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#define CHUNK 64

/* Insert (score, row) into the descending list of k, dropping the last. */
static void insert(float *scores, int64_t *rows, Py_ssize_t k, float score, int64_t row) {
    Py_ssize_t at = k - 1;
    while (at > 0 && scores[at - 1] < score) {
        scores[at] = scores[at - 1];
        rows[at] = rows[at - 1];
        at--;
    }
    scores[at] = score;
    rows[at] = row;
}

static void fold_query(const float *block, const float *scale, Py_ssize_t n, int64_t first_row,
                       Py_ssize_t k, float *best, int64_t *best_rows) {
    for (Py_ssize_t start = 0; start < n; start += CHUNK) {
        Py_ssize_t end = start + CHUNK < n ? start + CHUNK : n;
        float threshold = best[k - 1];
        int hit = 0;
        if (scale) {
            for (Py_ssize_t i = start; i < end; i++) hit |= block[i] * scale[i] > threshold;
        } else {
            for (Py_ssize_t i = start; i < end; i++) hit |= block[i] > threshold;
        }
        if (!hit) continue;
        for (Py_ssize_t i = start; i < end; i++) {
            float score = scale ? block[i] * scale[i] : block[i];
            if (score > best[k - 1]) insert(best, best_rows, k, score, first_row + i);
        }
    }
}

typedef struct {
    Py_buffer view;
    int held;
} Arg;

static int take(PyObject *object, Arg *arg, int writable) {
    int flags = PyBUF_C_CONTIGUOUS | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(object, &arg->view, flags) < 0) return -1;
    arg->held = 1;
    return 0;
}

/* fold_block(scores, queries, rows, first_row, scale_or_None, best_scores, best_rows, k)
 * scores: queries x rows float32 (query-major); scale: rows float32 (inverse norms) or None;
 * best_scores: queries x k float32, descending, -inf where empty; best_rows: queries x k int64.
 */
static PyObject *py_fold_block(PyObject *self, PyObject *args) {
    PyObject *objects[4];
    Py_ssize_t queries, n, k;
    long long first_row;
    PyObject *scale_object;
    if (!PyArg_ParseTuple(args, "OnnLOOOn", &objects[0], &queries, &n, &first_row, &scale_object,
                          &objects[1], &objects[2], &k))
        return NULL;
    objects[3] = scale_object;
    Arg a[4];
    memset(a, 0, sizeof a);
    int has_scale = scale_object != Py_None;
    if (queries < 0 || n < 0 || k < 1) {
        PyErr_SetString(PyExc_ValueError, "queries and rows must be >= 0 and k >= 1");
        return NULL;
    }
    if (take(objects[0], &a[0], 0) < 0 || take(objects[1], &a[1], 1) < 0 ||
        take(objects[2], &a[2], 1) < 0 || (has_scale && take(objects[3], &a[3], 0) < 0))
        goto fail;
    if (a[0].view.len < queries * n * 4 || a[1].view.len < queries * k * 4 ||
        a[2].view.len < queries * k * 8 || (has_scale && a[3].view.len < n * 4)) {
        PyErr_SetString(PyExc_ValueError, "a buffer is smaller than queries, rows and k say");
        goto fail;
    }
    const float *scores = a[0].view.buf;
    const float *scale = has_scale ? a[3].view.buf : NULL;
    float *best = a[1].view.buf;
    int64_t *best_rows = a[2].view.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t q = 0; q < queries; q++)
        fold_query(scores + q * n, scale, n, first_row, k, best + q * k, best_rows + q * k);
    Py_END_ALLOW_THREADS
    for (int i = 0; i < 4; i++)
        if (a[i].held) PyBuffer_Release(&a[i].view);
    Py_RETURN_NONE;
fail:
    for (int i = 0; i < 4; i++)
        if (a[i].held) PyBuffer_Release(&a[i].view);
    return NULL;
}

/* ------------------------------------------------------------------ scan_panels
 * The table is cut into panels of PANEL rows; a panel holds dimension 0 of its PANEL rows, then
 * dimension 1, ... (dim x PANEL floats), so one load brings the same dimension of PANEL rows.
 * Rows past the end of the table are NaN: their scores never enter. */
#define PANEL 16
#define GROUP 4          /* queries scored together against one panel */
#define CHUNK_PANELS 64  /* panels (1,024 rows) kept in cache while every query group passes */

/* Fold one panel's scores (GROUP x PANEL, only the first `live` queries real) into the best. */
static void fold_tile(const float tile[GROUP][PANEL], Py_ssize_t live, int64_t first_row,
                      Py_ssize_t k, float *best, int64_t *best_rows) {
    for (Py_ssize_t j = 0; j < live; j++) {
        float *b = best + j * k;
        int64_t *r = best_rows + j * k;
        for (Py_ssize_t i = 0; i < PANEL; i++)
            if (tile[j][i] > b[k - 1]) insert(b, r, k, tile[j][i], first_row + i);
    }
}

/* The plain path: the same operations in the same order, one lane at a time. */
static void scan_plain(const float *panels, Py_ssize_t first, Py_ssize_t last, Py_ssize_t dim,
                       const float *queries, Py_ssize_t live, int64_t first_row, Py_ssize_t k,
                       float *best, int64_t *best_rows) {
    float tile[GROUP][PANEL];
    for (Py_ssize_t p = first; p < last; p++) {
        const float *panel = panels + p * dim * PANEL;
        for (Py_ssize_t j = 0; j < live; j++) {
            const float *q = queries + j * dim;
            for (Py_ssize_t i = 0; i < PANEL; i++) tile[j][i] = 0.0f;
            for (Py_ssize_t d = 0; d < dim; d++) {
                float qd = q[d];
                for (Py_ssize_t i = 0; i < PANEL; i++) {
                    float product = qd * panel[d * PANEL + i];
                    tile[j][i] = tile[j][i] + product;
                }
            }
        }
        int64_t row = first_row + p * PANEL;
        int any = 0;
        for (Py_ssize_t j = 0; j < live && !any; j++)
            for (Py_ssize_t i = 0; i < PANEL; i++) any |= tile[j][i] > best[j * k + k - 1];
        if (any) fold_tile((const float (*)[PANEL])tile, live, row, k, best, best_rows);
    }
}

#ifdef HAVE_AVX2_PATH
/* The vectorised path: GROUP queries x 16 rows in 8 registers, 8 rows per register. Only
 * panels where some score beats its query's k-th best leave the registers. */
__attribute__((target("avx2"))) static void scan_avx2(
    const float *panels, Py_ssize_t first, Py_ssize_t last, Py_ssize_t dim,
    const float *queries, Py_ssize_t live, int64_t first_row, Py_ssize_t k, float *best,
    int64_t *best_rows) {
    /* Missing queries of a short group repeat the first one; their scores are ignored. */
    const float *q[GROUP];
    for (Py_ssize_t j = 0; j < GROUP; j++) q[j] = queries + (j < live ? j : 0) * dim;
    float tile[GROUP][PANEL] __attribute__((aligned(32)));
    for (Py_ssize_t p = first; p < last; p++) {
        const float *panel = panels + p * dim * PANEL;
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), b0 = _mm256_setzero_ps(),
               b1 = _mm256_setzero_ps(), c0 = _mm256_setzero_ps(), c1 = _mm256_setzero_ps(),
               e0 = _mm256_setzero_ps(), e1 = _mm256_setzero_ps();
        for (Py_ssize_t d = 0; d < dim; d++) {
            __m256 lo = _mm256_loadu_ps(panel + d * PANEL);
            __m256 hi = _mm256_loadu_ps(panel + d * PANEL + 8);
            __m256 w = _mm256_broadcast_ss(q[0] + d);
            a0 = _mm256_add_ps(a0, _mm256_mul_ps(w, lo));
            a1 = _mm256_add_ps(a1, _mm256_mul_ps(w, hi));
            w = _mm256_broadcast_ss(q[1] + d);
            b0 = _mm256_add_ps(b0, _mm256_mul_ps(w, lo));
            b1 = _mm256_add_ps(b1, _mm256_mul_ps(w, hi));
            w = _mm256_broadcast_ss(q[2] + d);
            c0 = _mm256_add_ps(c0, _mm256_mul_ps(w, lo));
            c1 = _mm256_add_ps(c1, _mm256_mul_ps(w, hi));
            w = _mm256_broadcast_ss(q[3] + d);
            e0 = _mm256_add_ps(e0, _mm256_mul_ps(w, lo));
            e1 = _mm256_add_ps(e1, _mm256_mul_ps(w, hi));
        }
        /* Ordered comparison: a NaN score is never greater. */
        __m256 t;
        int any = 0;
        t = _mm256_set1_ps(best[k - 1]);
        any |= _mm256_movemask_ps(_mm256_cmp_ps(a0, t, _CMP_GT_OQ)) |
               _mm256_movemask_ps(_mm256_cmp_ps(a1, t, _CMP_GT_OQ));
        if (live > 1) {
            t = _mm256_set1_ps(best[k + k - 1]);
            any |= _mm256_movemask_ps(_mm256_cmp_ps(b0, t, _CMP_GT_OQ)) |
                   _mm256_movemask_ps(_mm256_cmp_ps(b1, t, _CMP_GT_OQ));
        }
        if (live > 2) {
            t = _mm256_set1_ps(best[2 * k + k - 1]);
            any |= _mm256_movemask_ps(_mm256_cmp_ps(c0, t, _CMP_GT_OQ)) |
                   _mm256_movemask_ps(_mm256_cmp_ps(c1, t, _CMP_GT_OQ));
        }
        if (live > 3) {
            t = _mm256_set1_ps(best[3 * k + k - 1]);
            any |= _mm256_movemask_ps(_mm256_cmp_ps(e0, t, _CMP_GT_OQ)) |
                   _mm256_movemask_ps(_mm256_cmp_ps(e1, t, _CMP_GT_OQ));
        }
        if (!any) continue;
        _mm256_store_ps(tile[0], a0); _mm256_store_ps(tile[0] + 8, a1);
        _mm256_store_ps(tile[1], b0); _mm256_store_ps(tile[1] + 8, b1);
        _mm256_store_ps(tile[2], c0); _mm256_store_ps(tile[2] + 8, c1);
        _mm256_store_ps(tile[3], e0); _mm256_store_ps(tile[3] + 8, e1);
        fold_tile((const float (*)[PANEL])tile, live, first_row + p * PANEL, k, best, best_rows);
    }
}

static int use_avx2(void) {
    static int known = -1;
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("avx2") ? 1 : 0;
    }
    return known;
}
#endif

/* The exact score of one row, as defined above (products and sums in dimension order). */
static float exact_score(const float *panel, Py_ssize_t i, Py_ssize_t dim, const float *q) {
    float score = 0.0f;
    for (Py_ssize_t d = 0; d < dim; d++) {
        float product = q[d] * panel[d * PANEL + i];
        score = score + product;
    }
    return score;
}

/* A query in bfloat16 pairs (dimension 2m in the low half, 2m + 1 in the high half), rounded
 * to nearest even; an odd last dimension is paired with 0. */
static uint32_t bf16_bits(float value) {
    uint32_t bits;
    memcpy(&bits, &value, 4);
    return (bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16;
}

#ifdef HAVE_AVX2_PATH
/* The coarse path (CPUs with AVX512-BF16): a first pass on a bfloat16 copy of the table scores
 * each row with half the work, and only the rows whose coarse score comes within `margin` of
 * a query's k-th best are scored exactly (exact_score) and folded. `margin` bounds the coarse
 * score's error (neighbors/panels.py derives it), so no row that would enter is passed over:
 * the answer is the exact one, bit for bit. */
#define WIDE_GROUP 8  /* queries per pass: AVX-512VL has 32 registers, for 16 sums */

/* One pass for WIDTH queries; two widths, so that a batch's last few queries do not pay for 8. */
#define SCAN_BF16(NAME, WIDTH) \
__attribute__((target("avx512bf16,avx512vl,avx512f,avx2"))) static void NAME( \
    const float *panels, const uint16_t *coarse, float margin, Py_ssize_t first, \
    Py_ssize_t last, Py_ssize_t dim, const float *queries, const uint32_t *pairs, \
    Py_ssize_t live, int64_t first_row, Py_ssize_t k, float *best, int64_t *best_rows) { \
    Py_ssize_t half = (dim + 1) / 2; \
    const uint32_t *qp[WIDTH]; \
    for (Py_ssize_t j = 0; j < WIDTH; j++) qp[j] = pairs + (j < live ? j : 0) * half; \
    float tile[WIDTH][PANEL] __attribute__((aligned(32))); \
    for (Py_ssize_t p = first; p < last; p++) { \
        const uint16_t *panel = coarse + p * half * PANEL * 2; \
        __m256 acc[WIDTH][2]; \
        for (int j = 0; j < WIDTH; j++) acc[j][0] = acc[j][1] = _mm256_setzero_ps(); \
        for (Py_ssize_t m = 0; m < half; m++) { \
            __m256bh lo = (__m256bh)_mm256_loadu_si256((const __m256i *)(panel + m * PANEL * 2)); \
            __m256bh hi = (__m256bh)_mm256_loadu_si256((const __m256i *)(panel + m * PANEL * 2 + 16)); \
            for (int j = 0; j < WIDTH; j++) { \
                __m256bh w = (__m256bh)_mm256_set1_epi32((int)qp[j][m]); \
                acc[j][0] = _mm256_dpbf16_ps(acc[j][0], w, lo); \
                acc[j][1] = _mm256_dpbf16_ps(acc[j][1], w, hi); \
            } \
        } \
        int any = 0; \
        for (Py_ssize_t j = 0; j < live; j++) { \
            __m256 t = _mm256_set1_ps(best[j * k + k - 1] - margin); \
            any |= _mm256_movemask_ps(_mm256_cmp_ps(acc[j][0], t, _CMP_GT_OQ)) | \
                   _mm256_movemask_ps(_mm256_cmp_ps(acc[j][1], t, _CMP_GT_OQ)); \
        } \
        if (!any) continue; \
        for (int j = 0; j < WIDTH; j++) { \
            _mm256_store_ps(tile[j], acc[j][0]); \
            _mm256_store_ps(tile[j] + 8, acc[j][1]); \
        } \
        const float *exact_panel = panels + p * dim * PANEL; \
        int64_t row = first_row + p * PANEL; \
        for (Py_ssize_t j = 0; j < live; j++) { \
            float *b = best + j * k; \
            int64_t *r = best_rows + j * k; \
            for (Py_ssize_t i = 0; i < PANEL; i++) { \
                /* rows in increasing order, each against the k-th best as it is now */ \
                if (!(tile[j][i] > b[k - 1] - margin)) continue; \
                float score = exact_score(exact_panel, i, dim, queries + j * dim); \
                if (score > b[k - 1]) insert(b, r, k, score, row + i); \
            } \
        } \
    } \
}

SCAN_BF16(scan_bf16_8, 8)
SCAN_BF16(scan_bf16_4, 4)

static int use_bf16(void) {
    static int known = -1;
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("avx512bf16") && __builtin_cpu_supports("avx512vl") &&
                __builtin_cpu_supports("avx2");
    }
    return known;
}
#endif

static void scan(const float *panels, const uint16_t *coarse, float margin, Py_ssize_t count,
                 Py_ssize_t dim, const float *queries, const uint32_t *pairs, Py_ssize_t nq,
                 int64_t first_row, Py_ssize_t k, float *best, int64_t *best_rows, int plain) {
    Py_ssize_t half = (dim + 1) / 2;
    /* A chunk of the table stays in cache while every group of queries passes over it, so
     * the table is read from memory once per call however many queries there are. */
    for (Py_ssize_t start = 0; start < count; start += CHUNK_PANELS) {
        Py_ssize_t end = start + CHUNK_PANELS < count ? start + CHUNK_PANELS : count;
#ifdef HAVE_AVX2_PATH
        if (!plain && coarse && pairs && use_bf16()) {
            for (Py_ssize_t g = 0; g < nq; g += WIDE_GROUP) {
                Py_ssize_t live = nq - g < WIDE_GROUP ? nq - g : WIDE_GROUP;
                (live > 4 ? scan_bf16_8 : scan_bf16_4)(
                    panels, coarse, margin, start, end, dim, queries + g * dim, pairs + g * half,
                    live, first_row, k, best + g * k, best_rows + g * k);
            }
            continue;
        }
#endif
        for (Py_ssize_t g = 0; g < nq; g += GROUP) {
            Py_ssize_t live = nq - g < GROUP ? nq - g : GROUP;
            const float *q = queries + g * dim;
#ifdef HAVE_AVX2_PATH
            if (!plain && use_avx2()) {
                scan_avx2(panels, start, end, dim, q, live, first_row, k, best + g * k,
                          best_rows + g * k);
                continue;
            }
#endif
            scan_plain(panels, start, end, dim, q, live, first_row, k, best + g * k,
                       best_rows + g * k);
        }
    }
}

/* scan_panels(panels, coarse, margin, count, dim, queries, nq, first_row, best_scores,
 *             best_rows, k, plain)
 * panels: count x dim x 16 float32 (row first_row + 16 p + i is panels[p, :, i]); coarse: None
 * or the same rows in bfloat16 (uint16), count x ceil(dim / 2) x 16 x 2 (dimensions paired),
 * with `margin` bounding |coarse score - exact score|; queries: nq x dim float32;
 * best_scores / best_rows: nq x k, as for fold_block. plain: 1 forces the scalar path (the
 * tests compare the paths). */
static PyObject *py_scan_panels(PyObject *self, PyObject *args) {
    PyObject *objects[5];
    Py_ssize_t count, dim, nq, k;
    long long first_row;
    float margin;
    int plain;
    if (!PyArg_ParseTuple(args, "OOfnnOnLOOnp", &objects[0], &objects[4], &margin, &count, &dim,
                          &objects[1], &nq, &first_row, &objects[2], &objects[3], &k, &plain))
        return NULL;
    if (count < 0 || dim < 0 || nq < 0 || k < 1) {
        PyErr_SetString(PyExc_ValueError, "count, dim and queries must be >= 0 and k >= 1");
        return NULL;
    }
    if (!(margin >= 0.0f)) {
        PyErr_SetString(PyExc_ValueError, "margin must be >= 0");
        return NULL;
    }
    int has_coarse = objects[4] != Py_None;
    Py_ssize_t half = (dim + 1) / 2;
    Arg a[5];
    memset(a, 0, sizeof a);
    uint32_t *pairs = NULL;
    if (take(objects[0], &a[0], 0) < 0 || take(objects[1], &a[1], 0) < 0 ||
        take(objects[2], &a[2], 1) < 0 || take(objects[3], &a[3], 1) < 0 ||
        (has_coarse && take(objects[4], &a[4], 0) < 0))
        goto fail;
    if (a[0].view.len < count * dim * PANEL * 4 || a[1].view.len < nq * dim * 4 ||
        a[2].view.len < nq * k * 4 || a[3].view.len < nq * k * 8 ||
        (has_coarse && a[4].view.len < count * half * PANEL * 2 * 2)) {
        PyErr_SetString(PyExc_ValueError, "a buffer is smaller than count, dim, queries and k say");
        goto fail;
    }
    const float *panels = a[0].view.buf;
    const float *queries = a[1].view.buf;
    float *best = a[2].view.buf;
    int64_t *best_rows = a[3].view.buf;
    const uint16_t *coarse = has_coarse ? a[4].view.buf : NULL;
    if (coarse && nq > 0 && half > 0) {
        pairs = PyMem_Malloc(nq * half * sizeof(uint32_t));
        if (!pairs) {
            PyErr_NoMemory();
            goto fail;
        }
        for (Py_ssize_t j = 0; j < nq; j++)
            for (Py_ssize_t m = 0; m < half; m++) {
                uint32_t low = bf16_bits(queries[j * dim + 2 * m]);
                uint32_t high = 2 * m + 1 < dim ? bf16_bits(queries[j * dim + 2 * m + 1]) : 0;
                pairs[j * half + m] = low | (high << 16);
            }
    }
    Py_BEGIN_ALLOW_THREADS
    scan(panels, coarse, margin, count, dim, queries, pairs, nq, first_row, k, best, best_rows,
         plain);
    Py_END_ALLOW_THREADS
    PyMem_Free(pairs);
    for (int i = 0; i < 5; i++)
        if (a[i].held) PyBuffer_Release(&a[i].view);
    Py_RETURN_NONE;
fail:
    PyMem_Free(pairs);
    for (int i = 0; i < 5; i++)
        if (a[i].held) PyBuffer_Release(&a[i].view);
    return NULL;
}

static PyMethodDef methods[] = {
    {"fold_block", py_fold_block, METH_VARARGS,
     "fold_block($module, scores, queries, rows, first_row, scale, best_scores, best_rows, k, /)\n--\n\n"
     "In place: each query's best k (score, row) after seeing one block of scores."},
    {"scan_panels", py_scan_panels, METH_VARARGS,
     "scan_panels($module, panels, coarse, margin, count, dim, queries, nq, first_row, best_scores, best_rows, k, plain, /)\n--\n\n"
     "In place: each query's best k (score, row) over a table laid out in panels of 16 rows."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_select_kernels",
                                    "Exact search: fold a block of scores into each query's best k.",
                                    -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__select_kernels(void) { return PyModule_Create(&module); }
