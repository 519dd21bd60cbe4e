// CRC32C: hardware instruction when available, slice-by-8 tables otherwise.
// Both compute the same function (reflected polynomial 0x82F63B78, initial and
// final inversion); the tests check it against the published check value and a
// bitwise reference at every length and alignment.

#include "spate_crc32c.h"
#include <string.h>

static uint32_t table[8][256];
static int table_ready;

static void build_table(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        table[0][i] = c;
    }
    for (int k = 1; k < 8; k++)
        for (int i = 0; i < 256; i++)
            table[k][i] = (table[k - 1][i] >> 8) ^ table[0][table[k - 1][i] & 0xFF];
    __atomic_store_n(&table_ready, 1, __ATOMIC_RELEASE);
}

static uint32_t software(uint32_t crc, const unsigned char *p, size_t n) {
    if (!__atomic_load_n(&table_ready, __ATOMIC_ACQUIRE)) build_table();
    while (n > 0 && ((uintptr_t)p & 7) != 0) { crc = table[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8); n--; }
    while (n >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        word ^= crc;
        crc = table[7][word & 0xFF] ^ table[6][(word >> 8) & 0xFF] ^ table[5][(word >> 16) & 0xFF]
            ^ table[4][(word >> 24) & 0xFF] ^ table[3][(word >> 32) & 0xFF] ^ table[2][(word >> 40) & 0xFF]
            ^ table[1][(word >> 48) & 0xFF] ^ table[0][word >> 56];
        p += 8; n -= 8;
    }
    while (n > 0) { crc = table[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8); n--; }
    return crc;
}

#if defined(__x86_64__)
#include <nmmintrin.h>
// No alignment prologue: unaligned loads cost nothing extra on x86-64, while
// each crc32 step is a 3-cycle link in one dependency chain, so up to 7 + 7
// single-byte steps around a record of ~140 bytes added a third to its CRC
// (records start at any offset). The tail takes 4-, 2- and 1-byte steps.
__attribute__((target("sse4.2")))
static uint32_t hardware(uint32_t crc, const unsigned char *p, size_t n) {
    uint64_t c = crc;
    while (n >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        c = _mm_crc32_u64(c, word);
        p += 8; n -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    if (n >= 4) { uint32_t w; memcpy(&w, p, 4); c32 = _mm_crc32_u32(c32, w); p += 4; n -= 4; }
    if (n >= 2) { uint16_t w; memcpy(&w, p, 2); c32 = _mm_crc32_u16(c32, w); p += 2; n -= 2; }
    if (n > 0) c32 = _mm_crc32_u8(c32, *p);
    return c32;
}
__attribute__((target("sse4.2")))
static void hardware_three(const unsigned char *a, size_t na, const unsigned char *b, size_t nb,
                           const unsigned char *c, size_t nc, uint32_t out[3]) {
    uint64_t x = 0xFFFFFFFFu, y = 0xFFFFFFFFu, z = 0xFFFFFFFFu;
    while (na >= 8 && nb >= 8 && nc >= 8) {
        uint64_t wa, wb, wc;
        memcpy(&wa, a, 8); memcpy(&wb, b, 8); memcpy(&wc, c, 8);
        x = _mm_crc32_u64(x, wa); y = _mm_crc32_u64(y, wb); z = _mm_crc32_u64(z, wc);
        a += 8; b += 8; c += 8; na -= 8; nb -= 8; nc -= 8;
    }
    out[0] = ~hardware((uint32_t)x, a, na);
    out[1] = ~hardware((uint32_t)y, b, nb);
    out[2] = ~hardware((uint32_t)z, c, nc);
}
#define HAVE_HARDWARE_THREE 1
static int detect(void) { __builtin_cpu_init(); return __builtin_cpu_supports("sse4.2"); }
#elif defined(__aarch64__) && defined(__ARM_FEATURE_CRC32)
#include <arm_acle.h>
static uint32_t hardware(uint32_t crc, const unsigned char *p, size_t n) {
    while (n >= 8) { uint64_t w; memcpy(&w, p, 8); crc = __crc32cd(crc, w); p += 8; n -= 8; }
    while (n > 0) { crc = __crc32cb(crc, *p++); n--; }
    return crc;
}
static int detect(void) { return 1; }
#else
static uint32_t hardware(uint32_t crc, const unsigned char *p, size_t n) { return software(crc, p, n); }
static int detect(void) { return 0; }
#endif

static int mode = -1;  // -1 unknown, 0 software, 1 hardware

int spate_crc32c_uses_hardware(void) {
    int m = __atomic_load_n(&mode, __ATOMIC_RELAXED);
    if (m < 0) { m = detect() ? 1 : 0; __atomic_store_n(&mode, m, __ATOMIC_RELAXED); }
    return m;
}

uint32_t spate_crc32c_update(uint32_t crc, const void *data, size_t length) {
    const unsigned char *p = (const unsigned char *)data;
    uint32_t c = ~crc;
    c = spate_crc32c_uses_hardware() ? hardware(c, p, length) : software(c, p, length);
    return ~c;
}

void spate_crc32c_three(const void *a, size_t a_length, const void *b, size_t b_length,
                        const void *c, size_t c_length, uint32_t out[3]) {
#ifdef HAVE_HARDWARE_THREE
    if (spate_crc32c_uses_hardware()) {
        hardware_three((const unsigned char *)a, a_length, (const unsigned char *)b, b_length,
                       (const unsigned char *)c, c_length, out);
        return;
    }
#endif
    out[0] = spate_crc32c_update(0, a, a_length);
    out[1] = spate_crc32c_update(0, b, b_length);
    out[2] = spate_crc32c_update(0, c, c_length);
}
