/* The registry reads' pure parts: the Link header of a paged tag list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "registry.h"

static void expect_next(const char *link, const char *want) {
        char *got = registry_link_next(link, "https://reg.example:5000");

        if (!want)
                assert_null(got);
        else
                assert_string_equal(got, want);
        free(got);
}

static void test_link_next(void **state) {
        (void) state;
        /* distribution's form, and an absolute URL on the same registry. */
        expect_next("</v2/app/tags/list?last=v2&n=2>; rel=\"next\"", "/v2/app/tags/list?last=v2&n=2");
        expect_next("<https://reg.example:5000/v2/app/tags/list?last=b>; rel=\"next\"", "/v2/app/tags/list?last=b");
        expect_next("</v2/app/tags/list?last=b>; rel=next", "/v2/app/tags/list?last=b");
        /* Several link-values: the one whose rel is next. */
        expect_next("</v2/app/tags/list>; rel=\"first\", </v2/app/tags/list?last=c>; rel=\"next\"",
                    "/v2/app/tags/list?last=c");
        expect_next("</v2/app/tags/list?last=c>; rel=\"next\", </v2/app/tags/list>; rel=\"first\"",
                    "/v2/app/tags/list?last=c");
        expect_next("</v2/a>; rel=\"first\", </v2/b>; rel=\"prev\"", NULL);
        /* No next page. */
        expect_next(NULL, NULL);
        expect_next("", NULL);
        expect_next("</v2/app/tags/list?last=b>; rel=\"prev\"", NULL);
        expect_next("</v2/app/tags/list", NULL);
        /* Elsewhere: another host, or one whose name only starts like this one's. */
        expect_next("<https://other.example/v2/app/tags/list?last=b>; rel=\"next\"", NULL);
        expect_next("<https://reg.example:50001/v2/x>; rel=\"next\"", NULL);
        expect_next("<v2/relative>; rel=\"next\"", NULL);
}

int main(void) {
        const struct CMUnitTest tests[] = { cmocka_unit_test(test_link_next) };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
