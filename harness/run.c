/*
 * Running one input differentially (run.h).
 */
#include "run.h"

#include "decode.h"

#include <string.h>

run_options run_defaults(const rt_impl *sut, const rt_impl *model)
{
    run_options opt;
    memset(&opt, 0, sizeof opt);
    opt.sut = sut;
    opt.model = model;
    opt.report = stderr;
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
    if (opt->report != NULL)
        fprintf(opt->report, "==== restab harness: %s's final check: %s ====\n%s%s\n",
                opt->sut->name, msg,
                opt->input != NULL ? "input: " : "",
                opt->input != NULL ? opt->input : "");
    return -1;
}

static void start(diff *d, const run_options *opt)
{
    d->input = opt->input;
    d->replay_tool = opt->replay_tool;
    d->report = opt->report;
    d->trace = opt->trace;
    d->alloc_failures = opt->alloc_failures;
}

/* The profile an input of profile `want` runs in on sut: its own, or the
   default one when sut lacks it (restab_impl.h, profiles). */
static rt_semantics profile_on(const rt_impl *sut, rt_semantics want)
{
    unsigned profiles =
        sut->profiles != 0 ? sut->profiles : 1u << RT_SEMANTICS_WASMTIME35;
    return (profiles & (1u << want)) != 0 ? want : RT_SEMANTICS_WASMTIME35;
}

int run_bytes(const uint8_t *data, size_t size, const run_options *opt)
{
    program p;
    program_init(&p);
    decoder dec;
    int status = decoder_begin(&dec, data, size, &p);
    p.has_fail_at = opt->has_fail_at;
    p.fail_at = opt->fail_at;
    p.semantics = profile_on(opt->sut, p.semantics);
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
                status = diff_queue(&d, &o, &model_result);
                if (status == 0)
                    decoder_observe(&dec, &o, &model_result);
            }
            if (status == 0)
                status = diff_flush(&d);
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

/* The script is its own record: reports quote its first steps. A script of
   a profile the implementation lacks runs in the default one, as byte
   inputs do (a shallow copy: the operations are shared, nothing is freed). */
int run_script(const program *script, const run_options *opt)
{
    program in_profile = *script;
    in_profile.semantics = profile_on(opt->sut, script->semantics);
    script = &in_profile;
    diff d;
    start(&d, opt);
    int status = diff_begin(&d, opt->sut, opt->model, script, NULL,
                            opt->alloc, opt->alloc_user);
    for (size_t i = 0; status == 0 && i < script->len; i++) {
        op_result model_result;
        status = diff_queue(&d, &script->ops[i], &model_result);
    }
    if (status == 0)
        status = diff_flush(&d);
    status = finish(&d, opt, status);
    if (diff_end(&d) != 0)
        status = -1;
    return status > 0 ? 0 : status;
}
