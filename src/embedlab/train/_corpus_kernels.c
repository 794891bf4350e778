/* Corpus preparation's hot loop in C: tokenise, count and encode raw UTF-8 bytes in one pass.
 *
 * Built by the package's own build (setup.py). C rather than numba because this runs once per
 * fit, before training: loading a numba kernel from its cache costs a fresh process more than
 * scanning a 13 MB corpus does, and a C scanner can read while numba's first load (the
 * training kernel's) goes on in another thread. The GIL is released while scanning, so the
 * threads of _scan_table.py scan their pieces of a block at the same time.
 *
 * scan_lines walks the lines of a byte buffer (split on '\n', as Python's binary file
 * iteration does), cuts each into tokens exactly as embedlab.text.tokenize does (or as
 * str.split() does, with split_only), interns every token in an open-addressing hash table of
 * byte strings and appends its id to one flat id stream. Ids are given in order of first
 * appearance, so ranking words by count with a stable sort breaks ties as collections.Counter
 * does.
 *
 * Unicode: every code point of the Basic Multilingual Plane is classified by two tables built
 * in Python from Python's own str.lower, \w and \s (_unicode_tables.py). A line the tables
 * cannot settle is handed back to Python (status HARD): a NUL byte, bytes that are not UTF-8,
 * a code point outside the BMP, or, when tokenising, a code point whose lower case depends on
 * context or is two code points long (capital sigma, dotted capital I). The caller tokenises
 * such a line with the Python tokenizer and feeds the tokens through intern_tokens.
 *
 * The state lives in arrays the caller owns; sizes holds the four counters [words, arena
 * bytes, ids, lines]. Before each line the kernel checks that the arrays have room for it
 * (need = line bytes + 1, the arena 3 * need: a lower case is at most three bytes per byte);
 * when they have not it returns ROOM with the line's start and the caller grows them (and
 * calls rehash when table_slots grows). _corpus_reference.py is the same in Python; the tests
 * run every kernel test on both.
 *
 * Every index that comes from Python is checked against the buffers' sizes: a wrong call
 * raises ValueError, it never reads or writes out of bounds.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

enum { DONE = 0, ROOM = 1, HARD = 2 };
enum { OTHER = 0, ALNUM = 1, APOSTROPHE = 2, SPACE = 3, CONTEXT = 4 };
enum { BMP = 0x10000 };

#define FNV_OFFSET 0xCBF29CE484222325ULL
#define FNV_PRIME 0x100000001B3ULL
#define FNV(h, byte) (((h) ^ (uint64_t)(byte)) * FNV_PRIME)

/* The word table: the caller's arrays, with the capacities found when they were taken. */
typedef struct {
    int32_t *slots;
    uint64_t *hashes;
    int64_t *starts;
    int32_t *lengths;
    int64_t *counts;
    uint8_t *arena;
    int64_t *sizes;
    int32_t *ids;
    int64_t *line_ends;
    Py_ssize_t n_slots, word_room, arena_room, id_room, line_room;
    int corrupt; /* a slot named a word the table does not have */
} Table;

static int has_room(const Table *t, Py_ssize_t need) {
    return t->sizes[0] + need <= t->word_room && 2 * (t->sizes[0] + need) <= t->n_slots &&
           t->sizes[1] + 3 * need <= t->arena_room && t->sizes[2] + need <= t->id_room &&
           t->sizes[3] + 1 <= t->line_room;
}

/* The token whose bytes lie at arena[sizes[1]:sizes[1] + length] (hash h): its id, counted
 * once more; a new word keeps those bytes. The caller made room, so a free slot exists. */
