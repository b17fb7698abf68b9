/*
 * The AFL++ engine: persistent mode with shared-memory test cases
 * (afl-clang-fast). Each test case is copied into a buffer of exactly its
 * size, so ASan catches reads past the input as it would under libFuzzer.
 * Given file arguments outside afl-fuzz, it replays them once each.
 *
 * fuzz/CMakeLists.txt compiles this file with fuzz/afl-denylist.txt, so the
 * driver's own edges stay out of the coverage map: the persistent loop's
 * back edge would otherwise land in the next test case's map, one edge would
 * vary, and stability would drop below 100%.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

__AFL_FUZZ_INIT();

static void run_copy(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (copy == NULL)
        abort();
    memcpy(copy, data, size);
    LLVMFuzzerTestOneInput(copy, size);
    free(copy);
}

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open '%s'\n", path);
        return 2;
    }
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = malloc(cap);
    while (buf != NULL && (len += fread(buf + len, 1, cap - len, f)) == cap) {
        uint8_t *grown = realloc(buf, cap * 2);
        if (grown == NULL)
            free(buf);
        buf = grown;
        cap *= 2;
    }
    fclose(f);
    if (buf == NULL)
        return 2;
    run_copy(buf, len);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize != NULL)
        LLVMFuzzerInitialize(&argc, &argv);
    if (argc > 1 && getenv("__AFL_SHM_ID") == NULL) {
        for (int i = 1; i < argc; i++) {
            if (replay_file(argv[i]) != 0)
                return 2;
        }
        return 0;
    }
    __AFL_INIT();
    const uint8_t *buf = __AFL_FUZZ_TESTCASE_BUF;
    while (__AFL_LOOP(100000))
        run_copy(buf, (size_t)__AFL_FUZZ_TESTCASE_LEN);
    return 0;
}
