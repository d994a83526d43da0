/* Sizes and durations in words, as podman prints them with Docker's go-units. */
#pragma once

#include <stddef.h>

/* go-units' HumanSizeWithPrecision(size, 3): SI units, 3 significant digits ("4.86MB",
 * "0B"), with `sep` between the number and the unit ("4.86 MB" for `podman images`). */
void units_human_size(double size, const char *sep, char *buf, size_t n);

/* go-units' HumanDuration for a whole number of seconds: "Less than a second",
 * "About a minute", "3 hours", "2 weeks", "13 months", "2 years"... */
void units_human_duration(long long seconds, char *buf, size_t n);

/* podman's CREATED column: units_human_duration(now - then) + " ago". */
void units_ago(long long then, long long now, char *buf, size_t n);
