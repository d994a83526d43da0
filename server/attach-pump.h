/* The conversation of a hijacked attach or exec: conmon's attach socket (1 stream byte
 * + data per packet) <-> the client's raw socket (Docker's 8-byte frames without a TTY,
 * raw bytes with one), stdin from the client, detach keys. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define DETACH_KEYS_MAX 16

struct pump_options {
        bool tty;
        bool out, err, in;
        unsigned char detach_keys[DETACH_KEYS_MAX];
        size_t n_detach_keys;      /* 0: none (applied only with a TTY) */
};

/* Docker's detachKeys syntax: "ctrl-p,ctrl-q", "a,ctrl-b". -EINVAL for anything else. */
int pump_parse_detach_keys(const char *spec, struct pump_options *o);

/* Writes one piece of output to the client as attach does: raw with a TTY, else in
 * Docker's 8-byte frame. Waits for room on the non-blocking socket. */
int pump_write_output(int client_fd, bool tty, bool is_stderr, const void *data, size_t size);

/* Runs until conmon closes (the process ended), the client leaves, or it detaches;
 * returns true on a detach. `early`: bytes the client sent before the upgrade. */
bool attach_pump(int client_fd, int conmon_fd, const char *early, size_t early_size, const struct pump_options *o);
