/* The engine: one per daemon, holding the configuration, the store and the programs. */
#pragma once

#include <stdbool.h>

#include "berth/cleanup.h"
#include "berth/config.h"
#include "berth/error.h"
#include "berth/host.h"
#include "berth/runtime.h"

typedef struct berth_engine berth_engine;

/* Takes ownership of *cfg (left empty). Opens the store under cfg->root, creates
 * cfg->runroot, and resolves the runtime: an explicitly chosen runtime that cannot be
 * found is an error, a missing default one is only a warning. */
int berth_engine_open(berth_config *cfg, berth_engine **ret, berth_error *err);
berth_engine *berth_engine_free(berth_engine *engine);
DEFINE_TRIVIAL_CLEANUP_FUNC(berth_engine *, berth_engine_free);

const berth_config *berth_engine_config(const berth_engine *engine);
const char *berth_engine_id(const berth_engine *engine);

/* Computed on first use (so start-up stays fast), then cached; thread-safe. */
const berth_host_facts *berth_engine_host_facts(berth_engine *engine);
/* The runtime and conmon with their versions, or NULL when not installed. */
const berth_program *berth_engine_runtime(berth_engine *engine);
const berth_program *berth_engine_conmon(berth_engine *engine);

/* Hands back what an idle daemon does not need: libarchive (with libxml2 and ICU) when
 * no archive is open, and the heap's free pages. Call when nothing is in flight. */
void berth_engine_release_idle_memory(berth_engine *engine);

/* Whether conmon should wake berthd (through the socket) when a container exits: needed
 * when the daemon may have exited on idle (socket activation); otherwise it is a
 * process per exit for nothing, since the running daemon sees exits itself. */
void berth_engine_set_wake_on_exit(berth_engine *engine, bool wake);
bool berth_engine_wake_on_exit(const berth_engine *engine);
