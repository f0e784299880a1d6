/*
 * Native Ed25519 group backend for the verifier (docs/protocol.md §2.3).
 *
 * Why: libsodium's variable-base scalar multiplication re-checks that its input lies in the
 * prime-order subgroup at every call (a second scalar multiplication), and it offers no
 * double-scalar multiplication. Proof checks are all of the form a·P + b·Q on public data,
 * so a variable-time Straus/wNAF double-scalar multiplication halves or better their cost.
 *
 * Scope: public data only (verification, tallies). Nothing here is constant time: never use
 * it with secret scalars. Ballot creation and key generation stay on libsodium.
 *
 * Representation: field elements in radix 2^51 (five 64-bit limbs, 128-bit products),
 * points in extended twisted Edwards coordinates (X:Y:Z:T), a = -1 (RFC 8032 §5.1).
 * Encodings are RFC 8032's 32-byte little-endian ones (Belenios's are their byte-reverse).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

typedef unsigned __int128 u128;
typedef uint64_t fe[5];

static const uint64_t MASK51 = (((uint64_t)1) << 51) - 1;

typedef struct { fe X, Y, Z, T; } ge;            /* extended coordinates */
typedef struct { fe YpX, YmX, T2d, Z2; } ge_cached;

static fe FE_D2, FE_SQRTM1, FE_D;

/* ---------------------------------------------------------------- field arithmetic ---- */

static void fe_copy(fe h, const fe f) { memcpy(h, f, sizeof(fe)); }
static void fe_0(fe h) { memset(h, 0, sizeof(fe)); }
static void fe_1(fe h) { fe_0(h); h[0] = 1; }

static void fe_carry(fe h)
{
    uint64_t c;
    c = h[0] >> 51; h[0] &= MASK51; h[1] += c;
    c = h[1] >> 51; h[1] &= MASK51; h[2] += c;
    c = h[2] >> 51; h[2] &= MASK51; h[3] += c;
    c = h[3] >> 51; h[3] &= MASK51; h[4] += c;
    c = h[4] >> 51; h[4] &= MASK51; h[0] += 19 * c;
    c = h[0] >> 51; h[0] &= MASK51; h[1] += c;
}

static void fe_add(fe h, const fe f, const fe g)
{
    for (int i = 0; i < 5; i++) h[i] = f[i] + g[i];
    fe_carry(h);
}

/* f - g, adding 4p so that limbs never go negative (inputs are carried: limbs < 2^52) */
static void fe_sub(fe h, const fe f, const fe g)
{
    h[0] = f[0] + 0x1fffffffffffb4ULL - g[0];
    h[1] = f[1] + 0x1ffffffffffffcULL - g[1];
    h[2] = f[2] + 0x1ffffffffffffcULL - g[2];
    h[3] = f[3] + 0x1ffffffffffffcULL - g[3];
    h[4] = f[4] + 0x1ffffffffffffcULL - g[4];
    fe_carry(h);
}

static void fe_neg(fe h, const fe f)
{
    fe z;
    fe_0(z);
    fe_sub(h, z, f);
}

static void fe_mul(fe h, const fe f, const fe g)
{
    u128 r0, r1, r2, r3, r4;
    uint64_t g1_19 = 19 * g[1], g2_19 = 19 * g[2], g3_19 = 19 * g[3], g4_19 = 19 * g[4];
    r0 = (u128)f[0] * g[0] + (u128)f[1] * g4_19 + (u128)f[2] * g3_19 + (u128)f[3] * g2_19 + (u128)f[4] * g1_19;
    r1 = (u128)f[0] * g[1] + (u128)f[1] * g[0] + (u128)f[2] * g4_19 + (u128)f[3] * g3_19 + (u128)f[4] * g2_19;
    r2 = (u128)f[0] * g[2] + (u128)f[1] * g[1] + (u128)f[2] * g[0] + (u128)f[3] * g4_19 + (u128)f[4] * g3_19;
    r3 = (u128)f[0] * g[3] + (u128)f[1] * g[2] + (u128)f[2] * g[1] + (u128)f[3] * g[0] + (u128)f[4] * g4_19;
    r4 = (u128)f[0] * g[4] + (u128)f[1] * g[3] + (u128)f[2] * g[2] + (u128)f[3] * g[1] + (u128)f[4] * g[0];
    uint64_t c;
    c = (uint64_t)(r0 >> 51); h[0] = (uint64_t)r0 & MASK51; r1 += c;
    c = (uint64_t)(r1 >> 51); h[1] = (uint64_t)r1 & MASK51; r2 += c;
    c = (uint64_t)(r2 >> 51); h[2] = (uint64_t)r2 & MASK51; r3 += c;
    c = (uint64_t)(r3 >> 51); h[3] = (uint64_t)r3 & MASK51; r4 += c;
    c = (uint64_t)(r4 >> 51); h[4] = (uint64_t)r4 & MASK51;
    h[0] += 19 * c;
    c = h[0] >> 51; h[0] &= MASK51; h[1] += c;
}

