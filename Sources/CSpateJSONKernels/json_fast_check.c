// The scanner's fast path (see spate_json_kernels.h): a grammar walk without
// recursion (an explicit stack of open containers) whose strings are skipped
// 16 bytes at a time: one signed compare finds both control bytes (< 0x20)
// and non-ASCII (>= 0x80, negative as int8), two more the quote and the
// backslash. Every rule of JSONParser is here (numbers, literals, escapes and
// surrogate pairs, UTF-8 per RFC 3629, whitespace, the depth limit); any
// departure from it returns 0 and the Swift scanner decides, so an error is
// always reported by one implementation, with its offset and reason.
//
// Invariant: no read at or past text[count] (the text may end a buffer).

#include "spate_json_kernels.h"
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

// JSONScanner.depthLimitMax: the largest depth_max a caller may pass.
#define DEPTH_LIMIT 512

static inline int is_whitespace(uint8_t c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
static inline int is_digit(uint8_t c) { return (uint8_t)(c - '0') < 10; }

static inline size_t skip_whitespace(const uint8_t *p, size_t n, size_t i) {
    while (i < n && p[i] <= ' ' && is_whitespace(p[i])) i++;
    return i;
}

static inline int hex_value(uint8_t c) {
    if ((uint8_t)(c - '0') < 10) return c - '0';
    uint8_t lower = c | 0x20;
    if ((uint8_t)(lower - 'a') < 6) return lower - 'a' + 10;
    return -1;
}

/// The four hex digits at p as a number, or -1.
static inline int hex4(const uint8_t *p) {
    int a = hex_value(p[0]), b = hex_value(p[1]), c = hex_value(p[2]), d = hex_value(p[3]);
    if ((a | b | c | d) < 0) return -1;
    return a << 12 | b << 8 | c << 4 | d;
}

/// Past the well-formed UTF-8 scalar whose lead byte (>= 0x80) is at i, or 0.
static inline size_t utf8_scalar_end(const uint8_t *p, size_t n, size_t i) {
    uint8_t lead = p[i], low = 0x80, high = 0xBF;
    size_t length;
    if (lead >= 0xC2 && lead <= 0xDF) length = 2;
    else if (lead == 0xE0) { length = 3; low = 0xA0; }
    else if ((lead >= 0xE1 && lead <= 0xEC) || lead == 0xEE || lead == 0xEF) length = 3;
    else if (lead == 0xED) { length = 3; high = 0x9F; }
    else if (lead == 0xF0) { length = 4; low = 0x90; }
    else if (lead >= 0xF1 && lead <= 0xF3) length = 4;
    else if (lead == 0xF4) { length = 4; high = 0x8F; }
    else return 0;
    if (n - i < length) return 0;
    if (p[i + 1] < low || p[i + 1] > high) return 0;
    for (size_t k = 2; k < length; k++) if ((p[i + k] & 0xC0) != 0x80) return 0;
    return i + length;
}

/// Past the escape whose backslash is at i, or 0.
static inline size_t escape_end(const uint8_t *p, size_t n, size_t i) {
    if (i + 1 >= n) return 0;
    switch (p[i + 1]) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
        return i + 2;
    case 'u': {
        if (n - i < 6) return 0;
        int unit = hex4(p + i + 2);
        if (unit < 0) return 0;
        if (unit < 0xD800 || unit > 0xDFFF) return i + 6;
        if (unit > 0xDBFF || n - i < 12 || p[i + 6] != '\\' || p[i + 7] != 'u') return 0;
        int low = hex4(p + i + 8);
        if (low < 0xDC00 || low > 0xDFFF) return 0;
        return i + 12;
    }
    default:
        return 0;
    }
}

/// The offset of the first byte at or after i that is '"', '\\', < 0x20 or
/// >= 0x80, or n when there is none.
static inline size_t string_special(const uint8_t *p, size_t n, size_t i) {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);
    while (i + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                       _mm_cmplt_epi8(v, space));
        unsigned mask = (unsigned)_mm_movemask_epi8(special);
        if (mask != 0) return i + (size_t)__builtin_ctz(mask);
        i += 16;
    }
    if (i < n && n >= 16) {
        // The last 16 bytes of the text, less those before i.
        size_t from = n - 16;
        __m128i v = _mm_loadu_si128((const __m128i *)(p + from));
        __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                       _mm_cmplt_epi8(v, space));
        unsigned mask = (unsigned)_mm_movemask_epi8(special) >> (i - from);
        return mask != 0 ? i + (size_t)__builtin_ctz(mask) : n;
    }
#endif
    while (i < n) {
        uint8_t c = p[i];
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) return i;
        i++;
    }
    return n;
}

