/* Logging: one line per message on stderr, with syslog priorities for journald. */
#include "berth/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The only global of the logger; atomic, so any thread may read or set it. */
static _Atomic int log_level = BERTH_LOG_INFO;

static const char *const level_names[] = {
        [BERTH_LOG_ERROR] = "error",
        [BERTH_LOG_WARN] = "warn",
        [BERTH_LOG_INFO] = "info",
        [BERTH_LOG_DEBUG] = "debug",
};

/* syslog priorities: err, warning, info, debug */
static const char level_priority[] = { '3', '4', '6', '7' };

int berth_log_level_parse(const char *name, berth_log_level *ret_level) {
        for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
                if (strcmp(name, level_names[i]) == 0) {
                        *ret_level = (berth_log_level) i;
                        return 0;
                }
        if (strcmp(name, "warning") == 0) {
                *ret_level = BERTH_LOG_WARN;
                return 0;
        }
        return -EINVAL;
}

const char *berth_log_level_name(berth_log_level level) {
        return level_names[level];
}

void berth_log_set_level(berth_log_level level) {
        atomic_store(&log_level, (int) level);
}

bool berth_log_enabled(berth_log_level level) {
        return (int) level <= atomic_load_explicit(&log_level, memory_order_relaxed);
}

void berth_log(berth_log_level level, const char *fmt, ...) {
        /* journald sets JOURNAL_STREAM for the stderr it collects; it reads "<N>" prefixes. */
        static _Atomic int to_journal = -1;
        char line[2048];
        int n, journal;
        va_list ap;

        if (!berth_log_enabled(level))
                return;
        journal = atomic_load(&to_journal);
        if (journal < 0) {
                journal = getenv("JOURNAL_STREAM") != NULL;
                atomic_store(&to_journal, journal);
        }
        if (journal)
                n = snprintf(line, sizeof(line), "<%c>", level_priority[level]);
        else {
                struct timespec ts;
                struct tm tm;
                clock_gettime(CLOCK_REALTIME, &ts);
                gmtime_r(&ts.tv_sec, &tm);
                n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %-5s ",
                             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                             tm.tm_sec, ts.tv_nsec / 1000000, level_names[level]);
        }
        va_start(ap, fmt);
        vsnprintf(line + n, sizeof(line) - (size_t) n - 1, fmt, ap);
        va_end(ap);
        /* One write per line keeps lines from different threads whole. */
        strcat(line, "\n");
        fputs(line, stderr);
}
