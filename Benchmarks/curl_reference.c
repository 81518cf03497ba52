/*
 * The libcurl limit: how fast libcurl's multi interface alone sends
 * pre-built messages over K connections, doing what Inviter does per
 * message and nothing else.
 *
 *   curl_reference URL CONNECTIONS COUNT MESSAGE.eml [MESSAGE.eml ...]
 *
 * Sends COUNT messages, the files in turn, each to its own recipient
 * (bench-NNNNNN@example.org) in its own SMTP transaction, over CONNECTIONS
 * easy handles that are each reused for message after message, so each keeps
 * one connection open, exactly as Inviter's CurlSMTPSession does. What it
 * leaves out is what the benchmark measures in Inviter: rendering, the
 * ledger, and Inviter's per-message bookkeeping (its protocol trace
 * callback, reply parsing, classification).
 *
 * The message files must have CRLF line ends (Inviter's .eml files do):
 * libcurl then dot-stuffs by itself, as it does for Inviter.
 *
 * Prints one JSON object: {"sent", "failed", "seconds", "bytes"}; exits 1
 * when any message was not accepted, so a broken sink cannot pass for a fast
 * one.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct message {
    char *data;
    size_t size;
};

struct transfer {
    CURL *easy;
    const struct message *message;
    size_t offset;
    struct curl_slist *recipients;
    int active;
};

static size_t read_body(char *buffer, size_t size, size_t count, void *context) {
    struct transfer *transfer = context;
    size_t left = transfer->message->size - transfer->offset;
    size_t n = size * count < left ? size * count : left;
    memcpy(buffer, transfer->message->data + transfer->offset, n);
    transfer->offset += n;
    return n;
}

static struct message load(const char *path) {
    struct message message = {0};
    FILE *file = fopen(path, "rb");
    if (!file) { perror(path); exit(2); }
    fseek(file, 0, SEEK_END);
    message.size = (size_t)ftell(file);
    fseek(file, 0, SEEK_SET);
    message.data = malloc(message.size);
    if (!message.data || fread(message.data, 1, message.size, file) != message.size) {
        fprintf(stderr, "%s: cannot read\n", path);
        exit(2);
    }
    fclose(file);
    return message;
}

static double seconds_now(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* Points the handle at message `index` and hands it to the multi handle. */
static void start(CURLM *multi, struct transfer *transfer, const struct message *messages, int files,
                  long index) {
    char recipient[64];
    snprintf(recipient, sizeof recipient, "<bench-%06ld@example.org>", index);
    curl_slist_free_all(transfer->recipients);
    transfer->recipients = curl_slist_append(NULL, recipient);
    transfer->message = &messages[index % files];
    transfer->offset = 0;
    curl_easy_setopt(transfer->easy, CURLOPT_MAIL_RCPT, transfer->recipients);
    curl_easy_setopt(transfer->easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)transfer->message->size);
    curl_multi_add_handle(multi, transfer->easy);
    transfer->active = 1;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s URL CONNECTIONS COUNT MESSAGE.eml [MESSAGE.eml ...]\n", argv[0]);
        return 2;
    }
    const char *url = argv[1];
    int connections = atoi(argv[2]);
    long count = atol(argv[3]);
    int files = argc - 4;
    if (connections < 1 || connections > 64 || count < 1) {
        fprintf(stderr, "CONNECTIONS must be 1-64 and COUNT positive\n");
        return 2;
    }
    struct message *messages = calloc((size_t)files, sizeof *messages);
    for (int i = 0; i < files; i++) messages[i] = load(argv[4 + i]);

    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURLM *multi = curl_multi_init();
    /* The same limits Inviter sets: exactly K connections, each kept open between messages. */
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)connections);
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)connections);
    struct transfer *transfers = calloc((size_t)connections, sizeof *transfers);
    for (int i = 0; i < connections; i++) {
        CURL *easy = curl_easy_init();
        transfers[i].easy = easy;
        /* Options that stay the same for every message are set once. */
        curl_easy_setopt(easy, CURLOPT_URL, url);
        curl_easy_setopt(easy, CURLOPT_MAIL_FROM, "<events@example.org>");
        curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(easy, CURLOPT_READFUNCTION, read_body);
        curl_easy_setopt(easy, CURLOPT_READDATA, &transfers[i]);
        curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, 30L);
        curl_easy_setopt(easy, CURLOPT_TIMEOUT, 120L);
        curl_easy_setopt(easy, CURLOPT_PRIVATE, &transfers[i]);
    }

    double began = seconds_now();
    long next = 0, sent = 0, failed = 0;
    double bytes = 0;
    int active = 0;
    while (next < count || active > 0) {
        for (int i = 0; i < connections && next < count; i++) {
            if (transfers[i].active) continue;
            start(multi, &transfers[i], messages, files, next++);
            active++;
        }
        int running = 0;
        curl_multi_perform(multi, &running);
        CURLMsg *done;
        int left = 0, finished = 0;
        while ((done = curl_multi_info_read(multi, &left))) {
            if (done->msg != CURLMSG_DONE) continue;
            struct transfer *transfer = NULL;
            curl_easy_getinfo(done->easy_handle, CURLINFO_PRIVATE, (char **)&transfer);
            CURLcode result = done->data.result;
            if (result == CURLE_OK) {
                sent++;
                bytes += (double)transfer->message->size;
            } else {
                if (failed < 5) fprintf(stderr, "transfer failed: %s\n", curl_easy_strerror(result));
                failed++;
            }
            curl_multi_remove_handle(multi, transfer->easy);
            transfer->active = 0;
            active--;
            finished++;
        }
        /* Wait for the sockets only when nothing finished: a free handle gets its next message at once. */
        if (active > 0 && finished == 0) curl_multi_poll(multi, NULL, 0, 1000, NULL);
    }
    double elapsed = seconds_now() - began;

    for (int i = 0; i < connections; i++) {
        curl_easy_cleanup(transfers[i].easy);
        curl_slist_free_all(transfers[i].recipients);
    }
    curl_multi_cleanup(multi);
    curl_global_cleanup();
    printf("{\"sent\": %ld, \"failed\": %ld, \"seconds\": %.6f, \"bytes\": %.0f}\n", sent, failed, elapsed, bytes);
    return failed == 0 ? 0 : 1;
}
