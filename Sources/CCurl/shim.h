// Typed wrappers for libcurl's variadic calls, which Swift cannot import.
// Each wrapper fixes the type of the third argument, as GRDB does for SQLite.
#ifndef INVITER_CCURL_SHIM_H
#define INVITER_CCURL_SHIM_H

#include <curl/curl.h>

static inline CURLcode inviter_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode inviter_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode inviter_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode inviter_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode inviter_easy_setopt_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

typedef size_t (*inviter_read_callback)(char *buffer, size_t size, size_t nitems, void *userdata);
typedef int (*inviter_debug_callback)(CURL *handle, curl_infotype type, char *data, size_t size, void *userdata);

static inline CURLcode inviter_easy_setopt_read_function(CURL *handle, inviter_read_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_READFUNCTION, callback);
}

static inline CURLcode inviter_easy_setopt_debug_function(CURL *handle, inviter_debug_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_DEBUGFUNCTION, callback);
}

typedef size_t (*inviter_write_callback)(char *data, size_t size, size_t nmemb, void *userdata);

static inline CURLcode inviter_easy_setopt_write_function(CURL *handle, inviter_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}

static inline CURLcode inviter_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode inviter_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLMcode inviter_multi_setopt_long(CURLM *handle, CURLMoption option, long value) {
    return curl_multi_setopt(handle, option, value);
}

#endif
