/* The readers' hot loops in C: bytes of vector files to float32 rows.
 *
 * Built by the package's own build (setup.py). C rather than numba here because loading is
 * short: importing numba and loading its cached kernels cost about 0.4 s and 125 MB, which
 * was a third of a binary load and most of the text loader's memory overhead.
 *
 * Numbers are parsed with the exact fast path of Clinger's algorithm: a decimal with few
 * enough significant digits and a power of ten within 10^+-22 is converted with one correctly
 * rounded double operation and then cast to float, which gives the same bits as
 * np.float32(float(text)). Anything else is declined (HARD or SLOW) and handed to the
 * plain-Python twin in _parse_reference.py, so no number is ever approximated. The tests
 * check every function here against that twin.
 *
 * Text is parsed in two tiers. parse_text_segment takes the shape nearly every line has (a
 * key without spaces, then `dim` plain decimals) in one forward pass; segments of a block
 * run on several threads at once (the GIL is released). Lines that do not fit are marked
 * SLOW and re-read by parse_text_rows, which walks back from the end of the line and so finds
 * GloVe keys that contain spaces.
 *
 * Every index that comes from Python is checked against the buffers' sizes: a wrong call
 * raises ValueError, it never reads or writes out of bounds.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

enum { OK = 0, TOO_FEW = 1, BAD_NUMBER = 2, HARD = 3, EMPTY_KEY = 4, SLOW = 5, BLANK = 6 };

/* Every power of ten up to 10^22 is exact in a double. */
static const double POW10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

#define IS_SEP(c) ((c) == ' ' || (c) == '\t')
#define IS_DIGIT(c) ((unsigned)((c) - '0') <= 9u)

static double scale(uint64_t mantissa, int64_t power, int negative) {
    double value = (double)mantissa;
    value = power >= 0 ? value * POW10[power] : value / POW10[-power];
    return negative ? -value : value;
}

/* ------------------------------------------------------------------ strict single numbers */

/* buf[i:end] as a decimal: the whole field must be the number. Returns a status. */
static int parse_number(const uint8_t *buf, Py_ssize_t i, Py_ssize_t end, double *out) {
    int negative = 0;
    if (i < end && (buf[i] == '-' || buf[i] == '+')) {
        negative = buf[i] == '-';
        i++;
    }
    if (i >= end) return BAD_NUMBER;
    int lower = buf[i] | 32;
    if (lower == 'n' || lower == 'i') return HARD; /* nan, inf: rare, left to Python */
    uint64_t mantissa = 0;
    int digits = 0, seen_digit = 0, seen_point = 0;
    int64_t frac = 0;
    for (; i < end; i++) {
        int c = buf[i];
        if (IS_DIGIT(c)) {
            seen_digit = 1;
            if (mantissa == 0 && c == '0') {
                if (seen_point) frac++;
            } else {
                if (digits >= 18) return HARD;
                mantissa = mantissa * 10 + (uint64_t)(c - '0');
                digits++;
                if (seen_point) frac++;
            }
        } else if (c == '.' && !seen_point) {
            seen_point = 1;
        } else {
            break;
        }
    }
    if (!seen_digit) return BAD_NUMBER;
    int64_t exponent = 0;
    if (i < end && (buf[i] | 32) == 'e') {
        i++;
        int exp_negative = 0;
        if (i < end && (buf[i] == '-' || buf[i] == '+')) {
            exp_negative = buf[i] == '-';
            i++;
        }
        if (i >= end) return BAD_NUMBER;
        for (; i < end; i++) {
            if (!IS_DIGIT(buf[i])) return BAD_NUMBER;
            if (exponent < 100000) exponent = exponent * 10 + (buf[i] - '0');
        }
        if (exp_negative) exponent = -exponent;
    }
    if (i != end) return BAD_NUMBER;
    if (mantissa == 0) {
        *out = negative ? -0.0 : 0.0;
        return OK;
    }
    int64_t power = exponent - frac;
    if (power > 22 || power < -22 || mantissa > 9007199254740992ULL) return HARD;
    *out = scale(mantissa, power, negative);
    return OK;
}

