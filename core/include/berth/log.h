/* Daemon logging to stderr; journald gets priorities when stderr is its stream. */
#pragma once

#include <stdbool.h>

typedef enum berth_log_level {
        BERTH_LOG_ERROR,
        BERTH_LOG_WARN,
        BERTH_LOG_INFO,
        BERTH_LOG_DEBUG,
} berth_log_level;

/* Accepts error, warn, warning, info, debug. Returns -EINVAL for anything else. */
int berth_log_level_parse(const char *name, berth_log_level *ret_level);
const char *berth_log_level_name(berth_log_level level);

void berth_log_set_level(berth_log_level level);
bool berth_log_enabled(berth_log_level level);

void berth_log(berth_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) berth_log(BERTH_LOG_ERROR, __VA_ARGS__)
#define log_warn(...) berth_log(BERTH_LOG_WARN, __VA_ARGS__)
#define log_info(...) berth_log(BERTH_LOG_INFO, __VA_ARGS__)
#define log_debug(...)                                          \
        do {                                                    \
                if (berth_log_enabled(BERTH_LOG_DEBUG))         \
                        berth_log(BERTH_LOG_DEBUG, __VA_ARGS__); \
        } while (0)