static int32_t intern(Table *t, uint64_t h, int64_t length) {
    uint64_t mask = (uint64_t)t->n_slots - 1;
    uint64_t slot = h & mask;
    const uint8_t *fresh = t->arena + t->sizes[1];
    int64_t words = t->sizes[0];
    for (;;) {
        int32_t word = t->slots[slot];
        if (word < 0) break;
        if (word >= words) { /* never from this module's own state: refuse to follow it */
            t->corrupt = 1;
            return 0;
        }
        if (t->hashes[word] == h && t->lengths[word] == length) {
            int64_t old = t->starts[word];
            if (old < 0 || old + length > t->sizes[1]) {
                t->corrupt = 1;
                return 0;
            }
            if (memcmp(t->arena + old, fresh, (size_t)length) == 0) {
                t->counts[word] += 1;
                return word;
            }
        }
        slot = (slot + 1) & mask;
    }
    int32_t word = (int32_t)words;
    t->slots[slot] = word;
    t->hashes[word] = h;
    t->starts[word] = t->sizes[1];
    t->lengths[word] = (int32_t)length;
    t->counts[word] = 1;
    t->sizes[0] = words + 1;
    t->sizes[1] += length;
    return word;
}

/* A code point of a line already checked by line_end: 1 to 3 bytes, never 4. */
static inline int32_t decode(const uint8_t *data, Py_ssize_t *p) {
    uint32_t b0 = data[*p];
    if (b0 < 0x80) {
        *p += 1;
        return (int32_t)b0;
    }
    if (b0 < 0xE0) {
        int32_t cp = (int32_t)(((b0 & 0x1F) << 6) | (data[*p + 1] & 0x3F));
        *p += 2;
        return cp;
    }
    int32_t cp = (int32_t)(((b0 & 0x0F) << 12) | ((data[*p + 1] & 0x3Fu) << 6) | (data[*p + 2] & 0x3F));
    *p += 3;
    return cp;
}

/* Append code point cp (taken modulo 2^16) to the arena as UTF-8; returns the bytes written. */
static inline int put(uint8_t *at, int32_t cp, uint64_t *h) {
    uint32_t c = (uint32_t)cp & 0xFFFF;
    if (c < 0x80) {
        at[0] = (uint8_t)c;
        *h = FNV(*h, at[0]);
        return 1;
    }
    if (c < 0x800) {
        at[0] = (uint8_t)(0xC0 | (c >> 6));
        at[1] = (uint8_t)(0x80 | (c & 0x3F));
        *h = FNV(FNV(*h, at[0]), at[1]);
        return 2;
    }
    at[0] = (uint8_t)(0xE0 | (c >> 12));
    at[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
    at[2] = (uint8_t)(0x80 | (c & 0x3F));
    *h = FNV(FNV(FNV(*h, at[0]), at[1]), at[2]);
    return 3;
}

/* The end of the line starting at p, and (in *easy) whether the tables can tokenise it. */
static Py_ssize_t line_end(const uint8_t *data, Py_ssize_t p, Py_ssize_t end, const uint8_t *kinds,
                           int split_only, int *easy) {
    *easy = 1;
    while (p < end) {
        uint8_t b0 = data[p];
        if (b0 == '\n') return p;
        if (b0 < 0x80) {
            if (b0 == 0) *easy = 0;
            p += 1;
        } else if (b0 >= 0xC2 && b0 <= 0xDF && p + 1 < end && (data[p + 1] & 0xC0) == 0x80) {
            if (!split_only) {
                Py_ssize_t q = p;
                if (kinds[decode(data, &q)] == CONTEXT) *easy = 0;
            }
            p += 2;
        } else if (b0 >= 0xE0 && b0 <= 0xEF && p + 2 < end && (data[p + 1] & 0xC0) == 0x80 &&
                   (data[p + 2] & 0xC0) == 0x80) {
            uint8_t b1 = data[p + 1];
            if ((b0 == 0xE0 && b1 < 0xA0) || (b0 == 0xED && b1 >= 0xA0)) {
                *easy = 0; /* an overlong form or a surrogate: Python will refuse it */
            } else if (!split_only) {
                Py_ssize_t q = p;
                if (kinds[decode(data, &q)] == CONTEXT) *easy = 0;
            }
            p += 3;
        } else {
            *easy = 0; /* outside the BMP, or not UTF-8 */
            p += 1;
        }
    }
    return end;
}

/* Tokenise the easy line data[p:stop] into the table (room already checked). */
static void scan_line(Table *t, const uint8_t *data, Py_ssize_t p, Py_ssize_t stop,
                      const int32_t *lower, const uint8_t *kinds, int split_only) {
    int64_t n_ids = t->sizes[2];
    int64_t length = 0;
    uint64_t h = FNV_OFFSET;
    Py_ssize_t q = p;
#define FLUSH()                                                  \
    do {                                                         \
        if (length) {                                            \
            t->ids[n_ids++] = intern(t, h, length);              \
            length = 0;                                          \
            h = FNV_OFFSET;                                      \
        }                                                        \
    } while (0)
    while (q < stop) {
        uint8_t *at = t->arena + t->sizes[1] + length;
        if (split_only) {
            Py_ssize_t from = q;
            int32_t cp = decode(data, &q);
            if (kinds[cp] == SPACE) {
                FLUSH();
            } else { /* the raw bytes: split() keeps case */
                for (Py_ssize_t k = from; k < q; k++) {
                    *at++ = data[k];
                    h = FNV(h, data[k]);
                }
                length += q - from;
            }
            continue;
        }
        int32_t cp = decode(data, &q);
        uint8_t kind = kinds[cp];
        if (kind == ALNUM) {
            length += put(at, lower[cp], &h);
            continue;
        }
        if (kind == APOSTROPHE && length && q < stop) {
            Py_ssize_t next = q;
            int32_t cp2 = decode(data, &next);
            if (kinds[cp2] == ALNUM) { /* an apostrophe inside a word */
                int n = put(at, cp, &h);
                length += n + put(at + n, lower[cp2], &h);
                q = next;
                continue;
            }
        }
        FLUSH();
    }
    FLUSH();
#undef FLUSH
    t->sizes[2] = n_ids;
    t->line_ends[t->sizes[3]] = n_ids;
    t->sizes[3] += 1;
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
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(object, &arg->view, flags) < 0) return -1;
    arg->held = 1;
    if (arg->view.itemsize != itemsize) {
        PyErr_Format(PyExc_ValueError, "%s: expected items of %zd bytes", name, itemsize);
        return -1;
    }
    return 0;
}