/* ------------------------------------------------------------------ tier 1: the common shape */

/* A plain decimal at buf[*pos:] that ends at a separator or the end of the line. Returns 1
 * and moves *pos past it, or 0 when the number is not of the simple kind. */
static inline int fast_number(const uint8_t *buf, Py_ssize_t *pos, Py_ssize_t n, double *out) {
    /* First the shape of nearly every number in these files, [-]digits[.digits] with at most
     * 15 digits in all, in one pass without per-digit bookkeeping. The loops need no bounds
     * checks: a segment always ends with a newline, which is not a digit. */
    const uint8_t *s = buf + *pos;
    int sign_negative = *s == '-';
    s += sign_negative || *s == '+';
    const uint8_t *first_digit = s;
    uint64_t value = 0;
    while (IS_DIGIT(*s)) value = value * 10 + (uint64_t)(*s++ - '0');
    Py_ssize_t whole = s - first_digit, fraction = 0;
    if (*s == '.') {
        const uint8_t *first_fraction = ++s;
        while (IS_DIGIT(*s)) value = value * 10 + (uint64_t)(*s++ - '0');
        fraction = s - first_fraction;
    }
    if (whole + fraction >= 1 && whole + fraction <= 15 &&
        (IS_SEP(*s) || *s == '\n' || *s == '\r')) {
        *pos = s - buf;
        *out = value ? scale(value, -fraction, sign_negative) : (sign_negative ? -0.0 : 0.0);
        return 1;
    }
    /* Anything else (long numbers, exponents, errors): digit by digit. */
    Py_ssize_t p = *pos;
    int negative = 0;
    if (buf[p] == '-') {
        negative = 1;
        p++;
    } else if (buf[p] == '+') {
        p++;
    }
    uint64_t mantissa = 0;
    int digits = 0, seen_digit = 0, seen_point = 0;
    int64_t frac = 0;
    for (; p < n; p++) {
        int c = buf[p];
        if (IS_DIGIT(c)) {
            seen_digit = 1;
            if (mantissa != 0 || c != '0') {
                if (digits >= 15) return 0; /* 15 digits are always exact in a double */
                mantissa = mantissa * 10 + (uint64_t)(c - '0');
                digits++;
            }
            if (seen_point) frac++;
        } else if (c == '.' && !seen_point) {
            seen_point = 1;
        } else {
            break;
        }
    }
    if (!seen_digit) return 0;
    int64_t exponent = 0;
    if (p < n && (buf[p] | 32) == 'e') {
        p++;
        int exp_negative = 0, exp_digits = 0;
        if (p < n && (buf[p] == '-' || buf[p] == '+')) {
            exp_negative = buf[p] == '-';
            p++;
        }
        for (; p < n && IS_DIGIT(buf[p]); p++, exp_digits++) {
            if (exponent < 100000) exponent = exponent * 10 + (buf[p] - '0');
        }
        if (exp_digits == 0) return 0;
        if (exp_negative) exponent = -exponent;
    }
    if (p < n && !(IS_SEP(buf[p]) || buf[p] == '\r' || buf[p] == '\n')) return 0;
    *pos = p;
    if (mantissa == 0) {
        *out = negative ? -0.0 : 0.0;
        return 1;
    }
    int64_t power = exponent - frac;
    if (power > 22 || power < -22) return 0;
    *out = scale(mantissa, power, negative);
    return 1;
}

