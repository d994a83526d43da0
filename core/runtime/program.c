/* Locating the OCI runtime and helper programs and asking their versions. */
#include "berth/runtime.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/path.h"
#include "berth/process.h"

static berth_program *program_new(const char *path) {
        berth_program *p = xnew0(berth_program, 1);
        _cleanup_free_ char *copy = xstrdup(path);
        p->path = xstrdup(path);
        p->name = xstrdup(basename(copy));
        return p;
}

int berth_program_resolve(const char *name, berth_program **ret, berth_error *err) {
        _cleanup_free_ char *path = NULL;
        int r = berth_find_program(name, &path, err);
        if (r < 0)
                return r;
        *ret = program_new(path);
        return 0;
}

int berth_runtime_resolve(const char *wanted, berth_program **ret, berth_error *err) {
        int r;

        if (wanted) {
                r = berth_program_resolve(wanted, ret, err);
                return r < 0 ? berth_err_prefix(err, "OCI runtime %s", wanted) : r;
        }
        if (berth_program_resolve("runc", ret, NULL) >= 0 || berth_program_resolve("crun", ret, NULL) >= 0)
                return 0;
        return berth_err(err, -ENOENT, "no OCI runtime found: install runc (or crun), or pass --runtime PATH");
}

int berth_program_load_version(berth_program *prog, berth_error *err) {
        char *argv[] = { prog->path, (char *) "--version", NULL };
        char *out;
        int r;

        if (prog->version)
                return 0;
        r = berth_run_capture(argv, 16384, &out, err);
        if (r < 0)
                return r;
        prog->version = out;
        return 0;
}

const char *berth_program_short_version(const berth_program *prog, char *buf, size_t size) {
        const char *text = prog->version ? prog->version : "";
        size_t line = strcspn(text, "\n");
        size_t start = line;

        while (start > 0 && text[start - 1] != ' ')
                start--;
        /* conmon says "conmon version 2.1.6, commit: ..." on one line in some builds. */
        const char *word = strstr(text, "version ");
        if (word && (size_t) (word - text) < line) {
                word += strlen("version ");
                snprintf(buf, size, "%.*s", (int) strcspn(word, ",\n "), word);
                return buf;
        }
        snprintf(buf, size, "%.*s", (int) (line - start), text + start);
        return buf;
}

berth_program *berth_program_free(berth_program *p) {
        if (!p)
                return NULL;
        free(p->name);
        free(p->path);
        free(p->version);
        free(p);
        return NULL;
}
