/* berth images: podman's table of the stored images, from libpod's GET /images/json. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "http.h"
#include "image-name.h"
#include "output.h"
#include "units.h"
#include "verb.h"
#include "verbs/image.h"

static const char images_usage[] =
        "Usage: berth images [options] [IMAGE]\n"
        "\n"
        "List the images in berthd's storage, newest first, one row per name; with IMAGE,\n"
        "only those whose name matches it (as --filter reference=IMAGE).\n"
        "\n"
        "Options:\n"
        "  -a, --all                show all images (berth keeps no intermediate images)\n"
        "      --digests            show the manifest digests\n"
        "  -f, --filter KEY=VALUE   only images that match: dangling=true|false, reference=GLOB,\n"
        "                           label=KEY[=VALUE], before=IMAGE, since=IMAGE\n"
        "      --format FORMAT      json: print the list as JSON\n"
        "  -n, --noheading          do not print the column headings\n"
        "      --no-trunc           print full image IDs\n"
        "  -q, --quiet              print only the image IDs, once each\n"
        "  -h, --help               print this help\n";

struct list_flags {
        bool all, digests, no_heading, no_trunc, quiet;
        const char *format;
        json_t *filters;        /* libpod's {"KEY":["VALUE",...]} */
};

/* One line of the table: an image under one of its names. */
struct row {
        const json_t *image;
        char *repo, *tag;
        size_t order;           /* keeps sorting stable */
};

struct rows {
        struct row *v;
        size_t n;
};

static long long created_of(const json_t *image) {
        return (long long) json_integer_value(json_object_get(image, "Created"));
}

/* Newest first, as podman's default --sort created. */
static int row_compare(const void *a, const void *b) {
        const struct row *x = a, *y = b;
        long long cx = created_of(x->image), cy = created_of(y->image);

        if (cx != cy)
                return cx > cy ? -1 : 1;
        return x->order < y->order ? -1 : 1;
}

static void add_row(struct rows *rows, const json_t *image, const char *name) {
        struct row *r;
        char *repo = NULL, *tag = NULL;

        rows->v = xrealloc(rows->v, (rows->n + 1) * sizeof(*rows->v));
        r = &rows->v[rows->n];
        *r = (struct row) { .image = image, .order = rows->n };
        rows->n++;
        if (!name || image_name_split(name, &repo, &tag) < 0) {
                r->repo = xstrdup(name ?: "<none>");
                r->tag = xstrdup("<none>");
                return;
        }
        /* A digest reference has no tag: its repository is what precedes the '@'. */
        if (!tag) {
                repo[strcspn(repo, "@")] = '\0';
                tag = xstrdup("<none>");
        }
        r->repo = repo;
        r->tag = tag;
}

/* podman shows every name, or a single <none> row for an image without one. */
static void add_image_rows(struct rows *rows, const json_t *image) {
        size_t i, before = rows->n;
        const json_t *name;

        json_array_foreach(json_object_get(image, "RepoTags"), i, name) {
                const char *s = json_string_value(name);
                if (s && strcmp(s, "<none>:<none>") != 0)
                        add_row(rows, image, s);
        }
        if (rows->n == before)
                add_row(rows, image, NULL);
}

static void rows_free(struct rows *rows) {
        for (size_t i = 0; i < rows->n; i++) {
                free(rows->v[i].repo);
                free(rows->v[i].tag);
        }
        free(rows->v);
}

static void print_ids(const struct rows *rows, bool no_trunc) {
        _cleanup_(json_decrefp) json_t *seen = json_object();

        for (size_t i = 0; i < rows->n; i++) {
                char id[80];
                image_id_column(json_string_value(json_object_get(rows->v[i].image, "Id")) ?: "", no_trunc, id,
                                sizeof(id));
                if (json_object_get(seen, id))
                        continue;
                json_object_set_new(seen, id, json_true());
                printf("%s\n", id);
        }
}

/* podman's columns; DIGEST (the third) only with --digests. */
#define IMAGE_COLUMNS 6

static void add_image_row(struct output_table *t, const char *const cells[IMAGE_COLUMNS], bool digests) {
        const char *row[IMAGE_COLUMNS];
        size_t n = 0;

        for (size_t i = 0; i < IMAGE_COLUMNS; i++)
                if (i != 2 || digests)
                        row[n++] = cells[i];
        output_table_add(t, row);
}