static void fe_sq(fe h, const fe f) { fe_mul(h, f, f); }

static void fe_sqn(fe h, const fe f, int n)
{
    fe_sq(h, f);
    for (int i = 1; i < n; i++) fe_sq(h, h);
}

static void fe_frombytes(fe h, const unsigned char s[32])
{
    uint64_t w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = 0;
        for (int j = 7; j >= 0; j--) w[i] = (w[i] << 8) | s[8 * i + j];
    }
    h[0] = w[0] & MASK51;
    h[1] = ((w[0] >> 51) | (w[1] << 13)) & MASK51;
    h[2] = ((w[1] >> 38) | (w[2] << 26)) & MASK51;
    h[3] = ((w[2] >> 25) | (w[3] << 39)) & MASK51;
    h[4] = (w[3] >> 12) & MASK51; /* bit 255 ignored */
}

/* canonical (fully reduced) little-endian encoding */
static void fe_tobytes(unsigned char s[32], const fe f)
{
    fe h;
    fe_copy(h, f);
    fe_carry(h);
    fe_carry(h);
    /* now h < 2^255 + small; subtract p if h >= p */
    uint64_t q = (h[0] + 19) >> 51;
    q = (h[1] + q) >> 51;
    q = (h[2] + q) >> 51;
    q = (h[3] + q) >> 51;
    q = (h[4] + q) >> 51;
    h[0] += 19 * q;
    uint64_t c;
    c = h[0] >> 51; h[0] &= MASK51; h[1] += c;
    c = h[1] >> 51; h[1] &= MASK51; h[2] += c;
    c = h[2] >> 51; h[2] &= MASK51; h[3] += c;
    c = h[3] >> 51; h[3] &= MASK51; h[4] += c;
    h[4] &= MASK51;
    uint64_t w[4];
    w[0] = h[0] | (h[1] << 51);
    w[1] = (h[1] >> 13) | (h[2] << 38);
    w[2] = (h[2] >> 26) | (h[3] << 25);
    w[3] = (h[3] >> 39) | (h[4] << 12);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++) s[8 * i + j] = (unsigned char)(w[i] >> (8 * j));
}

static int fe_iszero(const fe f)
{
    unsigned char s[32];
    fe_tobytes(s, f);
    unsigned char acc = 0;
    for (int i = 0; i < 32; i++) acc |= s[i];
    return acc == 0;
}

static int fe_isodd(const fe f)
{
    unsigned char s[32];
    fe_tobytes(s, f);
    return s[0] & 1;
}

static int fe_equal(const fe f, const fe g)
{
    fe d;
    fe_sub(d, f, g);
    return fe_iszero(d);
}

/* z^(2^250 - 1) and z^11, shared by inversion and square roots */
static void fe_pow_2_250_1(fe out, fe z11, const fe z)
{
    fe t0, t1, t2, t3;
    fe_sq(t0, z);            /* 2 */
    fe_sqn(t1, t0, 2);       /* 8 */
    fe_mul(t1, z, t1);       /* 9 */
    fe_mul(t0, t0, t1);      /* 11 */
    fe_copy(z11, t0);
    fe_sq(t2, t0);           /* 22 */
    fe_mul(t1, t1, t2);      /* 2^5 - 1 */
    fe_sqn(t2, t1, 5);
    fe_mul(t1, t2, t1);      /* 2^10 - 1 */
    fe_sqn(t2, t1, 10);
    fe_mul(t2, t2, t1);      /* 2^20 - 1 */
    fe_sqn(t3, t2, 20);
    fe_mul(t2, t3, t2);      /* 2^40 - 1 */
    fe_sqn(t2, t2, 10);
    fe_mul(t1, t2, t1);      /* 2^50 - 1 */
    fe_sqn(t2, t1, 50);
    fe_mul(t2, t2, t1);      /* 2^100 - 1 */
    fe_sqn(t3, t2, 100);
    fe_mul(t2, t3, t2);      /* 2^200 - 1 */
    fe_sqn(t2, t2, 50);
    fe_mul(out, t2, t1);     /* 2^250 - 1 */
}

