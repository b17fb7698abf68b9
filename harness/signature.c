/*
 * Crash signatures (signature.h).
 */
#include "signature.h"

#include <stdio.h>
#include <string.h>

static int is_word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.';
}

void signature_slug(const char *text, size_t max_words, char *out,
                    size_t size)
{
    size_t len = 0, words = 0;
    int gap = 0;
    if (size == 0)
        return;
    for (const char *p = text; *p != '\0' && len + 1 < size; p++) {
        char c = *p;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c >= '0' && c <= '9') {
            while (p[1] >= '0' && p[1] <= '9')
                p++;
            c = 'N';
        } else if (!is_word_char(c)) {
            gap = len > 0;
            continue;
        }
        if (gap) {
            if (++words >= max_words)
                break;
            if (len + 2 >= size)
                break;
            out[len++] = '-';
            gap = 0;
        }
        out[len++] = c;
    }
    out[len] = '\0';
}

void signature_scan_init(signature_scan *s)
{
    memset(s, 0, sizeof *s);
}

/* The first word of an operation's text (its .ops name), or of a step
   announcement (its signature name, before a colon). */
static void first_word(const char *text, char *out, size_t size)
{
    size_t n = strcspn(text, " :)\t");
    if (n >= size)
        n = size - 1;
    memcpy(out, text, n);
    out[n] = '\0';
}

/* "    #3 0x55d0 in FUNC LOCATION": FUNC when the frame is the project's
   (not a sanitizer's, the C library's or the engine's), else "". */
static void project_frame(const char *line, char *out, size_t size)
{
    out[0] = '\0';
    const char *in = strstr(line, " in ");
    while (*line == ' ' || *line == '\t')
        line++;
    if (line[0] != '#' || in == NULL)
        return;
    const char *func = in + 4;
    size_t n = strcspn(func, " ");
    const char *where = func + n;
    static const char *const foreign[] = {
        "compiler-rt", "sanitizer", "/usr/", "libc.so", "libc-", "libFuzzer",
        "/fuzzer/Fuzzer", "afl-", "libstdc++"};
    if (strncmp(func, "__", 2) == 0 || strncmp(func, "fuzzer::", 8) == 0 ||
        strncmp(func, "abort", n > 5 ? n : 5) == 0 ||
        strncmp(func, "raise", n > 5 ? n : 5) == 0 ||
        strncmp(func, "gsignal", n > 7 ? n : 7) == 0)
        return;
    for (size_t i = 0; i < sizeof foreign / sizeof foreign[0]; i++) {
        if (strstr(where, foreign[i]) != NULL)
            return;
    }
    if (strstr(where, ".c:") == NULL && strstr(where, ".h:") == NULL)
        return; /* no source: not symbolised, or not ours */
    if (n >= size)
        n = size - 1;
    memcpy(out, func, n);
    out[n] = '\0';
}

/* Starts a sanitizer finding: prefix ("asan") and the words of `what`. */
static void sanitizer_found(signature_scan *s, const char *prefix,
                            const char *what, size_t words)
{
    char slug[80];
    char head[128];
    size_t n = strcspn(what, ":");
    if (n >= sizeof head)
        n = sizeof head - 1;
    memcpy(head, what, n);
    head[n] = '\0';
    signature_slug(head, words, slug, sizeof slug);
    snprintf(s->sanitizer, sizeof s->sanitizer, "%s:%s", prefix, slug);
    s->in_sanitizer = 1;
    s->frame[0] = '\0';
}

