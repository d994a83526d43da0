/* /etc/hostname, /etc/hosts and /etc/resolv.conf of a container, written into its bundle. */
#pragma once

#include "berth/container.h"

int etc_files_write(const berth_container *c, berth_error *err);
