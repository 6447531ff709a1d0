/*
 * fuzz_pdf.c - libFuzzer target: whole extraction of a (mutated) PDF
 * held in a temporary file, seeded with the fixtures.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "../../extract/extract.h"
#include "../../validate/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd;
    ft_doc *doc = NULL;
    ft_error err;
    ft_table_list tables = {0};
    ft_prose_list prose = {0};
    ft_log log = {0};
    ft_extract_stats xs;
    snprintf(path, sizeof path, "/tmp/fiscaltab-fuzz-%ld.pdf",
             (long)getpid());
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    close(fd);
    if (ft_doc_open(path, NULL, &doc, &err) == FT_OK) {
        int last = ft_doc_page_count(doc);
        if (last > 8)
            last = 8; /* bounded time per input */
        if (ft_doc_extract(doc, 1, last, &tables, &log, &prose, &xs) ==
            FT_OK)
            ft_validate_text(&prose, tables.items, tables.n, &log);
        ft_doc_free(doc);
    }
    ft_table_list_clear(&tables);
    ft_prose_list_clear(&prose);
    ft_log_clear(&log);
    unlink(path);
    return 0;
}