static Py_ssize_t items(const Arg *arg) { return arg->view.len / arg->view.itemsize; }

static int bad(const char *what) {
    PyErr_Format(PyExc_ValueError, "%s", what);
    return -1;
}

/* The nine table arrays of args[first:first + 9], in the order of the signatures. */
static int take_table(PyObject **objects, Arg *a, Table *t) {
    static const char *names[] = {"table_slots", "hashes", "starts", "lengths", "counts",
                                  "arena", "sizes", "ids", "line_ends"};
    static const Py_ssize_t sizes[] = {4, 8, 8, 4, 8, 1, 8, 4, 8};
    for (int i = 0; i < 9; i++)
        if (objects[i] != NULL && take(objects[i], &a[i], sizes[i], 1, names[i]) < 0) return -1;
    t->slots = a[0].view.buf;
    t->hashes = a[1].view.buf;
    t->starts = a[2].view.buf;
    t->lengths = a[3].view.buf;
    t->counts = a[4].view.buf;
    t->arena = a[5].view.buf;
    t->sizes = a[6].view.buf;
    t->n_slots = items(&a[0]);
    t->word_room = items(&a[1]);
    for (int i = 2; i < 5; i++)
        if (items(&a[i]) < t->word_room) t->word_room = items(&a[i]);
    t->arena_room = items(&a[5]);
    t->ids = objects[7] ? a[7].view.buf : NULL;
    t->line_ends = objects[8] ? a[8].view.buf : NULL;
    t->id_room = objects[7] ? items(&a[7]) : 0;
    t->line_room = objects[8] ? items(&a[8]) : 0;
    t->corrupt = 0;
    if (t->n_slots < 1 || (t->n_slots & (t->n_slots - 1)))
        return bad("table_slots must be a power of two long");
    if (items(&a[6]) != 4) return bad("sizes must hold 4 counters");
    int64_t *s = t->sizes;
    if (s[0] < 0 || s[0] > t->word_room || s[0] >= t->n_slots || s[1] < 0 || s[1] > t->arena_room ||
        s[2] < 0 || (objects[7] && s[2] > t->id_room) || s[3] < 0 || (objects[8] && s[3] > t->line_room))
        return bad("sizes is out of range for the arrays given");
    return 0;
}

