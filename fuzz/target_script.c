/*
 * restab_script: the .ops text parser on arbitrary bytes. It must never
 * crash; whatever it accepts runs differentially (restab against the
 * oracle), and the printed form of a parsed program parses back to the same
 * program. Rejections must name the input and a line.
 */
#include "oracle.h"
#include "run.h"
#include "sut.h"
#include "text_buffer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Printing and re-parsing must give the same program. */
static int reprint_matches(const program *p)
{
    text_buffer b = {NULL, 0, 0, 0};
    program_print(p, p->len, text_buffer_append, &b);
    program again;
    program_init(&again);
    char err[256];
    int ok = !b.failed &&
             program_parse(b.text, b.len, "printed", &again, err, sizeof err) == 0 &&
             program_equal(p, &again);
    if (!ok) {
        fprintf(stderr,
                "==== restab harness: a printed script does not parse back ====\n"
                "%s\nprinted script:\n%.*s",
                b.failed ? "out of memory" : err, (int)b.len,
                b.text != NULL ? b.text : "");
    }
    program_free(&again);
    text_buffer_free(&b);
    return ok ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    program p;
    program_init(&p);
    char err[512];
    int status = 0;
    if (program_parse((const char *)data, size, "input", &p, err, sizeof err) != 0) {
        /* A rejection must say where: "input:LINE: reason". */
        if (strncmp(err, "input:", 6) != 0 || err[6] < '0' || err[6] > '9') {
            fprintf(stderr, "==== restab harness: a rejection does not name "
                            "its line ====\n%s\n", err);
            status = -1;
        }
    } else {
        /* Long scripts are the ops target's business; keep runs short. */
        if (p.len > 4096)
            p.len = 4096;
        run_options opt = fuzz_run_options();
        opt.target = "script";
        status = reprint_matches(&p);
        if (status == 0)
            status = run_script(&p, &opt);
    }
    program_free(&p);
    if (status != 0)
        abort();
    return 0;
}