static void fe_invert(fe out, const fe z)
{
    fe t, z11;
    fe_pow_2_250_1(t, z11, z);
    fe_sqn(t, t, 5);         /* 2^255 - 32 */
    fe_mul(out, t, z11);     /* 2^255 - 21 = p - 2 */
}

static void fe_pow22523(fe out, const fe z)
{
    fe t, z11;
    fe_pow_2_250_1(t, z11, z);
    fe_sqn(t, t, 2);         /* 2^252 - 4 */
    fe_mul(out, t, z);       /* 2^252 - 3 = (p - 5) / 8 */
}

/* ---------------------------------------------------------------- points --------------- */

static void ge_identity(ge *p)
{
    fe_0(p->X); fe_1(p->Y); fe_1(p->Z); fe_0(p->T);
}

/* RFC 8032 §5.1.3 decoding; 0 on success. Rejects y >= p, points off the curve and the
 * encodings of x = 0 with the sign bit set (Belenios's pure check finds no canonical root). */
static int ge_frombytes(ge *p, const unsigned char s[32])
{
    unsigned char canon[32];
    fe u, v, v3, vxx, check, y2;
    int sign = s[31] >> 7;
    fe_frombytes(p->Y, s);
    fe_tobytes(canon, p->Y);
    for (int i = 0; i < 31; i++)
        if (canon[i] != s[i]) return -1;
    if (canon[31] != (s[31] & 0x7f)) return -1;
    fe_1(p->Z);
    fe_sq(y2, p->Y);
    fe_sub(u, y2, p->Z);            /* u = y^2 - 1 */
    fe_mul(v, y2, FE_D);
    fe_add(v, v, p->Z);             /* v = d y^2 + 1 */
    fe_sq(v3, v);
    fe_mul(v3, v3, v);              /* v^3 */
    fe_sq(p->X, v3);
    fe_mul(p->X, p->X, v);
    fe_mul(p->X, p->X, u);          /* u v^7 */
    fe_pow22523(p->X, p->X);
    fe_mul(p->X, p->X, v3);
    fe_mul(p->X, p->X, u);          /* x = u v^3 (u v^7)^((p-5)/8) */
    fe_sq(vxx, p->X);
    fe_mul(vxx, vxx, v);
    if (!fe_equal(vxx, u)) {
        fe_neg(check, u);
        if (!fe_equal(vxx, check)) return -1;
        fe_mul(p->X, p->X, FE_SQRTM1);
    }
    if (fe_iszero(p->X) && sign) return -1;
    if (fe_isodd(p->X) != sign) fe_neg(p->X, p->X);
    fe_mul(p->T, p->X, p->Y);
    return 0;
}

static void ge_tobytes(unsigned char s[32], const ge *p)
{
    fe zinv, x, y;
    fe_invert(zinv, p->Z);
    fe_mul(x, p->X, zinv);
    fe_mul(y, p->Y, zinv);
    fe_tobytes(s, y);
    s[31] ^= (unsigned char)(fe_isodd(x) << 7);
}

static void ge_to_cached(ge_cached *c, const ge *p)
{
    fe_add(c->YpX, p->Y, p->X);
    fe_sub(c->YmX, p->Y, p->X);
    fe_mul(c->T2d, p->T, FE_D2);
    fe_add(c->Z2, p->Z, p->Z);
}

/* add-2008-hwcd-3 (a = -1); sub uses -Q: swap Y+X / Y-X and negate 2dT */
static void ge_add_cached(ge *r, const ge *p, const ge_cached *q, int negate)
{
    fe a, b, c, d, e, f, g, h;
    fe_sub(a, p->Y, p->X);
    fe_mul(a, a, negate ? q->YpX : q->YmX);
    fe_add(b, p->Y, p->X);
    fe_mul(b, b, negate ? q->YmX : q->YpX);
    fe_mul(c, p->T, q->T2d);
    if (negate) fe_neg(c, c);
    fe_mul(d, p->Z, q->Z2);
    fe_sub(e, b, a);
    fe_sub(f, d, c);
    fe_add(g, d, c);
    fe_add(h, b, a);
    fe_mul(r->X, e, f);
    fe_mul(r->Y, g, h);
    fe_mul(r->T, e, h);
    fe_mul(r->Z, f, g);
}

