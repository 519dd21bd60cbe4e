// The header's functions are inline; this file gives the target its one
// out-of-line function (SwiftPM builds a C target from its sources).
#include "spate_forest_boxes.h"

int spate_forest_boxes_are_vectorized(void) {
#if defined(__SSE2__)
    return 1;
#else
    return 0;
#endif
}
