/*
 * Running one input differentially (run.h).
 */
#include "run.h"

#include "decode.h"
#include "signature.h"

#include <stdlib.h>

run_options run_defaults(const rt_impl *sut, const rt_impl *model)
{
    run_options opt = {sut, model, NULL, NULL, stderr, NULL,
                       NULL, NULL, NULL,  0,    NULL};
    return opt;
}

/* The run's last check, before diff_end frees the states. */
static int finish(diff *d, const run_options *opt, int status)
{
    if (status != 0 || !opt->final_check || opt->sut->final_check == NULL ||
        d->sut_self == NULL)
        return status;
    char msg[256];
    msg[0] = '\0';
    if (opt->sut->final_check(d->sut_self, msg, sizeof msg) == 0)
        return 0;
    if (opt->report != NULL) {
        char slug[96];
        signature_slug(msg, 8, slug, sizeof slug);
        fprintf(opt->report, "==== restab harness: %s's final check: %s ====\n%s%s%s"
                SIGNATURE_PREFIX "%s end final-check:%s\n",
                opt->sut->name, msg,
                opt->input != NULL ? "input: " : "",
                opt->input != NULL ? opt->input : "",
                opt->input != NULL ? "\n" : "",
                d->target != NULL ? d->target : "ops",
                slug[0] != '\0' ? slug : "failed");
    }
    return -1;
}

static void start(diff *d, const run_options *opt)
{
    d->input = opt->input;
    d->replay_tool = opt->replay_tool;
    d->report = opt->report;
    d->trace = opt->trace;
    d->alloc_failures = opt->alloc_failures;
    /* The allocation-failure target is the one that counts failures. */
    d->target = opt->target != NULL       ? opt->target
                : opt->alloc_failures != NULL ? "oom"
                                              : "ops";
    /* Set by the replay tool's --signature for its child (signature.h). */
    d->announce = getenv("RESTAB_ANNOUNCE_STEPS") != NULL ? stderr : NULL;
}

int run_bytes(const uint8_t *data, size_t size, const run_options *opt)
{
    program p;
    program_init(&p);
    decoder dec;
    int status = decoder_begin(&dec, data, size, &p);
    /* An input of a profile the implementation lacks runs in the default
       one (restab_impl.h, profiles). */
    unsigned profiles = opt->sut->profiles != 0
                            ? opt->sut->profiles
                            : 1u << RT_SEMANTICS_WASMTIME35;
    if ((profiles & (1u << p.semantics)) == 0)
        p.semantics = RT_SEMANTICS_WASMTIME35;
    if (status == 0) {
        diff d;
        start(&d, opt);
        status = diff_begin(&d, opt->sut, opt->model, &p, &p, opt->alloc,
                            opt->alloc_user);
        if (status == 0) {
            op o;
            op_result model_result;
            while (status == 0 &&
                   decoder_next(&dec, d.model, d.model_self, &o)) {
                status = diff_step(&d, &o, &model_result);
                if (status == 0)
                    decoder_observe(&dec, &o, &model_result);
            }
        }
        status = finish(&d, opt, status);
        if (diff_end(&d) != 0)
            status = -1;
        status = status > 0 ? 0 : status;
    }
    decoder_end(&dec);
    program_free(&p);
    return status;
}

/* The script is its own record: reports quote its first steps. */
int run_script(const program *script, const run_options *opt)
{
    diff d;
    start(&d, opt);
    int status = diff_begin(&d, opt->sut, opt->model, script, NULL,
                            opt->alloc, opt->alloc_user);
    for (size_t i = 0; status == 0 && i < script->len; i++) {
        op_result model_result;
        status = diff_step(&d, &script->ops[i], &model_result);
    }
    status = finish(&d, opt, status);
    if (diff_end(&d) != 0)
        status = -1;
    return status > 0 ? 0 : status;
}
