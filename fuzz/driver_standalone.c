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
#include "files.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* Runs one file; 2 when it cannot be read. */
static int run_file(const char *path, void *user)
{
    unsigned *ran = user;
    char err[512];
    size_t len = 0;
    char *buf = files_read(path, &len, err, sizeof err);
    if (buf == NULL) {
        fprintf(stderr, "%s\n", err);
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
        char err[512];
        int status = files_walk(argv[i], run_file, &ran, err, sizeof err);
        if (status < 0)
            fprintf(stderr, "%s\n", err);
        if (status != 0)
            return 2;
    }
    fprintf(stderr, "Executed %u inputs with no failure\n", ran);
    return 0;
}
