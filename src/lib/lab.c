/* SPDX-License-Identifier: MIT */
/*
 * The mark a lab skeleton's stubs leave: LAB_TODO() in <cvisor/lib.h> calls
 * lab_todo() once per call site, which says which lab's part is missing.
 * Freestanding: cv_snprintf() and the HAL's log stream only.
 */
#include <cvisor/hal.h>
#include <cvisor/lib.h>

/*
 * Writes "cvisor: lab LAB: implement WHAT" as one log line. Not through
 * cv_log(): that adds a level ("error: ", "warning: ") and drops info lines
 * below the default threshold, and this line must always read the same.
 */
void lab_todo(int lab, const char *what)
{
	char line[256];

	cv_snprintf(line, sizeof(line), "cvisor: lab %d: implement %s", lab, what ? what : "?");
	hal_log_write(line);
}
