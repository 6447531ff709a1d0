/*
 * fuzz_pdf.c - libFuzzer target: whole-file conversion (extract,
 * normalize, validate, write xlsx, csv and log) of a mutated PDF held in
 * a temporary file, seeded with the fixtures.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../cmd/fiscaltab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64], out[64];
    int fd;
    ft_convert_opts o;
    ft_convert_stats s;
    snprintf(path, sizeof path, "/tmp/fiscaltab-fuzz-%ld.pdf",
             (long)getpid());
    snprintf(out, sizeof out, "/tmp/fiscaltab-fuzz-out-%ld", (long)getpid());
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    close(fd);
    memset(&o, 0, sizeof o);
    o.input = path;
    o.outdir = out;
    o.csv = 1;
    o.quiet = 1;
    o.last_page = 8; /* bounded time per input */
    fflush(stderr);
    {
        /* the conversion's one-line errors are expected: silence them */
        int saved = dup(2), null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, 2);
            close(null);
        }
        ft_convert(&o, &s);
        if (saved >= 0) {
            dup2(saved, 2);
            close(saved);
        }
    }
    unlink(path);
    return 0;
}
