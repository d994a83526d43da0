/* JSON rendered as the YAML `podman info` prints: Go's yaml.v2 key order, quoting and
 * block layout, so scripts and eyes used to podman read berth the same way. */
#include "output.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"

enum style {
        STYLE_PLAIN,
        STYLE_SINGLE,   /* 'it''s' */
        STYLE_DOUBLE,   /* "with \t escapes", and strings that would read as another type */
        STYLE_LITERAL,  /* |- block */
};

/* unicode.IsLetter, approximated: any non-ASCII byte counts as a letter. */
static bool is_letter(unsigned char c) {
        return isalpha(c) || c >= 0x80;
}

/* yaml.v2's keyList.Less: letters by code point, other characters first, digit runs
 * compared as numbers ("a2" < "a10"). */
static int key_compare(const char *a, const char *b) {
        size_t i;

        for (i = 0; a[i] && b[i]; i++) {
                unsigned char ca = (unsigned char) a[i], cb = (unsigned char) b[i];
                if (ca == cb)
                        continue;
                bool al = is_letter(ca), bl = is_letter(cb);
                if (al && bl)
                        return ca < cb ? -1 : 1;
                if (al || bl)
                        return bl ? -1 : 1;
                long long an = 0, bn = 0;
                size_t ai, bi;
                if (ca == '0' || cb == '0')
                        for (size_t j = i; j-- > 0 && isdigit((unsigned char) a[j]);)
                                if (a[j] != '0') {
                                        an = bn = 1;
                                        break;
                                }
                for (ai = i; isdigit((unsigned char) a[ai]); ai++)
                        an = an * 10 + (a[ai] - '0');
                for (bi = i; isdigit((unsigned char) b[bi]); bi++)
                        bn = bn * 10 + (b[bi] - '0');
                if (an != bn)
                        return an < bn ? -1 : 1;
                if (ai != bi)
                        return ai < bi ? -1 : 1;
                return ca < cb ? -1 : 1;
        }
        return a[i] ? 1 : (b[i] ? -1 : 0);
}

struct entry {
        const char *key;
        const json_t *value;
};

static int entry_compare(const void *a, const void *b) {
        return key_compare(((const struct entry *) a)->key, ((const struct entry *) b)->key);
}

static bool is_in(const char *s, const char *const *words) {
        for (; *words; words++)
                if (strcmp(s, *words) == 0)
                        return true;
        return false;
}

static bool all_of(const char *s, const char *set) {
        return *s && strspn(s, set) == strlen(s);
}

/* Integers as Go's ParseInt(s, 0, 64) reads them, and yaml.v2's float pattern. */
static bool is_number(const char *s) {
        if (*s == '+' || *s == '-')
                s++;
        if (s[0] == '0' && strchr("xX", s[1]))
                return all_of(s + 2, "0123456789abcdefABCDEF_");
        if (s[0] == '0' && strchr("oObB", s[1]))
                return all_of(s + 2, "01234567_");
        if (all_of(s, "0123456789_") && isdigit((unsigned char) s[0]))
                return true;
        size_t mantissa = strspn(s, "0123456789");
        const char *p = s + mantissa;
        if (*p == '.')
                p += 1 + strspn(p + 1, "0123456789");
        if (p == s || (p == s + 1 && *s == '.'))
                return false;
        if (*p == 'e' || *p == 'E') {
                p++;
                if (*p == '+' || *p == '-')
                        p++;
                if (!isdigit((unsigned char) *p))
                        return false;
                p += strspn(p, "0123456789");
        }
        return *p == '\0';
}

/* yaml.v2 quotes "1:20" (a YAML 1.1 base-60 float). */
static bool is_base60(const char *s) {
        if (*s == '+' || *s == '-')
                s++;
        if (!isdigit((unsigned char) *s))
                return false;
        s += strspn(s, "0123456789_");
        if (*s != ':')
                return false;
        while (*s == ':') {
                s++;
                if (isdigit((unsigned char) s[0]) && isdigit((unsigned char) s[1]) && s[0] <= '5')
                        s += 2;
                else if (isdigit((unsigned char) s[0]))
                        s += 1;
                else
                        return false;
        }
        if (*s == '.')
                s += 1 + strspn(s + 1, "0123456789_");
        return *s == '\0';
}