void signature_scan_line(signature_scan *s, const char *line)
{
    const char *p;
    if (strncmp(line, SIGNATURE_STEP_PREFIX, strlen(SIGNATURE_STEP_PREFIX)) == 0) {
        p = strchr(line + strlen(SIGNATURE_STEP_PREFIX), ':');
        if (p != NULL)
            first_word(p + 2, s->op, sizeof s->op);
        return;
    }
    if (strncmp(line, SIGNATURE_PREFIX, strlen(SIGNATURE_PREFIX)) == 0) {
        if (s->harness[0] == '\0')
            snprintf(s->harness, sizeof s->harness, "%s",
                     line + strlen(SIGNATURE_PREFIX));
        return;
    }
    if (strncmp(line, "==== restab harness: ", 21) == 0) {
        if (s->title[0] == '\0') {
            snprintf(s->title, sizeof s->title, "%s", line + 21);
            char *end = strstr(s->title, " ====");
            if (end != NULL)
                *end = '\0';
        }
        return;
    }
    if (strncmp(line, "failing step: ", 14) == 0 && s->title_op[0] == '\0') {
        if (line[14] >= '0' && line[14] <= '9' &&
            (p = strchr(line, '(')) != NULL)
            first_word(p + 1, s->title_op, sizeof s->title_op);
        else
            snprintf(s->title_op, sizeof s->title_op, "create");
        return;
    }
    /* A sanitizer's first finding wins; the engine's own "deadly signal"
       only when nothing came before it. */
    if (s->sanitizer[0] == '\0' || strncmp(s->sanitizer, "libfuzzer:deadly", 16) == 0) {
        static const struct { const char *key, *prefix; } tools[] = {
            {"ERROR: AddressSanitizer: ", "asan"},
            {"ERROR: MemorySanitizer: ", "msan"},
            {"ERROR: LeakSanitizer: ", "lsan"},
            {"ERROR: libFuzzer: ", "libfuzzer"},
            {"runtime error: ", "ubsan"},
        };
        for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++) {
            if ((p = strstr(line, tools[i].key)) == NULL)
                continue;
            if (s->sanitizer[0] != '\0' && i == 3)
                break;
            const char *what = p + strlen(tools[i].key);
            /* ASan's error type is one word ("heap-use-after-free on
               address ..."); UBSan's a phrase before its details. */
            sanitizer_found(s, tools[i].prefix, what, i == 4 ? 4 : 1);
            return;
        }
        if ((p = strstr(line, "Assertion `")) != NULL) {
            /* "FILE:LINE: FUNC: Assertion `cond' failed." */
            snprintf(s->sanitizer, sizeof s->sanitizer, "assert");
            const char *colon = strstr(line, ": ");
            const char *func = colon != NULL ? colon + 2 : NULL;
            const char *end = func != NULL ? strstr(func, ": ") : NULL;
            if (end != NULL && end < p) {
                size_t n = (size_t)(end - func);
                if (n >= sizeof s->frame)
                    n = sizeof s->frame - 1;
                memcpy(s->frame, func, n);
                s->frame[n] = '\0';
                s->in_sanitizer = 0;
            } else {
                s->in_sanitizer = 1;
            }
            return;
        }
    }
    if (s->in_sanitizer && s->frame[0] == '\0') {
        project_frame(line, s->frame, sizeof s->frame);
        if (s->frame[0] != '\0')
            s->in_sanitizer = 0;
    }
}

int signature_scan_result(const signature_scan *s, const char *target,
                          const char *fallback, char *out, size_t size)
{
    const char *t = target != NULL ? target : "ops";
    const char *op = s->op[0] != '\0'         ? s->op
                     : s->title_op[0] != '\0' ? s->title_op
                                              : "-";
    if (s->harness[0] != '\0') {
        const char *rest = strchr(s->harness, ' ');
        if (target == NULL || rest == NULL)
            snprintf(out, size, "%s", s->harness);
        else
            snprintf(out, size, "%s%s", target, rest);
        return 0;
    }
    if (s->sanitizer[0] != '\0') {
        snprintf(out, size, "%s %s %s%s%s", t, op, s->sanitizer,
                 s->frame[0] != '\0' ? "@" : "", s->frame);
        return 0;
    }
    if (s->title[0] != '\0') {
        char slug[96];
        signature_slug(s->title, 6, slug, sizeof slug);
        snprintf(out, size, "%s %s harness:%s", t,
                 s->title_op[0] != '\0' ? s->title_op : op, slug);
        return 0;
    }
    if (fallback == NULL)
        return -1;
    snprintf(out, size, "%s %s %s", t, op, fallback);
    return 0;
}
