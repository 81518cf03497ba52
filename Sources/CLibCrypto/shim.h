// RSA signing through the system's OpenSSL libcrypto, in two calls Swift can import without
// touching OpenSSL's macros or its structures. Only the functions of OpenSSL 3's EVP interface
// are used (none of the deprecated RSA_* ones).
#ifndef INVITER_CLIBCRYPTO_SHIM_H
#define INVITER_CLIBCRYPTO_SHIM_H

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stddef.h>
#include <stdint.h>

/// The RSA private key in `pem` (PKCS #1 or PKCS #8), or NULL when it is not one. The caller
/// frees it with EVP_PKEY_free.
static inline EVP_PKEY *inviter_rsa_private_key(const char *pem, size_t length) {
    BIO *bio = BIO_new_mem_buf(pem, (int)length);
    if (bio == NULL) return NULL;
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (key != NULL && EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
        EVP_PKEY_free(key);
        return NULL;
    }
    return key;
}

/// RSASSA-PKCS1-v1_5 over the SHA-256 of `data` (rsa-sha256) into `signature`, which holds
/// `*length` bytes and on return the signature's length. 1 when signed, 0 otherwise.
static inline int inviter_rsa_sha256_sign(EVP_PKEY *key, const uint8_t *data, size_t count,
                                          uint8_t *signature, size_t *length) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (context == NULL) return 0;
    int signed_ = EVP_DigestSignInit(context, NULL, EVP_sha256(), NULL, key) == 1
        && EVP_DigestSign(context, signature, length, data, count) == 1;
    EVP_MD_CTX_free(context);
    return signed_;
}

#endif