/* dbl-2008-hwcd (a = -1), in ref10's sign convention */
static void ge_double(ge *r, const ge *p)
{
    fe a, b, c, e, f, g, h, t;
    fe_sq(a, p->X);
    fe_sq(b, p->Y);
    fe_sq(c, p->Z);
    fe_add(c, c, c);
    fe_add(h, a, b);
    fe_add(t, p->X, p->Y);
    fe_sq(t, t);
    fe_sub(e, h, t);
    fe_sub(g, a, b);
    fe_add(f, c, g);
    fe_mul(r->X, e, f);
    fe_mul(r->Y, g, h);
    fe_mul(r->T, e, h);
    fe_mul(r->Z, f, g);
}

/* width-5 sliding window NAF (odd digits in [-15, 15]) of a 256-bit little-endian scalar */
static void slide(signed char r[256], const unsigned char a[32])
{
    for (int i = 0; i < 256; i++) r[i] = 1 & (a[i >> 3] >> (i & 7));
    for (int i = 0; i < 256; i++) {
        if (!r[i]) continue;
        for (int b = 1; b <= 6 && i + b < 256; b++) {
            if (!r[i + b]) continue;
            if (r[i] + (r[i + b] << b) <= 15) {
                r[i] += r[i + b] << b;
                r[i + b] = 0;
            } else if (r[i] - (r[i + b] << b) >= -15) {
                r[i] -= r[i + b] << b;
                for (int k = i + b; k < 256; k++) {
                    if (!r[k]) { r[k] = 1; break; }
                    r[k] = 0;
                }
            } else {
                break;
            }
        }
    }
}

static void odd_multiples(ge_cached table[8], const ge *p)
{
    ge p2, acc;
    ge_double(&p2, p);
    ge_cached c2;
    ge_to_cached(&c2, &p2);
    acc = *p;
    ge_to_cached(&table[0], &acc);
    for (int i = 1; i < 8; i++) {
        ge_add_cached(&acc, &acc, &c2, 0);
        ge_to_cached(&table[i], &acc);
    }
}

/* r = a·P + b·Q, variable time. Scalars must be < 2^253 (reduced mod l by the caller). */
static void ge_double_scalarmult(ge *r, const unsigned char a[32], const ge *p,
                                 const unsigned char b[32], const ge *q)
{
    signed char na[256], nb[256];
    ge_cached tp[8], tq[8];
    slide(na, a);
    slide(nb, b);
    odd_multiples(tp, p);
    odd_multiples(tq, q);
    int i = 255;
    while (i >= 0 && !na[i] && !nb[i]) i--;
    ge_identity(r);
    for (; i >= 0; i--) {
        ge_double(r, r);
        if (na[i] > 0) ge_add_cached(r, r, &tp[na[i] / 2], 0);
        else if (na[i] < 0) ge_add_cached(r, r, &tp[(-na[i]) / 2], 1);
        if (nb[i] > 0) ge_add_cached(r, r, &tq[nb[i] / 2], 0);
        else if (nb[i] < 0) ge_add_cached(r, r, &tq[(-nb[i]) / 2], 1);
    }
}

static int ge_is_identity(const ge *p)
{
    return fe_iszero(p->X) && fe_equal(p->Y, p->Z);
}

static const unsigned char ORDER_L[32] = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};
static const unsigned char ZERO32[32] = {0};

/* ---------------------------------------------------------------- Python glue ---------- */

static int arg32(PyObject *o, const unsigned char **out, const char *what)
{
    if (!PyBytes_Check(o) || PyBytes_GET_SIZE(o) != 32) {
        PyErr_Format(PyExc_TypeError, "%s must be 32 bytes", what);
        return -1;
    }
    *out = (const unsigned char *)PyBytes_AS_STRING(o);
    return 0;
}

static int decode_arg(ge *p, PyObject *o, const char *what)
{
    const unsigned char *s;
    if (arg32(o, &s, what) < 0) return -1;
    if (ge_frombytes(p, s) != 0) {
        PyErr_Format(PyExc_ValueError, "%s is not a point of the curve", what);
        return -1;
    }
    return 0;
}