static int corrupt(void) { return bad("table_slots names a word the table does not hold"); }

/* ------------------------------------------------------------------ exported functions */

static PyObject *py_scan_lines(PyObject *self, PyObject *args) {
    PyObject *result = NULL;
    PyObject *objects[12];
    Py_ssize_t start, end;
    int split_only;
    if (!PyArg_ParseTuple(args, "OnnOOpOOOOOOOOO", &objects[0], &start, &end, &objects[1],
                          &objects[2], &split_only, &objects[3], &objects[4], &objects[5],
                          &objects[6], &objects[7], &objects[8], &objects[9], &objects[10],
                          &objects[11]))
        return NULL;
    Arg a[12];
    memset(a, 0, sizeof a);
    Table t;
    if (take(objects[0], &a[0], 1, 0, "data") < 0 || take(objects[1], &a[1], 4, 0, "lower") < 0 ||
        take(objects[2], &a[2], 1, 0, "kinds") < 0 || take_table(objects + 3, a + 3, &t) < 0)
        goto fail;
    if (start < 0 || end > items(&a[0]) || start > end) {
        bad("start:end is out of range for data");
        goto fail;
    }
    if (items(&a[1]) < BMP || items(&a[2]) < BMP) {
        bad("lower and kinds must cover the 65536 code points of the BMP");
        goto fail;
    }
    const uint8_t *data = a[0].view.buf, *kinds = a[2].view.buf;
    const int32_t *lower = a[1].view.buf;
    int status = DONE;
    Py_ssize_t p = start;
    Py_BEGIN_ALLOW_THREADS
    while (p < end) {
        int easy;
        Py_ssize_t stop = line_end(data, p, end, kinds, split_only, &easy);
        if (!easy) {
            status = HARD;
            break;
        }
        if (!has_room(&t, stop - p + 1)) {
            status = ROOM;
            break;
        }
        scan_line(&t, data, p, stop, lower, kinds, split_only);
        if (t.corrupt) break;
        p = stop + 1;
    }
    if (status == DONE && !t.corrupt) p = end;
    Py_END_ALLOW_THREADS
    if (t.corrupt) {
        corrupt();
        goto fail;
    }
    result = Py_BuildValue("(in)", status, p);
fail:
    release(a, 12);
    return result;
}

static PyObject *py_intern_tokens(PyObject *self, PyObject *args) {
    PyObject *result = NULL;
    PyObject *objects[11];
    if (!PyArg_ParseTuple(args, "OOOOOOOOOOO", &objects[0], &objects[1], &objects[2], &objects[3],
                          &objects[4], &objects[5], &objects[6], &objects[7], &objects[8],
                          &objects[9], &objects[10]))
        return NULL;
    Arg a[11];
    memset(a, 0, sizeof a);
    Table t;
    if (take(objects[0], &a[0], 1, 0, "token_bytes") < 0 ||
        take(objects[1], &a[1], 8, 0, "token_ends") < 0 || take_table(objects + 2, a + 2, &t) < 0)
        goto fail;
    const uint8_t *bytes = a[0].view.buf;
    const int64_t *ends = a[1].view.buf;
    Py_ssize_t n_tokens = items(&a[1]), n_bytes = items(&a[0]);
    int64_t previous = 0;
    for (Py_ssize_t i = 0; i < n_tokens; i++) {
        if (ends[i] < previous || ends[i] > n_bytes) {
            bad("token_ends must rise within token_bytes");
            goto fail;
        }
        previous = ends[i];
    }
    int status = DONE;
    Py_BEGIN_ALLOW_THREADS
    if (!has_room(&t, n_bytes + n_tokens + 1)) {
        status = ROOM;
    } else {
        int64_t begin = 0;
        for (Py_ssize_t i = 0; i < n_tokens && !t.corrupt; i++) {
            uint8_t *at = t.arena + t.sizes[1];
            uint64_t h = FNV_OFFSET;
            for (int64_t k = begin; k < ends[i]; k++) {
                at[k - begin] = bytes[k];
                h = FNV(h, bytes[k]);
            }
            t.ids[t.sizes[2]] = intern(&t, h, ends[i] - begin);
            t.sizes[2] += 1;
            begin = ends[i];
        }
        if (!t.corrupt) {
            t.line_ends[t.sizes[3]] = t.sizes[2];
            t.sizes[3] += 1;
        }
    }
    Py_END_ALLOW_THREADS
    if (t.corrupt) {
        corrupt();
        goto fail;
    }
    result = PyLong_FromLong(status);
fail:
    release(a, 11);
    return result;
}

