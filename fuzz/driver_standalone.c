/*
 * The standalone engine: replays files and directories through
 * LLVMFuzzerTestOneInput, with any C compiler. It is the default engine, so
 * the corpus replays run in ordinary test builds (gcc included).
 *
 *   TARGET FILE|DIR...
 *
 * Exit status: 0 when every input ran, 2 for a missing or unreadable input;
 * a failing input aborts inside the target after printing its report.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int run_path(const char *path, unsigned *ran);

static int run_file(const char *path, unsigned *ran)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open '%s': %s\n", path, strerror(errno));
        return 2;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    while (buf != NULL) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap)
            break;
        uint8_t *grown = realloc(buf, cap * 2);
        if (grown == NULL) {
            free(buf);
            buf = NULL;
        }
        buf = grown;
        cap *= 2;
    }
    int failed = buf == NULL || ferror(f);
    fclose(f);
    if (failed) {
        fprintf(stderr, "cannot read '%s'\n", path);
        free(buf);
        return 2;
    }
    /* An exact-size copy, so reads past the input are caught. */
    uint8_t *input = malloc(len ? len : 1);
    if (input == NULL) {
        free(buf);
        fprintf(stderr, "out of memory reading '%s'\n", path);
        return 2;
    }
    memcpy(input, buf, len);
    free(buf);
    fprintf(stderr, "Running: %s\n", path);
    LLVMFuzzerTestOneInput(input, len);
    free(input);
    ++*ran;
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int skip_name(const char *name)
{
    size_t n = strlen(name);
    return name[0] == '.' || (n > 3 && strcmp(name + n - 3, ".md") == 0) ||
           (n > 5 && strcmp(name + n - 5, ".dict") == 0) ||
           (n > 8 && strcmp(name + n - 8, ".options") == 0);
}

static int run_dir(const char *path, unsigned *ran)
{
    DIR *dir = opendir(path);
    if (dir == NULL) {
        fprintf(stderr, "cannot open directory '%s': %s\n", path,
                strerror(errno));
        return 2;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    int status = 0;
    struct dirent *entry;
    while (status == 0 && (entry = readdir(dir)) != NULL) {
        if (skip_name(entry->d_name))
            continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 64;
            char **grown = realloc(names, cap * sizeof *names);
            if (grown == NULL) {
                status = 2;
                break;
            }
            names = grown;
        }
        size_t len = strlen(path) + strlen(entry->d_name) + 2;
        if ((names[count] = malloc(len)) == NULL) {
            status = 2;
            break;
        }
        snprintf(names[count], len, "%s/%s", path, entry->d_name);
        count++;
    }
    closedir(dir);
    if (count > 0)
        qsort(names, count, sizeof *names, compare_names);
    for (size_t i = 0; i < count; i++) {
        if (status == 0)
            status = run_path(names[i], ran);
        free(names[i]);
    }
    free(names);
    return status;
}

static int run_path(const char *path, unsigned *ran)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "cannot open '%s': %s\n", path, strerror(errno));
        return 2;
    }
    return S_ISDIR(st.st_mode) ? run_dir(path, ran) : run_file(path, ran);
}

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize != NULL)
        LLVMFuzzerInitialize(&argc, &argv);
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n"
                        "Replays each input through the fuzz target.\n",
                argv[0]);
        return 2;
    }
    unsigned ran = 0;
    for (int i = 1; i < argc; i++) {
        /* libFuzzer-style flags (-runs=N ...) are accepted and ignored so
           scripts can call every engine the same way. */
        if (argv[i][0] == '-' && argv[i][1] != '\0')
            continue;
        int status = run_path(argv[i], &ran);
        if (status != 0)
            return status;
    }
    fprintf(stderr, "Executed %u inputs with no failure\n", ran);
    return 0;
}
