// SPDX-License-Identifier: MIT
// isolation_b: VM b of the isolation pair (isolation.h).
#define ISO_NAME "isolation_b"
#define ISO_TAG 0xbbbbbbbb0000000b
#include "isolation.h"