static PyObject *py_absorb(PyObject *self, PyObject *args) {
    PyObject *result = NULL;
    PyObject *objects[14];
    Py_ssize_t n_src;
    if (!PyArg_ParseTuple(args, "OOOOOnOOOOOOOO", &objects[0], &objects[1], &objects[2],
                          &objects[3], &objects[4], &n_src, &objects[5], &objects[6], &objects[7],
                          &objects[8], &objects[9], &objects[10], &objects[11], &objects[12]))
        return NULL;
    Arg a[15];
    memset(a, 0, sizeof a);
    Table t;
    /* The destination table has no ids or line ends here: mapping takes their place. */
    PyObject *table[9] = {objects[5], objects[6], objects[7], objects[8], objects[9],
                          objects[10], objects[11], NULL, NULL};
    if (take(objects[0], &a[0], 8, 0, "src_hashes") < 0 || take(objects[1], &a[1], 8, 0, "src_starts") < 0 ||
        take(objects[2], &a[2], 4, 0, "src_lengths") < 0 || take(objects[3], &a[3], 8, 0, "src_counts") < 0 ||
        take(objects[4], &a[4], 1, 0, "src_arena") < 0 || take_table(table, a + 5, &t) < 0 ||
        take(objects[12], &a[14], 4, 1, "mapping") < 0)
        goto fail;
    const uint64_t *src_hashes = a[0].view.buf;
    const int64_t *src_starts = a[1].view.buf, *src_counts = a[3].view.buf;
    const int32_t *src_lengths = a[2].view.buf;
    const uint8_t *src_arena = a[4].view.buf;
    int32_t *mapping = a[14].view.buf;
    Py_ssize_t src_bytes = items(&a[4]);
    if (n_src < 0 || n_src > items(&a[0]) || n_src > items(&a[1]) || n_src > items(&a[2]) ||
        n_src > items(&a[3]) || n_src > items(&a[14])) {
        bad("n_src is out of range for the arrays given");
        goto fail;
    }
    for (Py_ssize_t w = 0; w < n_src; w++) {
        if (src_starts[w] < 0 || src_lengths[w] < 0 || src_starts[w] + src_lengths[w] > src_bytes) {
            bad("a word of the other table lies outside src_arena");
            goto fail;
        }
    }
    Py_ssize_t need = n_src > src_bytes ? n_src : src_bytes;
    int status = DONE;
    Py_BEGIN_ALLOW_THREADS
    if (!(t.sizes[0] + need <= t.word_room && 2 * (t.sizes[0] + need) <= t.n_slots &&
          t.sizes[1] + 2 * need <= t.arena_room)) {
        status = ROOM;
    } else {
        for (Py_ssize_t w = 0; w < n_src && !t.corrupt; w++) {
            memcpy(t.arena + t.sizes[1], src_arena + src_starts[w], (size_t)src_lengths[w]);
            int32_t word = intern(&t, src_hashes[w], src_lengths[w]);
            if (t.corrupt) break;
            t.counts[word] += src_counts[w] - 1;
            mapping[w] = word;
        }
    }
    Py_END_ALLOW_THREADS
    if (t.corrupt) {
        corrupt();
        goto fail;
    }
    result = PyLong_FromLong(status);
fail:
    release(a, 15);
    return result;
}

