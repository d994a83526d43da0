/* A streaming HTTP/1.1 response parser: status line, headers, Content-Length, chunked
 * and close-delimited bodies. Body bytes are counted, never stored. */
#include "http-response.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void http_response_reset(struct http_response *r, bool head) {
        r->state = HTTP_STATUS_LINE;
        r->head = head;
        r->status = 0;
        r->keep_alive = true;
        r->chunked = false;
        r->content_length = -1;
        r->left = 0;
        r->line_len = 0;
}

/* "HTTP/1.x SSS reason" */
static int take_status_line(struct http_response *r, const char *line) {
        if (strncmp(line, "HTTP/1.", 7) != 0 || (line[7] != '0' && line[7] != '1') || line[8] != ' ')
                return -EPROTO;
        for (int i = 9; i < 12; i++)
                if (line[i] < '0' || line[i] > '9')
                        return -EPROTO;
        if (line[12] != ' ' && line[12] != '\0')
                return -EPROTO;
        r->status = (unsigned) ((line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0'));
        r->keep_alive = line[7] == '1';
        r->state = HTTP_HEADERS;
        return 0;
}

static bool has_token(const char *value, const char *token) {
        size_t n = strlen(token);
        for (const char *p = value; *p;) {
                p += strspn(p, " \t,");
                size_t len = strcspn(p, " \t,");
                if (len == n && strncasecmp(p, token, n) == 0)
                        return true;
                p += len;
        }
        return false;
}

static int take_content_length(struct http_response *r, const char *value) {
        char *end;
        long long n;

        if (*value < '0' || *value > '9')
                return -EPROTO;
        errno = 0;
        n = strtoll(value, &end, 10);
        end += strspn(end, " \t");
        if (errno || *end || (r->content_length >= 0 && r->content_length != n))
                return -EPROTO;
        r->content_length = n;
        return 0;
}

static int take_header(struct http_response *r, char *line) {
        char *colon = strchr(line, ':');
        char *value;

        if (!colon || colon == line)
                return -EPROTO;
        *colon = '\0';
        value = colon + 1 + strspn(colon + 1, " \t");
        if (strcasecmp(line, "Content-Length") == 0)
                return take_content_length(r, value);
        if (strcasecmp(line, "Transfer-Encoding") == 0)
                r->chunked = has_token(value, "chunked");
        else if (strcasecmp(line, "Connection") == 0) {
                if (has_token(value, "close"))
                        r->keep_alive = false;
                else if (has_token(value, "keep-alive"))
                        r->keep_alive = true;
        }
        return 0;
}

/* The blank line after the headers: decides how the body is framed. */
static int end_headers(struct http_response *r) {
        if (r->status >= 100 && r->status < 200 && r->status != 101) {
                /* Interim answer (100 Continue...): the real status line follows. */
                http_response_reset(r, r->head);
                return 0;
        }
        if (r->status == 101)
                r->keep_alive = false;  /* the connection now speaks another protocol */
        if (r->head || r->status == 101 || r->status == 204 || r->status == 304)
                r->state = HTTP_DONE;
        else if (r->chunked)
                r->state = HTTP_CHUNK_SIZE;
        else if (r->content_length > 0) {
                r->left = (unsigned long long) r->content_length;
                r->state = HTTP_BODY_LENGTH;
        } else if (r->content_length == 0)
                r->state = HTTP_DONE;
        else {
                r->keep_alive = false;
                r->state = HTTP_BODY_EOF;
        }
        return 0;
}

static int take_chunk_size(struct http_response *r, const char *line) {
        unsigned long long n = 0;
        const char *p = line;

        for (; *p && strchr("0123456789abcdefABCDEF", *p); p++) {
                if (n >> 56)
                        return -EPROTO;
                n = n * 16 + (unsigned long long) (*p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10);
        }
        if (p == line || (*p && *p != ';' && *p != ' ' && *p != '\t'))
                return -EPROTO;
        r->left = n;
        r->state = n ? HTTP_CHUNK_DATA : HTTP_TRAILERS;
        return 0;
}

static int take_line(struct http_response *r, char *line) {
        switch (r->state) {
        case HTTP_STATUS_LINE:
                return take_status_line(r, line);
        case HTTP_HEADERS:
                return *line ? take_header(r, line) : end_headers(r);
        case HTTP_CHUNK_SIZE:
                return take_chunk_size(r, line);
        case HTTP_CHUNK_END:
                if (*line)
                        return -EPROTO;
                r->state = HTTP_CHUNK_SIZE;
                return 0;
        case HTTP_TRAILERS:
                if (!*line)
                        r->state = HTTP_DONE;
                return 0;
        default:
                return -EPROTO;
        }
}

/* Appends up to one line ending to the line buffer; processes the line once complete. */
static ssize_t feed_line(struct http_response *r, const char *data, size_t len) {
        const char *nl = memchr(data, '\n', len);
        size_t take = nl ? (size_t) (nl - data) + 1 : len;
        size_t n;

        if (r->line_len + take > sizeof(r->line))
                return -EMSGSIZE;
        memcpy(r->line + r->line_len, data, take);
        r->line_len += take;
        if (!nl)
                return (ssize_t) take;
        n = r->line_len - 1;
        if (n > 0 && r->line[n - 1] == '\r')
                n--;
        r->line[n] = '\0';
        r->line_len = 0;
        int rc = take_line(r, r->line);
        return rc < 0 ? rc : (ssize_t) take;
}

static size_t feed_body(struct http_response *r, size_t len) {
        if (r->state == HTTP_BODY_EOF)
                return len;
        size_t n = r->left < len ? (size_t) r->left : len;
        r->left -= n;
        if (r->left == 0)
                r->state = r->state == HTTP_BODY_LENGTH ? HTTP_DONE : HTTP_CHUNK_END;
        return n;
}

ssize_t http_response_feed(struct http_response *r, const char *data, size_t len) {
        size_t off = 0;

        while (off < len && r->state != HTTP_DONE) {
                if (r->state == HTTP_BODY_LENGTH || r->state == HTTP_CHUNK_DATA || r->state == HTTP_BODY_EOF) {
                        off += feed_body(r, len - off);
                        continue;
                }
                ssize_t n = feed_line(r, data + off, len - off);
                if (n < 0)
                        return n;
                off += (size_t) n;
        }
        return (ssize_t) off;
}

int http_response_eof(struct http_response *r) {
        if (r->state != HTTP_BODY_EOF)
                return -EPIPE;
        r->state = HTTP_DONE;
        return 0;
}
