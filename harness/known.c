/*
 * Known-divergence files (known.h).
 */
#define _POSIX_C_SOURCE 200809L /* strdup */

#include "known.h"

#include "files.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static int bad(char *err, size_t size, const char *path, unsigned long line,
               const char *fmt, ...)
{
    int n = snprintf(err, size, "%s:%lu: ", path, line);
    if (n >= 0 && (size_t)n < size) {
        va_list args;
        va_start(args, fmt);
        vsnprintf(err + n, size - (size_t)n, fmt, args);
        va_end(args);
    }
    return -1;
}

void known_free(known_list *k)
{
    for (size_t i = 0; i < k->len; i++) {
        free(k->entries[i].script);
        free(k->entries[i].what);
        free(k->entries[i].where);
    }
    free(k->entries);
    free(k->path);
    k->entries = NULL;
    k->path = NULL;
    k->len = 0;
}

/* The entry's checks once its fields are read. 0, or -1 with err. */
static int finish_entry(const known_list *k, const known_entry *e, char *err,
                        size_t size)
{
    if (e->what == NULL)
        return bad(err, size, k->path, e->line,
                   "entry '%s' has no 'what' line (one line saying what it is)",
                   e->name);
    if (e->nsignatures == 0 && e->script == NULL)
        return bad(err, size, k->path, e->line,
                   "entry '%s' has neither a 'signature' nor a 'script'", e->name);
    return 0;
}

/* A signature's three fields, each of [A-Za-z0-9_.:@-]. */
static int is_signature(const char *s)
{
    int fields = 0, in_field = 0;
    for (; *s != '\0'; s++) {
        char c = *s;
        if (c == ' ') {
            if (!in_field)
                return 0;
            in_field = 0;
            continue;
        }
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9') || strchr("_.:@-", c) != NULL;
        if (!ok)
            return 0;
        if (!in_field)
            fields++;
        in_field = 1;
    }
    return fields == 3 && in_field;
}

/* Joins the file's folder and a relative path (malloc'd). */
static char *beside(const char *file, const char *rel)
{
    if (rel[0] == '/')
        return strdup(rel);
    const char *slash = strrchr(file, '/');
    size_t dir = slash != NULL ? (size_t)(slash - file) + 1 : 0;
    size_t n = dir + strlen(rel) + 1;
    char *out = malloc(n);
    if (out != NULL) {
        memcpy(out, file, dir);
        memcpy(out + dir, rel, strlen(rel) + 1);
    }
    return out;
}

int known_load(const char *path, known_list *k, char *err, size_t size)
{
    k->entries = NULL;
    k->len = 0;
    k->path = strdup(path);
    size_t text_size = 0;
    char read_err[512];
    char *text = files_read(path, &text_size, read_err, sizeof read_err);
    if (text == NULL || k->path == NULL) {
        free(text);
        known_free(k);
        snprintf(err, size, "%s", text == NULL ? read_err : "out of memory");
        return -1;
    }
    size_t cap = 0;
    known_entry *e = NULL;
    unsigned long line = 0;
    int status = 0;
    for (char *p = text, *next; status == 0 && p < text + text_size; p = next) {
        char *nl = memchr(p, '\n', (size_t)(text + text_size - p));
        next = nl != NULL ? nl + 1 : text + text_size;
        if (nl != NULL)
            *nl = '\0';
        line++;
        size_t len = strlen(p);
        while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == ' ' || p[len - 1] == '\t'))
            p[--len] = '\0';
        int indented = p[0] == ' ' || p[0] == '\t';
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0' || *p == '#')
            continue;
        char *value = p + strcspn(p, " \t");
        if (*value != '\0')
            *value++ = '\0';
        while (*value == ' ' || *value == '\t')
            value++;
        if (!indented) {
            if (strcmp(p, "known") != 0) {
                status = bad(err, size, path, line,
                             "'%s' is not 'known NAME' (field lines are indented "
                             "under their entry)", p);
                break;
            }
            if (e != NULL && (status = finish_entry(k, e, err, size)) != 0)
                break;
            size_t n = strspn(value, "abcdefghijklmnopqrstuvwxyz0123456789-");
            if (value[0] == '\0' || value[n] != '\0' || n >= KNOWN_NAME_MAX) {
                status = bad(err, size, path, line,
                             "'%s' is not an entry name (a-z, 0-9 and -, at most "
                             "%d characters)", value, KNOWN_NAME_MAX - 1);
                break;
            }
            for (size_t i = 0; i < k->len; i++) {
                if (strcmp(k->entries[i].name, value) == 0) {
                    status = bad(err, size, path, line,
                                 "entry '%s' again (first at line %lu)", value,
                                 k->entries[i].line);
                    break;
                }
            }
            if (status != 0)
                break;
            if (k->len == cap) {
                size_t grown = cap ? cap * 2 : 8;
                known_entry *more = realloc(k->entries, grown * sizeof *more);
                if (more == NULL) {
                    status = bad(err, size, path, line, "out of memory");
                    break;
                }
                k->entries = more;
                cap = grown;
            }
            e = &k->entries[k->len++];
            memset(e, 0, sizeof *e);
            snprintf(e->name, sizeof e->name, "%s", value);
            e->line = line;
            continue;
        }
        if (e == NULL) {
            status = bad(err, size, path, line,
                         "an indented '%s' line before the first 'known NAME'", p);
            break;
        }
        if (*value == '\0') {
            status = bad(err, size, path, line, "'%s' needs a value", p);
            break;
        }
        char **field = strcmp(p, "script") == 0 ? &e->script
                       : strcmp(p, "what") == 0 ? &e->what
                       : strcmp(p, "where") == 0 ? &e->where
                                                 : NULL;
        if (strcmp(p, "signature") == 0) {
            if (e->nsignatures == KNOWN_SIGNATURES) {
                status = bad(err, size, path, line,
                             "more than %d signatures in entry '%s'",
                             KNOWN_SIGNATURES, e->name);
            } else if (!is_signature(value) || strlen(value) >= SIGNATURE_MAX) {
                status = bad(err, size, path, line,
                             "'%s' is not a signature (TARGET OPERATION KIND, "
                             "characters [A-Za-z0-9_.:@-]; fuzz/FORMAT.md)", value);
            } else {
                snprintf(e->signatures[e->nsignatures++], SIGNATURE_MAX, "%s", value);
            }
        } else if (field == NULL) {
            status = bad(err, size, path, line,
                         "unknown field '%s' (signature, script, what, where)", p);
        } else if (*field != NULL) {
            status = bad(err, size, path, line, "a second '%s' in entry '%s'", p, e->name);
        } else {
            *field = field == &e->script ? beside(path, value) : strdup(value);
            if (*field == NULL)
                status = bad(err, size, path, line, "out of memory");
        }
    }
    if (status == 0 && e != NULL)
        status = finish_entry(k, e, err, size);
    if (status == 0 && k->len == 0)
        status = bad(err, size, path, line, "no entries (each starts with 'known NAME')");
    free(text);
    if (status != 0)
        known_free(k);
    return status;
}

const known_entry *known_match(const known_list *k, const char *sig)
{
    for (size_t i = 0; k != NULL && i < k->len; i++) {
        for (size_t j = 0; j < k->entries[i].nsignatures; j++) {
            if (strcmp(k->entries[i].signatures[j], sig) == 0)
                return &k->entries[i];
        }
    }
    return NULL;
}
