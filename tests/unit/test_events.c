/* The event bus (ring, cursors, followers, filters) and the event JSON of both APIs. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "berth/events.h"
#include "berth/strv.h"
#include "json/event.h"

#define SEC 1000000000LL

static uint64_t add(berth_events *bus, int64_t t, const char *type, const char *action, const char *id,
                    const char *const *attrs) {
        return berth_events_add(bus, t, type, action, id, attrs);
}

static void test_ring_in_order(void **state) {
        _cleanup_(berth_events_freep) berth_events *bus = berth_events_new(8);
        berth_event *ev;
        uint64_t cursor = 0;
        (void) state;

        assert_int_equal(berth_events_next(bus, &cursor, &ev), 0);
        assert_int_equal(add(bus, 0, "image", "pull", "busybox", NULL), 1);
        assert_int_equal(add(bus, 0, "image", "tag", "sha256:1", (const char *const[]) { "name", "mine:v1", NULL }), 2);
        assert_int_equal(berth_events_next(bus, &cursor, &ev), 1);
        assert_int_equal(ev->seq, 1);
        assert_string_equal(ev->action, "pull");
        assert_true(ev->time_ns > 0);   /* 0 means now */
        berth_event_free(ev);
        assert_int_equal(berth_events_next(bus, &cursor, &ev), 1);
        assert_int_equal(cursor, 2);
        assert_string_equal(ev->id, "sha256:1");
        assert_string_equal(berth_event_attr(ev, "name"), "mine:v1");
        assert_null(berth_event_attr(ev, "image"));
        berth_event_free(ev);
        assert_int_equal(berth_events_next(bus, &cursor, &ev), 0);
        assert_int_equal(cursor, 2);
}

static void test_ring_wraps(void **state) {
        _cleanup_(berth_events_freep) berth_events *bus = berth_events_new(4);
        char id[16];
        berth_event *ev;
        uint64_t cursor = 0;
        (void) state;

        for (int i = 1; i <= 10; i++) {
                snprintf(id, sizeof(id), "c%d", i);
                add(bus, i * SEC, "container", "start", id, NULL);
        }
        /* Only the last four are kept: a reader from the start skips what was dropped. */
        for (int want = 7; want <= 10; want++) {
                assert_int_equal(berth_events_next(bus, &cursor, &ev), 1);
                assert_int_equal(ev->seq, want);
                snprintf(id, sizeof(id), "c%d", want);
                assert_string_equal(ev->id, id);
                berth_event_free(ev);
        }
        assert_int_equal(berth_events_next(bus, &cursor, &ev), 0);
        cursor = 8;
        assert_int_equal(berth_events_next(bus, &cursor, &ev), 1);
        assert_int_equal(ev->seq, 9);
        berth_event_free(ev);
}

static void counted(void *cls) {
        (*(int *) cls)++;
}

static void test_follower(void **state) {
        _cleanup_(berth_events_freep) berth_events *bus = berth_events_new(4);
        int calls = 0;
        uint64_t cursor = 99;
        berth_event *ev;
        (void) state;

        add(bus, 0, "image", "pull", "a", NULL);
        berth_events_sub *sub = berth_events_subscribe(bus, counted, &calls, &cursor);
        assert_int_equal(cursor, 1);   /* only what comes next */
        add(bus, 0, "image", "tag", "b", NULL);
        assert_int_equal(calls, 1);
        assert_int_equal(berth_events_next(bus, &cursor, &ev), 1);
        assert_string_equal(ev->id, "b");
        berth_event_free(ev);
        berth_events_unsubscribe(bus, sub);
        add(bus, 0, "image", "untag", "c", NULL);
        assert_int_equal(calls, 1);
        berth_events_unsubscribe(bus, NULL);
        /* A follower still subscribed when the bus goes is freed with it (ASan checks). */
        berth_events_subscribe(bus, counted, &calls, &cursor);
}

static void *adder(void *cls) {
        for (int i = 0; i < 2000; i++)
                berth_events_add(cls, 0, "container", "start", "x", (const char *const[]) { "name", "n", NULL });
        return NULL;
}

static void test_threads(void **state) {
        _cleanup_(berth_events_freep) berth_events *bus = berth_events_new(BERTH_EVENTS_KEPT);
        pthread_t t[4];
        uint64_t cursor = 0, prev = 0;
        berth_event *ev;
        size_t n = 0;
        (void) state;

        for (size_t i = 0; i < 4; i++)
                pthread_create(&t[i], NULL, adder, bus);
        for (size_t i = 0; i < 4; i++)
                pthread_join(t[i], NULL);
        while (berth_events_next(bus, &cursor, &ev) > 0) {
                assert_int_equal(ev->seq, prev ? prev + 1 : 8000 - BERTH_EVENTS_KEPT + 1);
                prev = ev->seq;
                berth_event_free(ev);
                n++;
        }
        assert_int_equal(n, BERTH_EVENTS_KEPT);
        assert_int_equal(prev, 8000);
}