/* "2026-12-07", "2026-12-07T20:15:49Z": yaml.v2 would read these as timestamps. */
static bool is_timestamp(const char *s) {
        int y, mo, d, n = 0;

        if (strspn(s, "0123456789") != 4 || sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n < 8)
                return false;
        return s[n] == '\0' || (strchr("Tt ", s[n]) && isdigit((unsigned char) s[n + 1]));
}

static bool reads_as_other_type(const char *s) {
        static const char *const words[] = {
                "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
                "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
                ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
                ".nan", ".NaN", ".NAN", "<<", NULL,
        };
        return !*s || is_in(s, words) || is_number(s) || is_base60(s) || is_timestamp(s);
}

/* Control characters and tabs are not printable in libyaml's sense: double quotes only. */
static bool has_special(const char *s, bool allow_newline) {
        for (; *s; s++) {
                unsigned char c = (unsigned char) *s;
                if ((c < 0x20 && !(allow_newline && c == '\n')) || c == 0x7f)
                        return true;
        }
        return false;
}

/* libyaml's analysis of what a plain scalar in block context may not contain. */
static bool plain_allowed(const char *s) {
        size_t len = strlen(s);

        if (s[0] == ' ' || s[len - 1] == ' ' || strncmp(s, "---", 3) == 0 || strncmp(s, "...", 3) == 0)
                return false;
        if (strchr("#,[]{}&*!|>'\"%@`", s[0]))
                return false;
        if (strchr("-?:", s[0]) && (s[1] == '\0' || s[1] == ' '))
                return false;
        for (size_t i = 1; i < len; i++) {
                if (s[i] == ':' && (s[i + 1] == '\0' || s[i + 1] == ' '))
                        return false;
                if (s[i] == '#' && s[i - 1] == ' ')
                        return false;
        }
        return true;
}

/* A literal block cannot show trailing spaces on a line or a leading space. */
static bool literal_allowed(const char *s) {
        if (s[0] == ' ' || has_special(s, true))
                return false;
        for (const char *p = s; *p; p++)
                if (*p == ' ' && (p[1] == '\n' || p[1] == '\0'))
                        return false;
        return true;
}

static enum style string_style(const char *s) {
        if (strchr(s, '\n'))
                return literal_allowed(s) ? STYLE_LITERAL : STYLE_DOUBLE;
        if (has_special(s, false) || reads_as_other_type(s))
                return STYLE_DOUBLE;
        return plain_allowed(s) ? STYLE_PLAIN : STYLE_SINGLE;
}

static void put_double_quoted(FILE *f, const char *s) {
        fputc('"', f);
        for (; *s; s++) {
                unsigned char c = (unsigned char) *s;
                switch (c) {
                case '"': fputs("\\\"", f); break;
                case '\\': fputs("\\\\", f); break;
                case '\n': fputs("\\n", f); break;
                case '\t': fputs("\\t", f); break;
                case '\r': fputs("\\r", f); break;
                default:
                        if (c < 0x20 || c == 0x7f)
                                fprintf(f, "\\x%02X", c);
                        else
                                fputc(c, f);
                }
        }
        fputc('"', f);
}

static void put_single_quoted(FILE *f, const char *s) {
        fputc('\'', f);
        for (; *s; s++) {
                if (*s == '\'')
                        fputc('\'', f);
                fputc(*s, f);
        }
        fputc('\'', f);
}

/* The header's chomping indicator keeps the string's trailing newlines exact. */
static void put_literal(FILE *f, const char *s, int indent) {
        size_t len = strlen(s), trailing = 0;

        while (trailing < len && s[len - 1 - trailing] == '\n')
                trailing++;
        fputs(trailing == 0 ? "|-\n" : trailing == 1 ? "|\n" : "|+\n", f);
        if (trailing > 0)
                len--;  /* the last newline is the block's own */
        for (size_t start = 0; start < len;) {
                const char *nl = memchr(s + start, '\n', len - start);
                size_t end = nl ? (size_t) (nl - s) : len;
                if (end > start)
                        fprintf(f, "%*s%.*s", indent, "", (int) (end - start), s + start);
                fputc('\n', f);
                start = end + 1;
                if (nl && start == len)
                        fputc('\n', f);
        }
}

