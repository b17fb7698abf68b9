/*
 * Gathering text, and scanning restab_dump's (text_buffer.h).
 */
#include "text_buffer.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void text_buffer_append(void *user, const char *text, size_t len)
{
    text_buffer *b = user;
    if (b->failed)
        return;
    if (b->len + len + 1 > b->cap) {
        size_t cap = (b->len + len + 1) * 2;
        char *grown = realloc(b->text, cap);
        if (grown == NULL) {
            b->failed = 1;
            return;
        }
        b->text = grown;
        b->cap = cap;
    }
    memcpy(b->text + b->len, text, len);
    b->len += len;
    b->text[b->len] = '\0';
}

void text_write_file(void *user, const char *text, size_t len)
{
    fwrite(text, 1, len, (FILE *)user);
}

void text_buffer_free(text_buffer *b)
{
    free(b->text);
    memset(b, 0, sizeof *b);
}

int text_starts_with(const char *text, const char *prefix)
{
    while (*prefix != '\0') {
        if (*text++ != *prefix++)
            return 0;
    }
    return 1;
}

int text_find_line(const char **at, const char *want)
{
    for (const char *p = *at;;) {
        if (text_starts_with(p, want)) {
            *at = p + strlen(want);
            return 0;
        }
        while (*p != '\0' && *p != '\n')
            p++;
        if (*p == '\0')
            return -1;
        p++;
    }
}

int text_expect(const char **at, char *want, size_t size, const char *fmt,
                     ...)
{
    va_list args;
    va_start(args, fmt);
    vsnprintf(want, size, fmt, args);
    va_end(args);
    if (!text_starts_with(*at, want))
        return -1;
    *at += strlen(want);
    return 0;
}

int text_number(const char **at, uint32_t *value)
{
    const char *p = *at;
    uint64_t n = 0;
    if (*p < '0' || *p > '9')
        return -1;
    while (*p >= '0' && *p <= '9') {
        n = n * 10 + (uint64_t)(*p - '0');
        if (n > UINT32_MAX)
            return -1;
        p++;
    }
    *value = (uint32_t)n;
    *at = p;
    return 0;
}
