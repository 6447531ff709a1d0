/*
 * ocr.h - Tesseract behind a plain interface (extract/ocr.c); only
 * extract/pdf.c includes this header.
 */
#ifndef FT_OCR_H
#define FT_OCR_H

#include <stddef.h>

#include "table.h"

/**
 * Reads an 8-bit gray image (0 black, 255 white; rows stride bytes
 * apart) rendered at scale pixels a point: the characters with their
 * boxes (in points), word starts and confidences into a new array *out
 * (free()), their count in *n, and the page's mean confidence in *mean.
 * Returns FT_OK, FT_ERR_NOMEM, or FT_ERR_LIMIT with msg saying why OCR
 * could not run.
 */
ft_status ft_ocr_read(const unsigned char *gray, int w, int h, int stride,
                      double scale, ft_glyph **out, size_t *n, double *mean,
                      char *msg, size_t msglen);

#endif