/* The line at buf[pos:]: fills row, returns a status; *key_end and *line_end (its newline). */
static int fast_line(const uint8_t *buf, Py_ssize_t pos, Py_ssize_t n, Py_ssize_t dim,
                     float *row, Py_ssize_t *key_end, Py_ssize_t *line_end) {
    Py_ssize_t k = pos;
    while (k < n && !(IS_SEP(buf[k]) || buf[k] == '\n' || buf[k] == '\r')) k++;
    Py_ssize_t p = k;
    int status = OK;
    if (k == pos) { /* a blank line, or one that starts with whitespace */
        while (p < n && (IS_SEP(buf[p]) || buf[p] == '\r')) p++;
        status = (p >= n || buf[p] == '\n') ? BLANK : SLOW;
    } else {
        for (Py_ssize_t j = 0; j < dim; j++) {
            while (p < n && IS_SEP(buf[p])) p++;
            double value;
            if (p >= n || buf[p] == '\n' || buf[p] == '\r' || !fast_number(buf, &p, n, &value)) {
                status = SLOW;
                break;
            }
            row[j] = (float)value;
        }
        if (status == OK) {
            while (p < n && (IS_SEP(buf[p]) || buf[p] == '\r')) p++;
            if (p < n && buf[p] != '\n') status = SLOW;
        }
    }
    const uint8_t *newline = p < n ? memchr(buf + p, '\n', (size_t)(n - p)) : NULL;
    *key_end = k;
    *line_end = newline ? newline - buf : n;
    return status;
}

/* ------------------------------------------------------------------ argument plumbing */

typedef struct {
    Py_buffer view;
    int held;
} Arg;

static void release(Arg *args, int count) {
    for (int i = 0; i < count; i++)
        if (args[i].held) PyBuffer_Release(&args[i].view);
}

/* Take a C-contiguous buffer of `itemsize`-byte items (writable when asked). */
static int take(PyObject *object, Arg *arg, Py_ssize_t itemsize, int writable, const char *name) {
    int flags = PyBUF_C_CONTIGUOUS | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(object, &arg->view, flags) < 0) return -1;
    arg->held = 1;
    if (arg->view.len % itemsize) {
        PyErr_Format(PyExc_ValueError, "%s: expected items of %zd bytes", name, itemsize);
        return -1;
    }
    return 0;
}

static int out_of_range(const char *what) {
    PyErr_Format(PyExc_ValueError, "%s is out of range for the buffers given", what);
    return -1;
}

/* ------------------------------------------------------------------ exported functions */

static PyObject *py_parse_number(PyObject *self, PyObject *args) {
    Py_buffer text;
    if (!PyArg_ParseTuple(args, "y*", &text)) return NULL;
    double value = 0.0;
    int status = parse_number(text.buf, 0, text.len, &value);
    PyBuffer_Release(&text);
    return Py_BuildValue("(di)", status == OK ? value : 0.0, status);
}

static PyObject *py_count_newlines(PyObject *self, PyObject *args) {
    PyObject *result = NULL;
    PyObject *b;
    Py_ssize_t start, end;
    if (!PyArg_ParseTuple(args, "Onn", &b, &start, &end)) return NULL;
    Arg buf = {0};
    if (take(b, &buf, 1, 0, "buf") < 0) goto fail;
    if (start < 0 || end > buf.view.len || start > end) {
        out_of_range("start:end");
        goto fail;
    }
    const uint8_t *data = buf.view.buf, *p = data + start, *stop = data + end;
    Py_ssize_t total = 0;
    Py_BEGIN_ALLOW_THREADS
    while (p < stop && (p = memchr(p, '\n', (size_t)(stop - p))) != NULL) { /* memchr is SIMD */
        total++;
        p++;
    }
    Py_END_ALLOW_THREADS
    result = PyLong_FromSsize_t(total);
fail:
    release(&buf, 1);
    return result;
}

