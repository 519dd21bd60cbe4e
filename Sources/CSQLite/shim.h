// The system libsqlite3 for SpateCatalog, through its C API. This module is only
// the header and the link line; the Swift wrapper in Sources/SpateCatalog/SQLite
// is the one place that calls it. Linux: `apt-get install libsqlite3-dev`.
#ifndef SPATE_CSQLITE_SHIM_H
#define SPATE_CSQLITE_SHIM_H

#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro casting -1 to a function pointer, which Swift
// cannot import: binding with it tells SQLite to copy the bytes before
// sqlite3_bind_* returns, so Swift buffers need only live for the call.
static inline sqlite3_destructor_type csqlite_transient(void) {
    return SQLITE_TRANSIENT;
}

#endif