static berth_event *make(berth_events *bus, int64_t t, const char *type, const char *action, const char *id,
                         const char *const *attrs) {
        berth_event *ev;
        uint64_t cursor = add(bus, t, type, action, id, attrs) - 1;
        assert_int_equal(berth_events_next(bus, &cursor, &ev), 1);
        return ev;
}

static void test_filters(void **state) {
        _cleanup_(berth_events_freep) berth_events *bus = berth_events_new(16);
        _cleanup_(berth_event_freep) berth_event *run = make(
                bus, 100 * SEC, "container", "start", "abcdef0123",
                (const char *const[]) { "name", "web", "image", "localhost:5000/busybox:latest", "tier", "front", NULL });
        _cleanup_(berth_event_freep) berth_event *exec = make(bus, 150 * SEC, "container", "exec_start: sh -c true", "abcdef0123",
                                                              (const char *const[]) { "name", "web", NULL });
        _cleanup_(berth_event_freep) berth_event *tag = make(bus, 200 * SEC, "image", "tag", "sha256:77",
                                                             (const char *const[]) { "name", "mine:v1", NULL });
        berth_event_filter f = { 0 };
        (void) state;

        assert_true(berth_event_match(run, &f));
        f.types = strv_copy((char *const[]) { "image", NULL });
        assert_false(berth_event_match(run, &f));
        assert_true(berth_event_match(tag, &f));
        berth_event_filter_done(&f);

        f.actions = strv_copy((char *const[]) { "start", "tag", NULL });
        assert_true(berth_event_match(run, &f));
        assert_false(berth_event_match(exec, &f));   /* exact unless a fuzzy action is asked */
        strv_push(&f.actions, "exec_start");
        assert_true(berth_event_match(exec, &f));
        berth_event_filter_done(&f);

        f.containers = strv_copy((char *const[]) { "abc", NULL });
        assert_true(berth_event_match(run, &f));
        assert_false(berth_event_match(tag, &f));
        berth_event_filter_done(&f);
        f.containers = strv_copy((char *const[]) { "we", NULL });
        assert_true(berth_event_match(run, &f));
        berth_event_filter_done(&f);

        f.images = strv_copy((char *const[]) { "localhost:5000/busybox", NULL });
        assert_true(berth_event_match(run, &f));   /* a container's image, tag stripped */
        assert_false(berth_event_match(tag, &f));
        berth_event_filter_done(&f);
        f.images = strv_copy((char *const[]) { "mine", NULL });
        assert_true(berth_event_match(tag, &f));
        berth_event_filter_done(&f);
        f.images = strv_copy((char *const[]) { "sha256:77", NULL });
        assert_true(berth_event_match(tag, &f));
        berth_event_filter_done(&f);

        f.labels = strv_copy((char *const[]) { "tier", NULL });
        assert_true(berth_event_match(run, &f));
        assert_false(berth_event_match(tag, &f));
        strv_push(&f.labels, "tier=back");
        assert_false(berth_event_match(run, &f));   /* every label must match */
        berth_event_filter_done(&f);

        f.since_ns = 150 * SEC;
        f.until_ns = 150 * SEC;
        assert_false(berth_event_match(run, &f));
        assert_true(berth_event_match(exec, &f));   /* both bounds inclusive */
        assert_false(berth_event_match(tag, &f));
        f = (berth_event_filter) { .none = true };
        assert_false(berth_event_match(run, &f));
}

static void test_docker_json(void **state) {
        _cleanup_(berth_events_freep) berth_events *bus = berth_events_new(4);
        _cleanup_(berth_event_freep) berth_event *die = make(
                bus, 1700000000 * SEC + 5, "container", "die", "abc",
                (const char *const[]) { "name", "web", "image", "busybox", "exitCode", "3", NULL });
        json_t *j = json_docker_event(die);
        (void) state;

        assert_string_equal(json_string_value(json_object_get(j, "status")), "die");
        assert_string_equal(json_string_value(json_object_get(j, "id")), "abc");
        assert_string_equal(json_string_value(json_object_get(j, "from")), "busybox");
        assert_string_equal(json_string_value(json_object_get(j, "Type")), "container");
        assert_string_equal(json_string_value(json_object_get(j, "Action")), "die");
        assert_string_equal(json_string_value(json_object_get(j, "scope")), "local");
        assert_int_equal(json_integer_value(json_object_get(j, "time")), 1700000000);
        assert_int_equal(json_integer_value(json_object_get(j, "timeNano")), 1700000000 * SEC + 5);
        json_t *actor = json_object_get(j, "Actor");
        assert_string_equal(json_string_value(json_object_get(actor, "ID")), "abc");
        assert_string_equal(json_string_value(json_object_get(json_object_get(actor, "Attributes"), "exitCode")), "3");
        json_decref(j);

        j = json_libpod_event(die);
        assert_string_equal(json_string_value(json_object_get(j, "Action")), "died");
        assert_string_equal(json_string_value(json_object_get(j, "status")), "died");
        json_t *attrs = json_object_get(json_object_get(j, "Actor"), "Attributes");
        assert_string_equal(json_string_value(json_object_get(attrs, "containerExitCode")), "3");
        assert_string_equal(json_string_value(json_object_get(attrs, "podId")), "");
        assert_non_null(json_object_get(j, "HealthStatus"));
        json_decref(j);
}