static void print_image_table(const struct rows *rows, const struct list_flags *f) {
        static const char *const headings[IMAGE_COLUMNS] = { "REPOSITORY", "TAG",     "DIGEST",
                                                              "IMAGE ID",   "CREATED", "SIZE" };
        struct output_table t;
        time_t now = time(NULL);

        output_table_init(&t, f->digests ? IMAGE_COLUMNS : IMAGE_COLUMNS - 1);
        if (!f->no_heading)
                add_image_row(&t, headings, f->digests);
        for (size_t i = 0; i < rows->n; i++) {
                const json_t *image = rows->v[i].image;
                char id[80], created[64], size[32];

                image_id_column(json_string_value(json_object_get(image, "Id")) ?: "", f->no_trunc, id, sizeof(id));
                units_ago(created_of(image), now, created, sizeof(created));
                units_human_size((double) json_integer_value(json_object_get(image, "Size")), " ", size, sizeof(size));
                add_image_row(&t,
                              (const char *[]) { rows->v[i].repo, rows->v[i].tag,
                                                 json_string_value(json_object_get(image, "Digest")) ?: "", id, created,
                                                 size },
                              f->digests);
        }
        output_table_print(stdout, &t);
        output_table_done(&t);
}

int image_filters_add(json_t *filters, const char *arg, berth_error *err) {
        _cleanup_free_ char *copy = xstrdup(arg);
        char *save = NULL;

        for (char *f = strtok_r(copy, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
                char *eq = strchr(f, '=');
                json_t *values, *value;

                if (!eq || eq == f)
                        return berth_err(err, -EINVAL, "invalid filter \"%s\": expected KEY=VALUE", f);
                *eq = '\0';
                value = json_string(eq + 1);
                if (!value)
                        return berth_err(err, -EINVAL, "invalid filter \"%s\": not UTF-8", f);
                values = json_object_get(filters, f);
                if (!values)
                        json_object_set_new(filters, f, values = json_array());
                json_array_append_new(values, value);
        }
        return 0;
}

/* The IMAGE argument is podman's shorthand for a reference filter. */
static int image_argument(struct client *c, int argc, char **argv, struct list_flags *f) {
        _cleanup_free_ char *filter = NULL;
        int r = verb_args(argc, 0, 1, &c->error);

        if (r < 0 || optind == argc)
                return r;
        if (json_object_size(f->filters) > 0)
                return berth_err(&c->error, -EINVAL, "cannot specify an image and a filter(s)");
        filter = xasprintf("reference=%s", argv[optind]);
        return image_filters_add(f->filters, filter, &c->error);
}

static int parse_list_flags(struct client *c, int argc, char **argv, struct list_flags *f) {
        static const struct option options[] = {
                { "all", no_argument, NULL, 'a' },
                { "digests", no_argument, NULL, 'd' },
                { "filter", required_argument, NULL, 'f' },
                { "format", required_argument, NULL, 'F' },
                { "noheading", no_argument, NULL, 'n' },
                { "no-trunc", no_argument, NULL, 't' },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int opt;

        while ((opt = verb_getopt(argc, argv, "af:nqh", options, &c->error)) > 0) {
                switch (opt) {
                case 'a': f->all = true; break;
                case 'd': f->digests = true; break;
                case 'f':
                        if (image_filters_add(f->filters, optarg, &c->error) < 0)
                                return c->error.code;
                        break;
                case 'F': f->format = optarg; break;
                case 'n': f->no_heading = true; break;
                case 't': f->no_trunc = true; break;
                case 'q': f->quiet = true; break;
                case 'h': return 1;
                }
        }
        if (opt < 0)
                return opt;
        return image_argument(c, argc, argv, f);
}

static char *list_path(const struct list_flags *f) {
        _cleanup_free_ char *text = NULL, *escaped = NULL;

        if (json_object_size(f->filters) == 0)
                return xstrdup(f->all ? "/images/json?all=true" : "/images/json");
        text = json_dumps(f->filters, JSON_COMPACT);
        escaped = http_escape(text ?: "{}", NULL);
        return xasprintf("/images/json?filters=%s%s", escaped, f->all ? "&all=true" : "");
}

int cmd_images(struct client *c, int argc, char **argv) {
        _cleanup_(json_decrefp) json_t *list = NULL, *filters = json_object();
        _cleanup_free_ char *path = NULL;
        struct list_flags f = { .filters = filters };
        struct rows rows = { 0 };
        size_t i;
        json_t *image;
        int json, r;

        r = parse_list_flags(c, argc, argv, &f);
        if (r != 0)
                return r > 0 ? verb_usage(images_usage) : r;
        json = verb_format_json(f.format, &c->error);
        if (json < 0)
                return json;
        path = list_path(&f);
        r = client_get_json(c, path, &list, &c->error);
        if (r < 0)
                return r;
        if (!json_is_array(list))
                return berth_err(&c->error, -EBADMSG, "berthd sent no image list for GET /images/json");
        if (json)
                return output_json(stdout, list) < 0 ? berth_err(&c->error, -EIO, "cannot write the image list") : 0;
        json_array_foreach(list, i, image)
                add_image_rows(&rows, image);
        if (rows.n > 1)
                qsort(rows.v, rows.n, sizeof(*rows.v), row_compare);
        if (f.quiet)
                print_ids(&rows, f.no_trunc);
        else
                print_image_table(&rows, &f);
        rows_free(&rows);
        return 0;
}
