// The random cut forest's box arithmetic: how far a point lies outside a
// bounding box (any dimension, and unrolled for dimension 4 — one input
// shingled by 4), and for dimension 4 the union of two boxes and whether a
// point lies on a box's face.
//
// A C header, inlined into Swift by the importer, only because the Swift
// compiler will not keep these branch-free: written with Swift's min/max or
// SIMD selects, LLVM turned the comparisons back into branches on which side
// of the box the point falls (they mispredict about half the time) or into
// three-instruction blends per lane. Measured: ~90 instructions a tree level
// against ~25 here, and the forest rose from ~90 k to ~140 k points/s.
//
// SSE2 is in every x86-64 CPU. Each function also has a `_portable` form, the
// same arithmetic in plain C: other CPUs use it, and the tests check that both
// forms agree bit for bit with each other and with Swift's min and max.
#ifndef SPATE_FOREST_BOXES_H
#define SPATE_FOREST_BOXES_H

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// Of the box [low, high] ∪ {x}: the sum of its extents (`range`) and how much
/// of that x added (`growth`; 0 when x is inside the box).
typedef struct {
    double range;
    double growth;
} spate_box_separation;

/// `box` holds 4 minimums then 4 maximums; `x` 4 values. Per dimension, with
/// low' = (x < low ? x : low) and high' = (x >= high ? x : high) — the choices
/// of Swift's min(low, x) and max(high, x) — range adds high' − low' and growth
/// adds (low − low') + (high' − high), which is max(low − x, 0) + max(x − high, 0)
/// bit for bit. Sums run from dimension 0 to 3, as a scalar loop's would.
static inline spate_box_separation spate_box_separation4_portable(const double *box, const double *x) {
    spate_box_separation result = {0, 0};
    for (int i = 0; i < 4; i++) {
        double low = box[i], high = box[4 + i], value = x[i];
        double newLow = value < low ? value : low, newHigh = value >= high ? value : high;
        result.range += newHigh - newLow;
        result.growth += (low - newLow) + (newHigh - high);
    }
    return result;
}

static inline spate_box_separation spate_box_separation4(const double *box, const double *x) {
#if defined(__SSE2__)
    __m128d low01 = _mm_loadu_pd(box), low23 = _mm_loadu_pd(box + 2);
    __m128d high01 = _mm_loadu_pd(box + 4), high23 = _mm_loadu_pd(box + 6);
    __m128d x01 = _mm_loadu_pd(x), x23 = _mm_loadu_pd(x + 2);
    // minpd(a, b) is a < b ? a : b; maxpd(a, b) is a > b ? a : b.
    __m128d newLow01 = _mm_min_pd(x01, low01), newLow23 = _mm_min_pd(x23, low23);
    __m128d newHigh01 = _mm_max_pd(high01, x01), newHigh23 = _mm_max_pd(high23, x23);
    __m128d range01 = _mm_sub_pd(newHigh01, newLow01), range23 = _mm_sub_pd(newHigh23, newLow23);
    __m128d growth01 = _mm_add_pd(_mm_sub_pd(low01, newLow01), _mm_sub_pd(newHigh01, high01));
    __m128d growth23 = _mm_add_pd(_mm_sub_pd(low23, newLow23), _mm_sub_pd(newHigh23, high23));
    // Lanes (range_i, growth_i), summed in dimension order: both sums at once.
    __m128d sum = _mm_add_pd(_mm_unpacklo_pd(range01, growth01), _mm_unpackhi_pd(range01, growth01));
    sum = _mm_add_pd(sum, _mm_unpacklo_pd(range23, growth23));
    sum = _mm_add_pd(sum, _mm_unpackhi_pd(range23, growth23));
    spate_box_separation result = {_mm_cvtsd_f64(sum), _mm_cvtsd_f64(_mm_unpackhi_pd(sum, sum))};
    return result;
#else
    return spate_box_separation4_portable(box, x);
#endif
}

/// `spate_box_separation4` for any dimension `d`: `box` holds d minimums then
/// d maximums. One dimension at a time (scalar SSE2 min/max, both sums in one
/// register), so the sums run in the same order as the 4-dimensional form's.
static inline spate_box_separation spate_box_separation_any_portable(const double *box, const double *x, long d) {
    spate_box_separation result = {0, 0};
    for (long i = 0; i < d; i++) {
        double low = box[i], high = box[d + i], value = x[i];
        double newLow = value < low ? value : low, newHigh = value >= high ? value : high;
        result.range += newHigh - newLow;
        result.growth += (low - newLow) + (newHigh - high);
    }
    return result;
}