static void test_libpod_names(void **state) {
        _cleanup_(berth_events_freep) berth_events *bus = berth_events_new(4);
        _cleanup_(berth_event_freep) berth_event *detach = make(bus, 0, "container", "detach", "abc", NULL);
        _cleanup_(berth_event_freep) berth_event *del = make(bus, 0, "image", "delete", "sha256:1", NULL);
        (void) state;

        assert_null(json_libpod_event(detach));   /* Podman's client cannot parse it */
        json_t *j = json_libpod_event(del);
        assert_string_equal(json_string_value(json_object_get(j, "Action")), "remove");
        assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(j, "Actor"), "Attributes"),
                                                              "containerExitCode")),
                            "0");
        json_decref(j);
}

static void test_times(void **state) {
        int64_t now = 1700000000 * SEC, t = 0;
        berth_error err;
        (void) state;

        assert_int_equal(json_event_time("since", "0", now, &t, &err), 0);
        assert_int_equal(t, 0);
        assert_int_equal(json_event_time("since", "1700000000.5", now, &t, &err), 0);
        assert_int_equal(t, 1700000000 * SEC + 500000000);
        assert_int_equal(json_event_time("since", "1700000000.000000001", now, &t, &err), 0);
        assert_int_equal(t, 1700000000 * SEC + 1);
        assert_int_equal(json_event_time("since", "10m", now, &t, &err), 0);
        assert_int_equal(t, now - 600 * SEC);
        assert_int_equal(json_event_time("since", "1h30m", now, &t, &err), 0);
        assert_int_equal(t, now - 5400 * SEC);
        assert_int_equal(json_event_time("until", "2023-11-14T22:13:20Z", now, &t, &err), 0);
        assert_int_equal(t, 1700000000 * SEC);
        assert_int_equal(json_event_time("until", "2023-11-14T23:13:20.25+01:00", now, &t, &err), 0);
        assert_int_equal(t, 1700000000 * SEC + 250000000);
        assert_int_equal(json_event_time("until", "yesterday", now, &t, &err), -EINVAL);
        assert_string_equal(err.message,
                            "invalid value for until: \"yesterday\" (seconds since the epoch, a date, or a duration such as 10m)");
        assert_int_equal(json_event_time("since", "12x", now, &t, &err), -EINVAL);
        assert_int_equal(json_event_time("since", "1.", now, &t, &err), -EINVAL);
}

static void test_filter_parse(void **state) {
        berth_event_filter f = { 0 };
        berth_error err;
        (void) state;

        assert_int_equal(json_event_filter("{\"type\":[\"image\"],\"event\":{\"tag\":true},\"label\":[\"a=b\"]}", false, &f,
                                           &err),
                         0);
        assert_true(strv_contains(f.types, "image"));
        assert_true(strv_contains(f.actions, "tag"));
        assert_true(strv_contains(f.labels, "a=b"));
        assert_false(f.none);
        berth_event_filter_done(&f);

        assert_int_equal(json_event_filter("{\"event\":[\"died\",\"remove\"]}", true, &f, &err), 0);
        assert_true(strv_contains(f.actions, "die"));
        assert_true(strv_contains(f.actions, "destroy"));
        assert_true(strv_contains(f.actions, "delete"));
        assert_false(strv_contains(f.actions, "died"));
        berth_event_filter_done(&f);

        assert_int_equal(json_event_filter("{\"volume\":[\"v\"],\"type\":[\"container\"]}", false, &f, &err), 0);
        assert_true(f.none);
        berth_event_filter_done(&f);
        f = (berth_event_filter) { 0 };

        assert_int_equal(json_event_filter("{\"colour\":[\"red\"]}", false, &f, &err), -EINVAL);
        assert_string_equal(err.message, "filters: unsupported filter \"colour\"");
        berth_event_filter_done(&f);
        assert_int_equal(json_event_filter("[1]", false, &f, &err), -EINVAL);
        assert_string_equal(err.message, "filters: not a JSON object: [1]");
        assert_int_equal(json_event_filter("{\"type\":7}", false, &f, &err), -EINVAL);
        assert_string_equal(err.message, "filters: \"type\" must be a list of strings");
        berth_event_filter_done(&f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ring_in_order), cmocka_unit_test(test_ring_wraps),
                cmocka_unit_test(test_follower),      cmocka_unit_test(test_threads),
                cmocka_unit_test(test_filters),       cmocka_unit_test(test_docker_json),
                cmocka_unit_test(test_libpod_names),  cmocka_unit_test(test_times),
                cmocka_unit_test(test_filter_parse),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
