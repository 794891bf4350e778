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
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

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

static PyMethodDef methods[] = {
    {"fold_block", py_fold_block, METH_VARARGS,
     "fold_block($module, scores, queries, rows, first_row, scale, best_scores, best_rows, k, /)\n--\n\n"
     "In place: each query's best k (score, row) after seeing one block of scores."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_select_kernels",
                                    "Exact search: fold a block of scores into each query's best k.",
                                    -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__select_kernels(void) { return PyModule_Create(&module); }
