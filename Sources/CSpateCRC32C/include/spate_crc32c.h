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

/// 1 when the hardware instruction is used, 0 for the table fallback.
int spate_crc32c_uses_hardware(void);

#endif
