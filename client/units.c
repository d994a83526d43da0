/* go-units' size and duration wording, which `podman images` and `podman history` use:
 * the thresholds and the rounding are theirs, so columns read the same as podman's. */
#include "units.h"

#include <stdio.h>

void units_human_size(double size, const char *sep, char *buf, size_t n) {
        static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB" };
        size_t i = 0;

        while (size >= 1000.0 && i < sizeof(units) / sizeof(units[0]) - 1) {
                size /= 1000.0;
                i++;
        }
        /* C's %.3g and Go's agree, exponent form included ("1e+03kB"). */
        snprintf(buf, n, "%.*g%s%s", 3, size, sep, units[i]);
}

void units_human_duration(long long seconds, char *buf, size_t n) {
        long long minutes = seconds / 60;
        /* go-units rounds hours to the nearest, but counts years from truncated hours. */
        long long hours = (seconds + 1800) / 3600;

        if (seconds < 1)
                snprintf(buf, n, "Less than a second");
        else if (seconds == 1)
                snprintf(buf, n, "1 second");
        else if (seconds < 60)
                snprintf(buf, n, "%lld seconds", seconds);
        else if (minutes == 1)
                snprintf(buf, n, "About a minute");
        else if (minutes < 60)
                snprintf(buf, n, "%lld minutes", minutes);
        else if (hours == 1)
                snprintf(buf, n, "About an hour");
        else if (hours < 48)
                snprintf(buf, n, "%lld hours", hours);
        else if (hours < 24 * 7 * 2)
                snprintf(buf, n, "%lld days", hours / 24);
        else if (hours < 24 * 30 * 2)
                snprintf(buf, n, "%lld weeks", hours / 24 / 7);
        else if (hours < 24 * 365 * 2)
                snprintf(buf, n, "%lld months", hours / 24 / 30);
        else
                snprintf(buf, n, "%lld years", seconds / 3600 / 24 / 365);
}

void units_ago(long long then, long long now, char *buf, size_t n) {
        char duration[64];

        units_human_duration(now - then, duration, sizeof(duration));
        snprintf(buf, n, "%s ago", duration);
}