static PyObject *py_rehash(PyObject *self, PyObject *args) {
    PyObject *result = NULL;
    PyObject *objects[2];
    Py_ssize_t n_words;
    if (!PyArg_ParseTuple(args, "OOn", &objects[0], &objects[1], &n_words)) return NULL;
    Arg a[2];
    memset(a, 0, sizeof a);
    if (take(objects[0], &a[0], 4, 1, "table_slots") < 0 || take(objects[1], &a[1], 8, 0, "hashes") < 0)
        goto fail;
    int32_t *slots = a[0].view.buf;
    const uint64_t *hashes = a[1].view.buf;
    Py_ssize_t n_slots = items(&a[0]);
    if (n_slots < 1 || (n_slots & (n_slots - 1))) {
        bad("table_slots must be a power of two long");
        goto fail;
    }
    if (n_words < 0 || n_words > items(&a[1]) || n_words >= n_slots) {
        bad("n_words is out of range for the arrays given");
        goto fail;
    }
    for (Py_ssize_t i = 0; i < n_slots; i++) {
        if (slots[i] != -1) {
            bad("table_slots must be all -1");
            goto fail;
        }
    }
    Py_BEGIN_ALLOW_THREADS
    uint64_t mask = (uint64_t)n_slots - 1;
    for (Py_ssize_t word = 0; word < n_words; word++) {
        uint64_t slot = hashes[word] & mask;
        while (slots[slot] >= 0) slot = (slot + 1) & mask;
        slots[slot] = (int32_t)word;
    }
    Py_END_ALLOW_THREADS
    result = Py_NewRef(Py_None);
fail:
    release(a, 2);
    return result;
}

/* Each docstring starts with a text signature ("name($module, ...)\n--\n\n"), so that
 * inspect.signature reads the same parameters as the reference's. */
#define DOC(name, params, text) #name "($module, " params ", /)\n--\n\n" text
#define TABLE "table_slots, hashes, starts, lengths, counts, arena, sizes"
static PyMethodDef methods[] = {
    {"scan_lines", py_scan_lines, METH_VARARGS,
     DOC(scan_lines, "data, start, end, lower, kinds, split_only, " TABLE ", ids, line_ends",
         "Tokenise, intern and encode the lines of data[start:end].\n\n"
         "Returns (status, position): DONE with end; ROOM with the start of a line that does\n"
         "not fit in the arrays (grow them for need = line bytes + 1, then call again from\n"
         "there); HARD with the start of a line to tokenise in Python (it ends at the next\n"
         "newline or end), after which the caller calls again past that line.")},
    {"intern_tokens", py_intern_tokens, METH_VARARGS,
     DOC(intern_tokens, "token_bytes, token_ends, " TABLE ", ids, line_ends",
         "Append one line given as tokens (UTF-8, token i ending at token_ends[i]).\n\n"
         "Returns ROOM (and changes nothing) when the arrays lack room for need = bytes +\n"
         "tokens + 1, else DONE.")},
    {"absorb", py_absorb, METH_VARARGS,
     DOC(absorb, "src_hashes, src_starts, src_lengths, src_counts, src_arena, n_src, " TABLE
                 ", mapping",
         "Add the n_src words of another table (the text after this table's) with their\n"
         "counts; mapping[w] becomes word w's id here. Returns ROOM (nothing changed) when\n"
         "the arrays lack room for need = max(n_src, bytes of src_arena), else DONE.")},
    {"rehash", py_rehash, METH_VARARGS,
     DOC(rehash, "table_slots, hashes, n_words",
         "Refill table_slots (all -1, a power of two long) with words 0 .. n_words-1.")},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_corpus_kernels",
                                    "Corpus preparation's scanner in C (see _corpus_kernels.c).",
                                    -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__corpus_kernels(void) {
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    const char *names[] = {"DONE", "ROOM", "HARD"};
    for (int i = 0; i < 3; i++) {
        if (PyModule_AddIntConstant(m, names[i], i) < 0) {
            Py_DECREF(m);
            return NULL;
        }
    }
    return m;
}
