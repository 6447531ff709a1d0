/*
 * log.c - the document log shared by every stage.
 */
#include <stdlib.h>
#include <string.h>

#include "validate.h"

/*****************************************************************************
 * Public functions
 *****************************************************************************/

void
ft_log_count(const ft_log *log, ft_check_counts *out)
{
    size_t i;
    memset(out, 0, sizeof *out);
    for (i = 0; i < log->n; i++) {
        const ft_entry *e = &log->items[i];
        if (strcmp(e->kind, "check") != 0)
            continue;
        if (e->status == FT_PASS)
            out->passed++;
        else if (e->status == FT_FAIL)
            out->failed++;
        else
            out->info++;
    }
}