static void put_string(FILE *f, const char *s, int indent) {
        switch (string_style(s)) {
        case STYLE_PLAIN: fputs(s, f); break;
        case STYLE_SINGLE: put_single_quoted(f, s); break;
        case STYLE_DOUBLE: put_double_quoted(f, s); break;
        case STYLE_LITERAL: put_literal(f, s, indent); return;
        }
        fputc('\n', f);
}

/* Go's strconv.FormatFloat(f, 'g', -1, 64): the shortest text that reads back the same. */
static void put_real(FILE *f, double d) {
        char buf[64];

        for (int precision = 1; precision <= 17; precision++) {
                snprintf(buf, sizeof(buf), "%.*g", precision, d);
                if (strtod(buf, NULL) == d)
                        break;
        }
        fprintf(f, "%s\n", buf);
}

/* Everything that fits after "key: " or "- "; `indent` is where a block's lines go. */
static void put_scalar(FILE *f, const json_t *v, int indent) {
        switch (json_typeof(v)) {
        case JSON_OBJECT: fputs("{}\n", f); break;
        case JSON_ARRAY: fputs("[]\n", f); break;
        case JSON_STRING: put_string(f, json_string_value(v), indent); break;
        case JSON_INTEGER: fprintf(f, "%" JSON_INTEGER_FORMAT "\n", json_integer_value(v)); break;
        case JSON_REAL: put_real(f, json_real_value(v)); break;
        case JSON_TRUE: fputs("true\n", f); break;
        case JSON_FALSE: fputs("false\n", f); break;
        case JSON_NULL: fputs("null\n", f); break;
        }
}

static bool is_collection(const json_t *v) {
        return (json_is_object(v) && json_object_size(v) > 0) || (json_is_array(v) && json_array_size(v) > 0);
}

static void put_sequence(FILE *f, const json_t *a, int indent, bool after_dash);

static void put_key(FILE *f, const char *key) {
        enum style st = string_style(key);

        if (st == STYLE_PLAIN)
                fputs(key, f);
        else if (st == STYLE_SINGLE)
                put_single_quoted(f, key);
        else
                put_double_quoted(f, key);
        fputc(':', f);
}

static void put_mapping(FILE *f, const json_t *o, int indent, bool after_dash) {
        size_t n = json_object_size(o), i = 0;
        _cleanup_free_ struct entry *entries = xnew0(struct entry, n);
        const char *key;
        json_t *value;

        json_object_foreach((json_t *) o, key, value)
                entries[i++] = (struct entry) { key, value };
        qsort(entries, n, sizeof(*entries), entry_compare);
        for (i = 0; i < n; i++) {
                const json_t *v = entries[i].value;
                if (i > 0 || !after_dash)
                        fprintf(f, "%*s", indent, "");
                put_key(f, entries[i].key);
                if (!is_collection(v)) {
                        fputc(' ', f);
                        put_scalar(f, v, indent + 2);
                } else if (json_is_object(v)) {
                        fputc('\n', f);
                        put_mapping(f, v, indent + 2, false);
                } else {
                        /* yaml.v2 puts a mapping's sequence at the key's own indentation. */
                        fputc('\n', f);
                        put_sequence(f, v, indent, false);
                }
        }
}

static void put_sequence(FILE *f, const json_t *a, int indent, bool after_dash) {
        size_t i;
        json_t *item;

        json_array_foreach(a, i, item) {
                if (i > 0 || !after_dash)
                        fprintf(f, "%*s", indent, "");
                fputs("- ", f);
                if (!is_collection(item))
                        put_scalar(f, item, indent + 2);
                else if (json_is_object(item))
                        put_mapping(f, item, indent + 2, true);
                else
                        put_sequence(f, item, indent + 2, true);
        }
}

void output_yaml(FILE *f, const json_t *v) {
        if (json_is_object(v) && json_object_size(v) > 0)
                put_mapping(f, v, 0, false);
        else if (json_is_array(v) && json_array_size(v) > 0)
                put_sequence(f, v, 0, false);
        else
                put_scalar(f, v, 2);
}
