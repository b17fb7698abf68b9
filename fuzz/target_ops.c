/*
 * restab_ops: the main differential target. Each input decodes to a program
 * (fuzz/FORMAT.md) that runs on restab and on the oracle; after every step
 * the results, both integrity checkers and the observable states must agree,
 * and the final state passes the API misuse probes (api_probe.h).
 */
#include "api_probe.h"
#include "run.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Once per process: argument validation and configuration rejection. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    static const uint32_t type_instance[] = {0, 0, 1};
    char msg[256];
    if (api_probe_fresh(2, 3, type_instance, msg, sizeof msg) != 0) {
        fprintf(stderr, "==== restab harness: %s ====\n", msg);
        abort();
    }
    return 0;
}

/* Every input's final state also goes through the API misuse probes. */
static int probe_final_state(void *sut_self, char *msg, size_t msg_size)
{
    return api_probe(sut_self, msg, msg_size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run_options opt = run_defaults();
    opt.final_check = probe_final_state;
    if (run_bytes(data, size, &opt) != 0)
        abort();
    return 0;
}