static PyObject *py_segment_bounds(PyObject *self, PyObject *args) {
    PyObject *result = NULL;
    PyObject *b;
    Py_ssize_t n, segments;
    if (!PyArg_ParseTuple(args, "Onn", &b, &n, &segments)) return NULL;
    Arg buf = {0};
    if (take(b, &buf, 1, 0, "buf") < 0) goto fail;
    if (n < 0 || n > buf.view.len || segments < 1) {
        out_of_range("n or segments");
        goto fail;
    }
    const uint8_t *data = buf.view.buf;
    PyObject *bounds = PyList_New(segments + 1);
    if (!bounds) goto fail;
    Py_ssize_t previous = 0;
    PyList_SET_ITEM(bounds, 0, PyLong_FromSsize_t(0));
    for (Py_ssize_t t = 1; t <= segments; t++) {
        Py_ssize_t p = n;
        if (t < segments) { /* move to the start of a line */
            p = previous > n * t / segments ? previous : n * t / segments;
            while (p < n && p > 0 && data[p - 1] != '\n') p++;
        }
        PyList_SET_ITEM(bounds, t, PyLong_FromSsize_t(p));
        previous = p;
    }
    result = bounds;
fail:
    release(&buf, 1);
    return result;
}

/* parse_text_segment(buf, start, end, first, dim, out, row0, starts, ends, key_ends, status)
 * Line i of the block (counting from `first` for this segment's first line) goes to row
 * row0 + i of `out`; its start, end, end of key and status to starts[i] ... status[i]. */
static PyObject *py_parse_text_segment(PyObject *self, PyObject *args) {
    PyObject *result = NULL;
    PyObject *objects[6];
    Py_ssize_t start, end, first, dim, row0;
    if (!PyArg_ParseTuple(args, "OnnnnOnOOOO", &objects[0], &start, &end, &first, &dim,
                          &objects[1], &row0, &objects[2], &objects[3], &objects[4], &objects[5]))
        return NULL;
    Arg a[6];
    memset(a, 0, sizeof a);
    if (dim < 1) {
        PyErr_SetString(PyExc_ValueError, "dim must be >= 1");
        return NULL;
    }
    if (take(objects[0], &a[0], 1, 0, "buf") < 0 || take(objects[1], &a[1], 4 * dim, 1, "out") < 0 ||
        take(objects[2], &a[2], 8, 1, "starts") < 0 || take(objects[3], &a[3], 8, 1, "ends") < 0 ||
        take(objects[4], &a[4], 8, 1, "key_ends") < 0 || take(objects[5], &a[5], 1, 1, "status") < 0)
        goto fail;
    const uint8_t *buf = a[0].view.buf;
    float *out = a[1].view.buf;
    int64_t *starts = a[2].view.buf, *ends = a[3].view.buf, *key_ends = a[4].view.buf;
    int8_t *status = a[5].view.buf;
    Py_ssize_t rows = a[1].view.len / (4 * dim);
    Py_ssize_t lines = a[2].view.len / 8;
    if (a[3].view.len / 8 < lines) lines = a[3].view.len / 8;
    if (a[4].view.len / 8 < lines) lines = a[4].view.len / 8;
    if (a[5].view.len < lines) lines = a[5].view.len;
    if (start < 0 || end > a[0].view.len || start > end || first < 0 || row0 < 0) {
        out_of_range("start, end, first or row0");
        goto fail;
    }
    if (end > start && buf[end - 1] != '\n') { /* the number loops rely on it */
        PyErr_SetString(PyExc_ValueError, "a segment must end with a newline");
        goto fail;
    }
    int overflow = 0;
    Py_BEGIN_ALLOW_THREADS
    Py_ssize_t pos = start, i = first;
    while (pos < end) {
        if (i >= lines || row0 + i >= rows) {
            overflow = 1;
            break;
        }
        Py_ssize_t key_end, line_end;
        status[i] = (int8_t)fast_line(buf, pos, end, dim, out + (row0 + i) * dim, &key_end,
                                      &line_end);
        starts[i] = pos;
        ends[i] = line_end;
        key_ends[i] = key_end;
        pos = line_end + 1;
        i++;
    }
    Py_END_ALLOW_THREADS
    if (overflow) {
        out_of_range("a line");
        goto fail;
    }
    result = Py_NewRef(Py_None);
fail:
    release(a, 6);
    return result;
}

/* ------------------------------------------------------------------ tier 2: anything else */