/// Past the closing quote of the string whose contents start at i, or 0.
static inline __attribute__((always_inline)) size_t string_end(const uint8_t *p, size_t n, size_t i, int *has_escapes) {
    for (;;) {
        i = string_special(p, n, i);
        if (i >= n) return 0;
        uint8_t c = p[i];
        if (c == '"') return i + 1;
        if (c == '\\') {
            *has_escapes = 1;
            i = escape_end(p, n, i);
        } else if (c >= 0x80) {
            i = utf8_scalar_end(p, n, i);
        } else {
            return 0;  // a control byte
        }
        if (i == 0) return 0;
    }
}

static inline __attribute__((always_inline)) size_t skip_digits(const uint8_t *p, size_t n, size_t i) {
    // Eight at a time (an epoch-millisecond timestamp has 13 digits).
    while (i + 8 <= n) {
        uint64_t word;
        memcpy(&word, p + i, 8);
        const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
        uint64_t below = (word | high) - ones * 0x30;
        uint64_t above = (word & ~high) + ones * 0x46;
        uint64_t not_digits = (~below | above | word) & high;
        if (not_digits != 0) return i + ((size_t)__builtin_ctzll(not_digits) >> 3);
        i += 8;
    }
    while (i < n && is_digit(p[i])) i++;
    return i;
}

/// Past the number starting at i, or 0.
static inline __attribute__((always_inline)) size_t number_end(const uint8_t *p, size_t n, size_t i) {
    if (p[i] == '-') i++;
    if (i >= n || !is_digit(p[i])) return 0;
    if (p[i] == '0') {
        if (i + 1 < n && is_digit(p[i + 1])) return 0;
        i++;
    } else {
        i = skip_digits(p, n, i + 1);
    }
    if (i < n && p[i] == '.') {
        i++;
        if (i >= n || !is_digit(p[i])) return 0;
        i = skip_digits(p, n, i + 1);
    }
    if (i < n && (p[i] | 0x20) == 'e') {
        i++;
        if (i < n && (p[i] == '+' || p[i] == '-')) i++;
        if (i >= n || !is_digit(p[i])) return 0;
        i = skip_digits(p, n, i + 1);
    }
    return i;
}

/// Whether a[0..<count] equals b[0..<count]; short keys without a call.
static inline int bytes_equal(const uint8_t *a, const uint8_t *b, size_t count) {
    while (count >= 8) {
        uint64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (x != y) return 0;
        a += 8; b += 8; count -= 8;
    }
    while (count > 0) {
        if (*a++ != *b++) return 0;
        count--;
    }
    return 1;
}

// Lines up to this long take the classified path. Their quote bits fill up to
// 4 words; a fifth, always zero, is where a string opened by the last byte
// looks for its end (and finds none).
#define CLASSIFIED_BYTES_MAX 256
#define QUOTE_WORDS (CLASSIFIED_BYTES_MAX / 64 + 1)

/// For a text of 16...CLASSIFIED_BYTES_MAX bytes: its quote positions as a
/// bitmap (bit i of quotes[i / 64]); returns 1 when the text has no
/// backslash, no byte below 0x20 and none above 0x7F, so that every string
/// ends at the next quote bit and holds nothing that needs a closer look.
static inline int classify(const uint8_t *p, size_t n, uint64_t quotes[QUOTE_WORDS]) {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);
    __m128i odd = _mm_setzero_si128();
    for (size_t w = 0; w < QUOTE_WORDS; w++) quotes[w] = 0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        odd = _mm_or_si128(odd, _mm_or_si128(_mm_cmpeq_epi8(v, backslash), _mm_cmplt_epi8(v, space)));
        quotes[i >> 6] |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)) << (i & 63);
    }
    if (i < n) {
        // The last 16 bytes, shifted so that byte i lands on bit 0.
        size_t from = n - 16, skip = i - from;
        __m128i v = _mm_loadu_si128((const __m128i *)(p + from));
        odd = _mm_or_si128(odd, _mm_or_si128(_mm_cmpeq_epi8(v, backslash), _mm_cmplt_epi8(v, space)));
        quotes[i >> 6] |= (uint64_t)((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)) >> skip) << (i & 63);
    }
    return _mm_movemask_epi8(odd) == 0;
#else
    (void)p; (void)n; (void)quotes;
    return 0;
#endif
}

