// The header's functions are inline; this file gives the target its one
// out-of-line function (SwiftPM builds a C target from its sources).
#include "spate_box_separation.h"

int spate_box_separation_is_vectorized(void) {
#if defined(__SSE2__)
    return 1;
#else
    return 0;
#endif
}