/* parse_text_rows(buf, starts, ends, dim, out, key_ends, status, bad_field): lines
 * buf[starts[i]:ends[i]] whose last `dim` fields are numbers; the key is what stands before. */
static PyObject *py_parse_text_rows(PyObject *self, PyObject *args) {
    PyObject *result = NULL;
    PyObject *objects[7];
    Py_ssize_t dim;
    if (!PyArg_ParseTuple(args, "OOOnOOOO", &objects[0], &objects[1], &objects[2], &dim,
                          &objects[3], &objects[4], &objects[5], &objects[6]))
        return NULL;
    if (dim < 1) {
        PyErr_SetString(PyExc_ValueError, "dim must be >= 1");
        return NULL;
    }
    Arg a[7];
    memset(a, 0, sizeof a);
    if (take(objects[0], &a[0], 1, 0, "buf") < 0 || take(objects[1], &a[1], 8, 0, "starts") < 0 ||
        take(objects[2], &a[2], 8, 0, "ends") < 0 || take(objects[3], &a[3], 4 * dim, 1, "out") < 0 ||
        take(objects[4], &a[4], 8, 1, "key_ends") < 0 || take(objects[5], &a[5], 1, 1, "status") < 0 ||
        take(objects[6], &a[6], 8, 1, "bad_field") < 0)
        goto fail;
    const uint8_t *buf = a[0].view.buf;
    const int64_t *starts = a[1].view.buf, *ends = a[2].view.buf;
    float *out = a[3].view.buf;
    int64_t *key_ends = a[4].view.buf, *bad_field = a[6].view.buf;
    int8_t *status = a[5].view.buf;
    Py_ssize_t count = a[1].view.len / 8;
    if (a[2].view.len / 8 != count || a[3].view.len / (4 * dim) < count ||
        a[4].view.len / 8 < count || a[5].view.len < count || a[6].view.len / 8 < count) {
        out_of_range("the number of lines");
        goto fail;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        if (starts[i] < 0 || ends[i] > a[0].view.len || starts[i] > ends[i]) {
            out_of_range("a line's start or end");
            goto fail;
        }
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        Py_ssize_t s = starts[i], e = ends[i];
        while (e > s && (IS_SEP(buf[e - 1]) || buf[e - 1] == '\r')) e--;
        /* Walk back over `dim` fields: the key is whatever stands before them. */
        Py_ssize_t p = e, first = e, found = 0;
        while (found < dim && p > s) {
            Py_ssize_t q = p;
            while (q > s && !IS_SEP(buf[q - 1])) q--;
            first = q;
            found++;
            while (q > s && IS_SEP(buf[q - 1])) q--;
            p = q;
        }
        key_ends[i] = p;
        if (found < dim) {
            status[i] = TOO_FEW;
            bad_field[i] = found;
            continue;
        }
        if (p == s) {
            status[i] = EMPTY_KEY;
            continue;
        }
        status[i] = OK;
        Py_ssize_t pos = first;
        for (Py_ssize_t j = 0; j < dim; j++) {
            while (pos < e && IS_SEP(buf[pos])) pos++;
            Py_ssize_t field_end = pos;
            while (field_end < e && !IS_SEP(buf[field_end])) field_end++;
            double value = 0.0;
            int code = parse_number(buf, pos, field_end, &value);
            if (code != OK) {
                status[i] = (int8_t)code;
                bad_field[i] = j;
                break;
            }
            out[i * dim + j] = (float)value;
            pos = field_end;
        }
    }
    result = Py_NewRef(Py_None);
fail:
    release(a, 7);
    return result;
}

/* ------------------------------------------------------------------ keys and checks */

