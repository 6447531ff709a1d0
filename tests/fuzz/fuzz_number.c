/*
 * fuzz_number.c - libFuzzer target: the number parser and text folding
 * on arbitrary bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../normalize/normalize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    ft_number n;
    char *f;
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = 0;
    ft_number_parse(s, &n);
    if (n.kind == FT_CELL_NUMBER && n.decimals < 0)
        abort();
    f = ft_text_fold(s);
    free(f);
    (void)ft_is_code(s);
    free(s);
    return 0;
}