#if defined(__x86_64__)
#include <immintrin.h>
/// `classify` 32 bytes a step, for a text of 32...CLASSIFIED_BYTES_MAX bytes.
__attribute__((target("avx2")))
static int classify_avx2(const uint8_t *p, size_t n, uint64_t quotes[QUOTE_WORDS]) {
    const __m256i quote = _mm256_set1_epi8('"'), backslash = _mm256_set1_epi8('\\'), space = _mm256_set1_epi8(0x20);
    __m256i odd = _mm256_setzero_si256();
    for (size_t w = 0; w < QUOTE_WORDS; w++) quotes[w] = 0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(p + i));
        // v < 0x20 as signed bytes: the control bytes and (negative) the non-ASCII ones.
        odd = _mm256_or_si256(odd, _mm256_or_si256(_mm256_cmpeq_epi8(v, backslash), _mm256_cmpgt_epi8(space, v)));
        quotes[i >> 6] |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, quote)) << (i & 63);
    }
    if (i < n) {
        size_t from = n - 32, skip = i - from;
        __m256i v = _mm256_loadu_si256((const __m256i *)(p + from));
        odd = _mm256_or_si256(odd, _mm256_or_si256(_mm256_cmpeq_epi8(v, backslash), _mm256_cmpgt_epi8(space, v)));
        quotes[i >> 6] |= (uint64_t)((uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, quote)) >> skip) << (i & 63);
    }
    return _mm256_testz_si256(odd, odd);
}

static int cpu_has_avx2(void) {
    static int known = -1;
    int has = __atomic_load_n(&known, __ATOMIC_RELAXED);
    if (has < 0) {
        __builtin_cpu_init();
        has = __builtin_cpu_supports("avx2") ? 1 : 0;
        __atomic_store_n(&known, has, __ATOMIC_RELAXED);
    }
    return has;
}
#endif

/// Past the next quote bit after position i (a string's opening quote), or 0.
static inline size_t next_quote_end(const uint64_t quotes[QUOTE_WORDS], size_t n, size_t i) {
    size_t from = i + 1;
    size_t w = from >> 6;
    uint64_t m = quotes[w] >> (from & 63);
    if (m != 0) return from + (size_t)__builtin_ctzll(m) + 1;
    for (w++; (w << 6) < n; w++) {
        if (quotes[w] != 0) return (w << 6) + (size_t)__builtin_ctzll(quotes[w]) + 1;
    }
    return 0;
}

