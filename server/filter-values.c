/* Docker's two spellings of filter values. */
#include "filter-values.h"

#include <errno.h>

#include "berth/strv.h"

int filter_values(json_t *v, const char *key, char ***ret, berth_error *err) {
        size_t i;
        json_t *item;
        if (json_is_object(v)) {
                const char *k;
                json_object_foreach (v, k, item)
                        strv_push(ret, k);
                return 0;
        }
        if (!json_is_array(v))
                return berth_err(err, -EINVAL, "filters: \"%s\" must be a list of strings", key);
        json_array_foreach (v, i, item) {
                if (!json_is_string(item))
                        return berth_err(err, -EINVAL, "filters: \"%s\" must be a list of strings", key);
                strv_push(ret, json_string_value(item));
        }
        return 0;
}
