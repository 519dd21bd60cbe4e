// CRC32C (Castagnoli) for Spate's record frames, with the CPU's CRC32
// instruction when it has one (x86-64 SSE4.2, ARMv8 CRC) and a table-driven
// fallback otherwise. A C target only because Swift cannot enable an
// instruction set for one function; measured: the Swift slice-by-8 version
// took 43% of append CPU and 62% of read CPU in spate-bench.
#ifndef SPATE_CRC32C_H
#define SPATE_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/// Continues `crc` (0 to start, or an earlier result) over `length` bytes.
uint32_t spate_crc32c_update(uint32_t crc, const void *data, size_t length);

/// The CRC32C of three buffers at once (each from 0), into out[0..2]. With the
/// hardware instruction the three dependency chains interleave, so three short
/// records cost about as much as one: a crc32 step has a latency of 3 cycles
/// and a throughput of 1 (measured: CRC was 5 % of a query reading the log).
void spate_crc32c_three(const void *a, size_t a_length, const void *b, size_t b_length,
                        const void *c, size_t c_length, uint32_t out[3]);

/// 1 when the hardware instruction is used, 0 for the table fallback.
int spate_crc32c_uses_hardware(void);

#endif
