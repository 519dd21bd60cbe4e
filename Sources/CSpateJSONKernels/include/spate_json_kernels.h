// The fast path of SpateJSON's scanner: one pass over a JSON text that either
// proves it well-formed (and locates one top-level field) or gives up, so the
// Swift scanner (JSONParser) runs and reports the exact error. A C target
// because Swift has no 16-byte compares to find a string's end; the Swift
// scanner was 26 % of all samples of `spate put` of 100 B records.
//
// A text of 16 to 256 bytes is first classified 16 bytes a step: its quotes
// as a bitmap, and whether it has any backslash, control byte or non-ASCII
// byte. When it has none (the usual JSON line), every string ends at the next
// quote bit; otherwise strings are walked 16 bytes a step, with escapes and
// UTF-8 checked where they occur.
//
// Contract: `spate_json_fast_check` returns 1 only for a text that
// JSONParser accepts with the same depth limit, and then fills `field` exactly
// as JSONParser's scan does for a one-segment path (kind, escapes, range; the
// last occurrence of a repeated key wins). It returns 0 for every invalid text
// and for valid ones it does not handle (a `\u` escape of a surrogate, a key
// with an escape while a field is looked for, nesting over the limit): 0 means
// "ask the full scanner", never "invalid". The tests check both scanners agree.
#ifndef SPATE_JSON_KERNELS_H
#define SPATE_JSON_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// JSONValueKind's raw values.
enum {
    SPATE_JSON_MISSING = 0,
    SPATE_JSON_STRING = 1,
    SPATE_JSON_NUMBER = 2,
    SPATE_JSON_TRUE = 3,
    SPATE_JSON_FALSE = 4,
    SPATE_JSON_NULL = 5,
    SPATE_JSON_OBJECT = 6,
    SPATE_JSON_ARRAY = 7,
};

/// Where the looked-for field's value lies: a string's bytes inside its quotes,
/// any other value's whole token.
typedef struct {
    int32_t kind;
    int32_t has_escapes;
    size_t start;
    size_t count;
} spate_json_field;

/// 1 when `text[0..<count]` is one well-formed JSON value (with
/// `require_object`: an object) surrounded by optional whitespace, nested at
/// most `depth_max` deep, with the value of the top-level key `name` (when
/// `name` is not NULL) in `field`; 0 when the full scanner must decide.
/// Reads only `text[0..<count]`.
int spate_json_fast_check(const uint8_t *text, size_t count, int depth_max, int require_object,
                          const uint8_t *name, size_t name_count, spate_json_field *field);

/// A top-level key looked for by `spate_json_fast_locate`.
typedef struct {
    const uint8_t *bytes;
    size_t count;
} spate_json_name;

/// Most names one `spate_json_fast_locate` looks for.
#define SPATE_JSON_NAMES_MAX 64

/// `spate_json_fast_check` of an object for several top-level keys at once:
/// 1 when `text[0..<count]` is a well-formed object nested at most
/// `depth_max` deep, with `fields[k]` filled for `names[k]` exactly as
/// JSONParser locates a one-segment path (the names are distinct; the last
/// occurrence of a repeated key wins); 0 when the full scanner must decide.
int spate_json_fast_locate(const uint8_t *text, size_t count, int depth_max,
                           const spate_json_name *names, int name_count, spate_json_field *fields);

#endif