/* gather_keys(buf, starts, ends) -> b"\n".join(buf[starts[i]:ends[i]]), to decode in one call */
static PyObject *py_gather_keys(PyObject *self, PyObject *args) {
    PyObject *result = NULL;
    PyObject *objects[3];
    if (!PyArg_ParseTuple(args, "OOO", &objects[0], &objects[1], &objects[2])) return NULL;
    Arg a[3];
    memset(a, 0, sizeof a);
    PyObject *blob = NULL;
    if (take(objects[0], &a[0], 1, 0, "buf") < 0 || take(objects[1], &a[1], 8, 0, "starts") < 0 ||
        take(objects[2], &a[2], 8, 0, "ends") < 0)
        goto fail;
    const uint8_t *buf = a[0].view.buf;
    const int64_t *starts = a[1].view.buf, *ends = a[2].view.buf;
    Py_ssize_t count = a[1].view.len / 8, total = 0;
    if (a[2].view.len / 8 != count) {
        out_of_range("the number of keys");
        goto fail;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        if (starts[i] < 0 || ends[i] > a[0].view.len || starts[i] > ends[i]) {
            out_of_range("a key's start or end");
            goto fail;
        }
        total += ends[i] - starts[i] + 1;
    }
    blob = PyBytes_FromStringAndSize(NULL, total > 0 ? total - 1 : 0);
    if (!blob) goto fail;
    char *q = PyBytes_AS_STRING(blob);
    for (Py_ssize_t i = 0; i < count; i++) {
        if (i) *q++ = '\n';
        memcpy(q, buf + starts[i], (size_t)(ends[i] - starts[i]));
        q += ends[i] - starts[i];
    }
    result = blob;
fail:
    release(a, 3);
    return result;
}

/* scan_binary_records(buf, start, end, dim, max_records, key_starts, key_ends, offsets)
 * -> (records found, offset just past the last one). A record is a word, a space and dim
 * float32; newlines before a word are skipped (files come with and without them). */
static PyObject *py_scan_binary_records(PyObject *self, PyObject *args) {
    PyObject *result = NULL;
    PyObject *objects[4];
    Py_ssize_t start, end, dim, most;
    if (!PyArg_ParseTuple(args, "OnnnnOOO", &objects[0], &start, &end, &dim, &most, &objects[1],
                          &objects[2], &objects[3]))
        return NULL;
    Arg a[4];
    memset(a, 0, sizeof a);
    if (take(objects[0], &a[0], 1, 0, "buf") < 0 || take(objects[1], &a[1], 8, 1, "key_starts") < 0 ||
        take(objects[2], &a[2], 8, 1, "key_ends") < 0 || take(objects[3], &a[3], 8, 1, "offsets") < 0)
        goto fail;
    if (start < 0 || end > a[0].view.len || start > end || dim < 1 || most < 0 ||
        most > a[1].view.len / 8 || most > a[2].view.len / 8 || most > a[3].view.len / 8) {
        out_of_range("start, end, dim or max_records");
        goto fail;
    }
    const uint8_t *buf = a[0].view.buf;
    int64_t *key_starts = a[1].view.buf, *key_ends = a[2].view.buf, *offsets = a[3].view.buf;
    Py_ssize_t n = 0, pos = start, width = 4 * dim;
    while (n < most) {
        Py_ssize_t p = pos;
        while (p < end && (buf[p] == '\n' || buf[p] == '\r')) p++;
        const uint8_t *space = p < end ? memchr(buf + p, ' ', (size_t)(end - p)) : NULL;
        Py_ssize_t k = space ? space - buf : end;
        if (k >= end || k + 1 + width > end) break;
        key_starts[n] = p;
        key_ends[n] = k;
        offsets[n] = k + 1;
        pos = k + 1 + width;
        n++;
    }
    result = Py_BuildValue("(nn)", n, pos);
fail:
    release(a, 4);
    return result;
}

/* copy_records(buf, offsets, width, out) -> the first row (of this call) holding a NaN or an
 * infinity, or -1. out row i = buf[offsets[i]:offsets[i] + width], `width` bytes of float32.
 * The check rides on the copy while the row is in cache, instead of a second pass over the
 * matrix. */
