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

/**
 * Reads one cell again, from the pixels (x0, y0)-(x1, y1) of a page image
 * at dpi, made smaller by shrink (1: as it is) first: an amount with the
 * digits-only engine, text with the Chinese one, one line or a block as
 * the cell's height allows. *text is a new
 * string without line breaks (NULL when nothing was read), *conf
 * Tesseract's mean confidence. FT_ERR_LIMIT without Tesseract.
 */
ft_status ft_ocr_cell(const unsigned char *gray, int w, int h, int stride,
                      int x0, int y0, int x1, int y1, int dpi, double shrink,
                      int numeric, char **text, float *conf);

#endif
