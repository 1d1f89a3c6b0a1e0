// SPDX-License-Identifier: MIT
// isolation_a: VM a of the isolation pair (isolation.h).
#define ISO_NAME "isolation_a"
#define ISO_TAG 0xaaaaaaaa0000000a
#include "isolation.h"