static PyObject *py_copy_records(PyObject *self, PyObject *args) {
    PyObject *result = NULL;
    PyObject *objects[3];
    Py_ssize_t width;
    if (!PyArg_ParseTuple(args, "OOnO", &objects[0], &objects[1], &width, &objects[2])) return NULL;
    if (width < 4 || width % 4) {
        PyErr_SetString(PyExc_ValueError, "width must be a positive multiple of 4 (float32)");
        return NULL;
    }
    Arg a[3];
    memset(a, 0, sizeof a);
    if (take(objects[0], &a[0], 1, 0, "buf") < 0 || take(objects[1], &a[1], 8, 0, "offsets") < 0 ||
        take(objects[2], &a[2], width, 1, "out") < 0)
        goto fail;
    const uint8_t *buf = a[0].view.buf;
    const int64_t *offsets = a[1].view.buf;
    uint8_t *out = a[2].view.buf;
    Py_ssize_t count = a[1].view.len / 8;
    if (a[2].view.len / width < count) {
        out_of_range("out");
        goto fail;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        if (offsets[i] < 0 || offsets[i] + width > a[0].view.len) {
            out_of_range("an offset");
            goto fail;
        }
    }
    Py_ssize_t first_bad = -1;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < count; i++) {
        float *row = (float *)(out + i * width);
        memcpy(row, buf + offsets[i], (size_t)width);
        if (first_bad < 0) {
            int bad = 0;
            for (Py_ssize_t j = 0; j < width / 4; j++) bad |= !isfinite(row[j]);
            if (bad) first_bad = i;
        }
    }
    Py_END_ALLOW_THREADS
    result = PyLong_FromSsize_t(first_bad);
fail:
    release(a, 3);
    return result;
}

/* Each docstring starts with a text signature ("name($module, ...)\n--\n\n"), so that
 * inspect.signature reads the same parameters as _parse_reference.py declares. */
#define DOC(name, params, text) #name "($module, " params ", /)\n--\n\n" text
static PyMethodDef methods[] = {
    {"parse_number", py_parse_number, METH_VARARGS, DOC(parse_number, "text", "-> (value, status)")},
    {"count_newlines", py_count_newlines, METH_VARARGS,
     DOC(count_newlines, "buf, start, end", "-> the number of newlines in buf[start:end]")},
    {"segment_bounds", py_segment_bounds, METH_VARARGS,
     DOC(segment_bounds, "buf, n, segments", "-> segments + 1 offsets, each at a line start")},
    {"parse_text_segment", py_parse_text_segment, METH_VARARGS,
     DOC(parse_text_segment, "buf, start, end, first, dim, out, row0, starts, ends, key_ends, status",
         "the fast tier on the lines of buf[start:end]")},
    {"parse_text_rows", py_parse_text_rows, METH_VARARGS,
     DOC(parse_text_rows, "buf, starts, ends, dim, out, key_ends, status, bad_field",
         "the second tier: each line read from its end")},
    {"gather_keys", py_gather_keys, METH_VARARGS,
     DOC(gather_keys, "buf, starts, ends", "-> the keys joined by newlines")},
    {"scan_binary_records", py_scan_binary_records, METH_VARARGS,
     DOC(scan_binary_records, "buf, start, end, dim, max_records, key_starts, key_ends, offsets",
         "-> (records found, offset just past the last one)")},
    {"copy_records", py_copy_records, METH_VARARGS,
     DOC(copy_records, "buf, offsets, width, out", "-> first non-finite row or -1")},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_parse_kernels",
                                    "The readers' hot loops in C (see _parse_kernels.c).", -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__parse_kernels(void) {
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    const char *names[] = {"OK", "TOO_FEW", "BAD_NUMBER", "HARD", "EMPTY_KEY", "SLOW", "BLANK"};
    for (int i = 0; i < 7; i++) {
        if (PyModule_AddIntConstant(m, names[i], i) < 0) {
            Py_DECREF(m);
            return NULL;
        }
    }
    return m;
}