static PyObject *point_result(const ge *r)
{
    unsigned char out[32];
    ge_tobytes(out, r);
    return PyBytes_FromStringAndSize((const char *)out, 32);
}

static PyObject *py_double_mul(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    const unsigned char *a, *b;
    ge p, q, r;
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "double_mul(a, P, b, Q)");
        return NULL;
    }
    if (arg32(args[0], &a, "a") < 0 || decode_arg(&p, args[1], "P") < 0 ||
        arg32(args[2], &b, "b") < 0 || decode_arg(&q, args[3], "Q") < 0)
        return NULL;
    if ((a[31] | b[31]) & 0xe0) {
        PyErr_SetString(PyExc_ValueError, "scalars must be reduced");
        return NULL;
    }
    ge_double_scalarmult(&r, a, &p, b, &q);
    return point_result(&r);
}

static PyObject *py_mul(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    const unsigned char *a;
    ge p, r;
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "mul(a, P)");
        return NULL;
    }
    if (arg32(args[0], &a, "a") < 0 || decode_arg(&p, args[1], "P") < 0) return NULL;
    if (a[31] & 0xe0) {
        PyErr_SetString(PyExc_ValueError, "scalars must be reduced");
        return NULL;
    }
    ge_double_scalarmult(&r, a, &p, ZERO32, &p);
    return point_result(&r);
}

/* Belenios's G.check: canonical, on the curve, and l·P = O (so the identity passes and
 * every other small-order or mixed-order point fails). */
static PyObject *py_is_valid(PyObject *self, PyObject *arg)
{
    (void)self;
    const unsigned char *s;
    ge p, r;
    if (arg32(arg, &s, "P") < 0) return NULL;
    if (ge_frombytes(&p, s) != 0) Py_RETURN_FALSE;
    ge_double_scalarmult(&r, ORDER_L, &p, ZERO32, &p);
    if (ge_is_identity(&r)) Py_RETURN_TRUE;
    Py_RETURN_FALSE;
}

static PyMethodDef methods[] = {
    {"double_mul", (PyCFunction)(void (*)(void))py_double_mul, METH_FASTCALL,
     "double_mul(a, P, b, Q) -> a·P + b·Q (32-byte encodings; variable time)"},
    {"mul", (PyCFunction)(void (*)(void))py_mul, METH_FASTCALL, "mul(a, P) -> a·P (variable time)"},
    {"is_valid", py_is_valid, METH_O, "is_valid(P) -> canonical, on the curve, l·P = O"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_ed25519",
                                    "Variable-time Ed25519 arithmetic on public data.", -1,
                                    methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__ed25519(void)
{
    static const unsigned char d[32] = {
        0xa3, 0x78, 0x59, 0x13, 0xca, 0x4d, 0xeb, 0x75, 0xab, 0xd8, 0x41, 0x41, 0x4d, 0x0a, 0x70, 0x00,
        0x98, 0xe8, 0x79, 0x77, 0x79, 0x40, 0xc7, 0x8c, 0x73, 0xfe, 0x6f, 0x2b, 0xee, 0x6c, 0x03, 0x52};
    static const unsigned char d2[32] = {
        0x59, 0xf1, 0xb2, 0x26, 0x94, 0x9b, 0xd6, 0xeb, 0x56, 0xb1, 0x83, 0x82, 0x9a, 0x14, 0xe0, 0x00,
        0x30, 0xd1, 0xf3, 0xee, 0xf2, 0x80, 0x8e, 0x19, 0xe7, 0xfc, 0xdf, 0x56, 0xdc, 0xd9, 0x06, 0x24};
    static const unsigned char sqrtm1[32] = {
        0xb0, 0xa0, 0x0e, 0x4a, 0x27, 0x1b, 0xee, 0xc4, 0x78, 0xe4, 0x2f, 0xad, 0x06, 0x18, 0x43, 0x2f,
        0xa7, 0xd7, 0xfb, 0x3d, 0x99, 0x00, 0x4d, 0x2b, 0x0b, 0xdf, 0xc1, 0x4f, 0x80, 0x24, 0x83, 0x2b};
    fe_frombytes(FE_D, d);
    fe_frombytes(FE_D2, d2);
    fe_frombytes(FE_SQRTM1, sqrtm1);
    return PyModule_Create(&module);
}