static inline spate_box_separation spate_box_separation_any(const double *box, const double *x, long d) {
#if defined(__SSE2__)
    __m128d sum = _mm_setzero_pd();  // (range, growth)
    for (long i = 0; i < d; i++) {
        __m128d low = _mm_load_sd(box + i), high = _mm_load_sd(box + d + i), value = _mm_load_sd(x + i);
        __m128d newLow = _mm_min_sd(value, low), newHigh = _mm_max_sd(high, value);
        __m128d range = _mm_sub_sd(newHigh, newLow);
        __m128d growth = _mm_add_sd(_mm_sub_sd(low, newLow), _mm_sub_sd(newHigh, high));
        sum = _mm_add_pd(sum, _mm_unpacklo_pd(range, growth));
    }
    spate_box_separation result = {_mm_cvtsd_f64(sum), _mm_cvtsd_f64(_mm_unpackhi_pd(sum, sum))};
    return result;
#else
    return spate_box_separation_any_portable(box, x, d);
#endif
}

/// Writes the bounding box of boxes [leftLow, leftHigh] and [rightLow,
/// rightHigh] into `box` (4 minimums then 4 maximums); returns 1 when that
/// changed it. Minimums are (rightLow < leftLow ? rightLow : leftLow), maximums
/// (rightHigh >= leftHigh ? rightHigh : leftHigh): Swift's min and max. A leaf's
/// box is its point: pass it as both low and high.
static inline int spate_box_union4_portable(const double *leftLow, const double *leftHigh, const double *rightLow,
                                            const double *rightHigh, double *box) {
    int changed = 0;
    for (int i = 0; i < 4; i++) {
        double low = rightLow[i] < leftLow[i] ? rightLow[i] : leftLow[i];
        double high = rightHigh[i] >= leftHigh[i] ? rightHigh[i] : leftHigh[i];
        changed |= (low != box[i]) | (high != box[4 + i]);
        box[i] = low;
        box[4 + i] = high;
    }
    return changed;
}

static inline int spate_box_union4(const double *leftLow, const double *leftHigh, const double *rightLow,
                                   const double *rightHigh, double *box) {
#if defined(__SSE2__)
    __m128d low01 = _mm_min_pd(_mm_loadu_pd(rightLow), _mm_loadu_pd(leftLow));
    __m128d low23 = _mm_min_pd(_mm_loadu_pd(rightLow + 2), _mm_loadu_pd(leftLow + 2));
    __m128d high01 = _mm_max_pd(_mm_loadu_pd(leftHigh), _mm_loadu_pd(rightHigh));
    __m128d high23 = _mm_max_pd(_mm_loadu_pd(leftHigh + 2), _mm_loadu_pd(rightHigh + 2));
    __m128d differs = _mm_or_pd(_mm_or_pd(_mm_cmpneq_pd(low01, _mm_loadu_pd(box)), _mm_cmpneq_pd(low23, _mm_loadu_pd(box + 2))),
                                _mm_or_pd(_mm_cmpneq_pd(high01, _mm_loadu_pd(box + 4)), _mm_cmpneq_pd(high23, _mm_loadu_pd(box + 6))));
    _mm_storeu_pd(box, low01);
    _mm_storeu_pd(box + 2, low23);
    _mm_storeu_pd(box + 4, high01);
    _mm_storeu_pd(box + 6, high23);
    return _mm_movemask_pd(differs) != 0;
#else
    return spate_box_union4_portable(leftLow, leftHigh, rightLow, rightHigh, box);
#endif
}

/// 1 when x (inside `box`: 4 minimums then 4 maximums) lies on one of its faces.
static inline int spate_box_touches4_portable(const double *box, const double *x) {
    int touches = 0;
    for (int i = 0; i < 4; i++) touches |= (x[i] == box[i]) | (x[i] == box[4 + i]);
    return touches;
}

static inline int spate_box_touches4(const double *box, const double *x) {
#if defined(__SSE2__)
    __m128d x01 = _mm_loadu_pd(x), x23 = _mm_loadu_pd(x + 2);
    __m128d onLow = _mm_or_pd(_mm_cmpeq_pd(x01, _mm_loadu_pd(box)), _mm_cmpeq_pd(x23, _mm_loadu_pd(box + 2)));
    __m128d onHigh = _mm_or_pd(_mm_cmpeq_pd(x01, _mm_loadu_pd(box + 4)), _mm_cmpeq_pd(x23, _mm_loadu_pd(box + 6)));
    return _mm_movemask_pd(_mm_or_pd(onLow, onHigh)) != 0;
#else
    return spate_box_touches4_portable(box, x);
#endif
}

/// 1 when the functions above use SSE2, 0 when they use their portable forms.
int spate_forest_boxes_are_vectorized(void);

#endif
