/*
 * check.h - the smallest unit-test harness: CHECK(cond, fmt, ...) prints
 * the failing line and counts; main() ends with CHECK_DONE().
 */
#ifndef FT_CHECK_H
#define FT_CHECK_H

#include <stdio.h>

static int check_passed, check_failed;

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        if (cond) {                                                        \
            check_passed++;                                                \
        } else {                                                           \
            check_failed++;                                                \
            fprintf(stderr, "FAILED at %s:%d: ", __FILE__, __LINE__);      \
            fprintf(stderr, __VA_ARGS__);                                  \
            fputc('\n', stderr);                                           \
        }                                                                  \
    } while (0)

#define CHECK_DONE()                                                       \
    do {                                                                   \
        printf("%s: %d passed, %d failed\n", __FILE__, check_passed,       \
               check_failed);                                              \
        return check_failed ? 1 : 0;                                       \
    } while (0)

#endif