/// The grammar walk; `plain` (a classified text: no escapes, controls or
/// non-ASCII) finds string ends from `quotes`, else byte by byte.
static inline __attribute__((always_inline)) int walk(const uint8_t *p, size_t n, int depth_max, int require_object,
                                                      const spate_json_name *names, int name_total, spate_json_field *fields,
                                                      const int plain, const uint64_t *quotes) {
    // stack[d] is '{' or '[' for the container open at depth d (1 is the outermost).
    uint8_t stack[DEPTH_LIMIT + 1];
    int depth = 0;
    // The value about to be parsed is field matched - 1's (a key at depth 1 matched); 0: none.
    int matched = 0;
    // Field field_open - 1's object or array value is open; recorded when depth returns to 1.
    int field_open = 0;
    size_t field_open_start = 0;
    int32_t field_open_kind = 0;
    for (int k = 0; k < name_total; k++) fields[k] = (spate_json_field){ SPATE_JSON_MISSING, 0, 0, 0 };

    size_t i = skip_whitespace(p, n, 0);
    if (i >= n) return 0;
    if (require_object && p[i] != '{') return 0;

value:  // i < n: the first byte of a value
    {
        size_t start = i;
        int32_t kind;
        uint8_t first = p[i];
        // Strings and numbers first, by direct branches: the switch's one
        // indirect jump, taken for every value, was 17 % of this function (perf).
        if (first == '"') goto string_value;
        if (first == '-' || is_digit(first)) {
            i = number_end(p, n, i);
            if (i == 0) return 0;
            kind = SPATE_JSON_NUMBER;
            goto scalar_value;
        }
        switch (first) {
        case '"':
        string_value: {
            int escapes = 0;
            i = plain ? next_quote_end(quotes, n, i) : string_end(p, n, i + 1, &escapes);
            if (i == 0) return 0;
            if (matched) {
                fields[matched - 1] = (spate_json_field){ SPATE_JSON_STRING, escapes, start + 1, i - start - 2 };
                matched = 0;
            }
            goto after_value;
        }
        case '{':
        case '[': {
            if (depth >= depth_max) return 0;
            uint8_t open = p[i];
            stack[++depth] = open;
            if (matched) {
                field_open = matched;
                field_open_start = start;
                field_open_kind = open == '{' ? SPATE_JSON_OBJECT : SPATE_JSON_ARRAY;
                matched = 0;
            }
            i = skip_whitespace(p, n, i + 1);
            if (i >= n) return 0;
            if (p[i] == (open == '{' ? '}' : ']')) {
                i++;
                goto close;
            }
            if (open == '{') goto key;
            goto value;
        }
        case 't':
            if (n - i < 4 || memcmp(p + i, "true", 4) != 0) return 0;
            i += 4;
            kind = SPATE_JSON_TRUE;
            break;
        case 'f':
            if (n - i < 5 || memcmp(p + i, "false", 5) != 0) return 0;
            i += 5;
            kind = SPATE_JSON_FALSE;
            break;
        case 'n':
            if (n - i < 4 || memcmp(p + i, "null", 4) != 0) return 0;
            i += 4;
            kind = SPATE_JSON_NULL;
            break;
        case '-': case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
            i = number_end(p, n, i);
            if (i == 0) return 0;
            kind = SPATE_JSON_NUMBER;
            break;
        default:
            return 0;
        }
    scalar_value:
        if (matched) {
            fields[matched - 1] = (spate_json_field){ kind, 0, start, i - start };
            matched = 0;
        }
        goto after_value;
    }

key:  // i < n, inside an object, where a key must begin
    {
        if (p[i] != '"') return 0;
        size_t start = i;
        int escapes = 0;
        i = plain ? next_quote_end(quotes, n, i) : string_end(p, n, i + 1, &escapes);
        if (i == 0) return 0;
        if (name_total > 0 && depth == 1) {
            // A key with an escape is compared unescaped: the full scanner's business.
            if (escapes) return 0;
            size_t key_count = i - start - 2;
            for (int k = 0; k < name_total; k++) {
                if (names[k].count == key_count && bytes_equal(p + start + 1, names[k].bytes, key_count)) {
                    matched = k + 1;
                    break;
                }
            }
        }
        if (i < n && p[i] == ':') {
            i++;
        } else {
            i = skip_whitespace(p, n, i);
            if (i >= n || p[i] != ':') return 0;
            i++;
        }
        if (i < n && p[i] > ' ') goto value;
        i = skip_whitespace(p, n, i);
        if (i >= n) return 0;
        goto value;
    }

close:  // just past the '}' or ']' of the container at `depth`
    depth--;
    if (field_open && depth == 1) {
        fields[field_open - 1] = (spate_json_field){ field_open_kind, 0, field_open_start, i - field_open_start };
        field_open = 0;
    }
    // fall through
after_value:  // just past a value
    if (depth == 0) return skip_whitespace(p, n, i) == n;
    if (i >= n || p[i] <= ' ') {
        i = skip_whitespace(p, n, i);
        if (i >= n) return 0;
    }
    {
        uint8_t c = p[i];
        if (c == ',') {
            i++;
            if (i >= n || p[i] <= ' ') {
                i = skip_whitespace(p, n, i);
                if (i >= n) return 0;
            }
            if (stack[depth] == '{') goto key;
            goto value;
        }
        if (c == (stack[depth] == '{' ? '}' : ']')) {
            i++;
            goto close;
        }
        return 0;
    }
}

/// Classifies short texts, then walks them (see the header).
static int fast_walk(const uint8_t *p, size_t n, int depth_max, int require_object,
                     const spate_json_name *names, int name_total, spate_json_field *fields) {
    if (depth_max < 1 || depth_max > DEPTH_LIMIT) return 0;
    if (n >= 16 && n <= CLASSIFIED_BYTES_MAX) {
        uint64_t quotes[QUOTE_WORDS];
#if defined(__x86_64__)
        int plain = n >= 32 && cpu_has_avx2() ? classify_avx2(p, n, quotes) : classify(p, n, quotes);
#else
        int plain = classify(p, n, quotes);
#endif
        if (plain) return walk(p, n, depth_max, require_object, names, name_total, fields, 1, quotes);
    }
    return walk(p, n, depth_max, require_object, names, name_total, fields, 0, NULL);
}

int spate_json_fast_check(const uint8_t *p, size_t n, int depth_max, int require_object,
                          const uint8_t *name, size_t name_count, spate_json_field *field) {
    spate_json_name one = { name, name_count };
    if (name == NULL && field != NULL) *field = (spate_json_field){ SPATE_JSON_MISSING, 0, 0, 0 };
    return fast_walk(p, n, depth_max, require_object, &one, name != NULL && field != NULL ? 1 : 0, field);
}

int spate_json_fast_locate(const uint8_t *p, size_t n, int depth_max,
                           const spate_json_name *names, int name_count, spate_json_field *fields) {
    if (name_count < 0 || name_count > SPATE_JSON_NAMES_MAX) return 0;
    return fast_walk(p, n, depth_max, 1, names, name_count, fields);
}
