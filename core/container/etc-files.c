/* The /etc files Docker generates per container: hostname, hosts (localhost, the
 * container's own name, ExtraHosts) and resolv.conf (the host's without loopback
 * servers, or Dns/DnsSearch/DnsOptions). Written whole, then renamed into place. */
#include "etc-files.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "berth/fileio.h"
#include "container-internal.h"
#include "spec.h"

static int write_etc_file(const berth_container *c, const char *name, const char *text, berth_error *err) {
        _cleanup_free_ char *path = xasprintf("%s/%s", c->bundle, name);
        return berth_write_file_atomic(path, text, 0644, err);
}

static char *hosts_text(json_t *host, const char *hostname) {
        _cleanup_free_ char *base = NULL;
        char *out;
        size_t size, i;
        json_t *x;
        FILE *f;

        if (spec_mode_is(host, "NetworkMode", "host") && berth_read_file("/etc/hosts", 1 << 20, &base, &size, NULL) >= 0) {
                f = open_memstream(&out, &size);
                fputs(base, f);
        } else {
                f = open_memstream(&out, &size);
                fputs("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                      "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\n"
                      "ff02::2\tip6-allrouters\n",
                      f);
                fprintf(f, "127.0.0.1\t%s\n", hostname);
        }
        json_array_foreach (json_object_get(host, "ExtraHosts"), i, x) {
                const char *entry = json_string_value(x), *sep = entry ? strchr(entry, ':') : NULL;
                if (sep)
                        fprintf(f, "%s\t%.*s\n", sep + 1, (int) (sep - entry), entry);
        }
        fclose(f);
        return out;
}

static void host_resolv_filtered(FILE *f, bool keep_loopback) {
        _cleanup_free_ char *text = NULL;
        size_t size;
        char *save = NULL;
        bool any_server = false;

        if (berth_read_file("/etc/resolv.conf", 1 << 20, &text, &size, NULL) < 0)
                text = xstrdup("");
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (strncmp(line, "nameserver", 10) == 0) {
                        const char *addr = line + 10 + strspn(line + 10, " \t");
                        if (!keep_loopback && (strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0))
                                continue;
                        any_server = true;
                }
                fprintf(f, "%s\n", line);
        }
        if (!any_server && !keep_loopback)
                fputs("nameserver 8.8.8.8\nnameserver 8.8.4.4\n", f);
}

static char *resolv_text(json_t *host) {
        json_t *dns = json_object_get(host, "Dns"), *search = json_object_get(host, "DnsSearch");
        json_t *opts = json_object_get(host, "DnsOptions"), *x;
        char *out;
        size_t size, i;
        FILE *f = open_memstream(&out, &size);

        if (json_array_size(dns) || json_array_size(search) || json_array_size(opts)) {
                json_array_foreach (dns, i, x)
                        fprintf(f, "nameserver %s\n", json_string_value(x) ? json_string_value(x) : "");
                if (json_array_size(search)) {
                        fputs("search", f);
                        json_array_foreach (search, i, x)
                                fprintf(f, " %s", json_string_value(x) ? json_string_value(x) : "");
                        fputc('\n', f);
                }
                if (json_array_size(opts)) {
                        fputs("options", f);
                        json_array_foreach (opts, i, x)
                                fprintf(f, " %s", json_string_value(x) ? json_string_value(x) : "");
                        fputc('\n', f);
                }
        } else
                host_resolv_filtered(f, spec_mode_is(host, "NetworkMode", "host"));
        fclose(f);
        return out;
}

int etc_files_write(const berth_container *c, berth_error *err) {
        json_t *cfg = container_json_parse(c->config), *host = container_json_parse(c->host_config);
        _cleanup_free_ char *hostname = spec_hostname(cfg, host, c->id);
        _cleanup_free_ char *hostname_line = xasprintf("%s\n", hostname);
        _cleanup_free_ char *hosts = hosts_text(host, hostname), *resolv = resolv_text(host);
        int r = write_etc_file(c, "hostname", hostname_line, err);
        if (r >= 0)
                r = write_etc_file(c, "hosts", hosts, err);
        if (r >= 0)
                r = write_etc_file(c, "resolv.conf", resolv, err);
        json_decref(cfg);
        json_decref(host);
        return r;
}
