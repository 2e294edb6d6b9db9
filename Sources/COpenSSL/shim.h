// OpenSSL's declarations only. libssl and libcrypto are loaded at run time (dlopen of
// libssl.so.3 / libcrypto.so.3) by Collectors/TLS/OpenSSLLibrary.swift when a certificate file or
// endpoint is first read, so deployments that do not watch certificates do not map them (~1.7 MB
// RSS: libcrypto's relocations and initialisers run at load). No pkgConfig, hence no -lssl.
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/bio.h>

// A pointer type per function used, with the exact signature from the headers above, so the
// Swift side resolves each symbol with dlsym into a correctly typed @convention(c) value.
#define SE_FN(name) typedef __typeof__(&name) se_##name##_fn;
// libcrypto
SE_FN(d2i_X509)
SE_FN(i2d_X509)
SE_FN(X509_free)
SE_FN(X509_get_subject_name)
SE_FN(X509_get_issuer_name)
SE_FN(X509_get0_serialNumber)
SE_FN(X509_get0_notBefore)
SE_FN(X509_get0_notAfter)
SE_FN(X509_get_ext_d2i)
SE_FN(GENERAL_NAMES_free)
SE_FN(OPENSSL_sk_num)
SE_FN(OPENSSL_sk_value)
SE_FN(X509_NAME_get_index_by_NID)
SE_FN(X509_NAME_get_entry)
SE_FN(X509_NAME_ENTRY_get_data)
SE_FN(X509_NAME_oneline)
SE_FN(CRYPTO_free)
SE_FN(ASN1_STRING_to_UTF8)
SE_FN(ASN1_STRING_length)
SE_FN(ASN1_STRING_get0_data)
SE_FN(ASN1_INTEGER_to_BN)
SE_FN(BN_free)
SE_FN(BN_bn2dec)
SE_FN(ASN1_TIME_set)
SE_FN(ASN1_STRING_free)
SE_FN(ASN1_TIME_diff)
SE_FN(ERR_clear_error)
SE_FN(ERR_peek_error)
SE_FN(ERR_get_error)
SE_FN(ERR_error_string_n)
SE_FN(X509_VERIFY_PARAM_set1_ip_asc)
SE_FN(X509_verify_cert_error_string)
// libssl
SE_FN(OPENSSL_init_ssl)
SE_FN(TLS_client_method)
SE_FN(SSL_CTX_new)
SE_FN(SSL_CTX_free)
SE_FN(SSL_CTX_load_verify_locations)
SE_FN(SSL_CTX_set_default_verify_paths)
SE_FN(SSL_CTX_set_verify)
SE_FN(SSL_new)
SE_FN(SSL_free)
SE_FN(SSL_set_fd)
SE_FN(SSL_get0_param)
SE_FN(SSL_ctrl)
SE_FN(SSL_set1_host)
SE_FN(SSL_set_connect_state)
SE_FN(SSL_connect)
SE_FN(SSL_get_error)
SE_FN(SSL_get_version)
SE_FN(SSL_get_peer_cert_chain)
SE_FN(SSL_get_verify_result)
SE_FN(SSL_get0_verified_chain)
SE_FN(SSL_shutdown)
// libssl, server side
SE_FN(TLS_server_method)
SE_FN(SSL_CTX_use_certificate_chain_file)
SE_FN(SSL_CTX_use_PrivateKey_file)
SE_FN(SSL_CTX_check_private_key)
SE_FN(SSL_CTX_ctrl)
SE_FN(SSL_CTX_set_cipher_list)
SE_FN(SSL_CTX_set_options)
SE_FN(SSL_CTX_set_client_CA_list)
SE_FN(SSL_load_client_CA_file)
SE_FN(SSL_CTX_set_session_id_context)
SE_FN(SSL_set_accept_state)
SE_FN(SSL_do_handshake)
SE_FN(SSL_read)
SE_FN(SSL_write)
SE_FN(SSL_has_pending)
SE_FN(SSL_get1_peer_certificate)
#undef SE_FN

// Option bits that are function-like macros in the headers (SSL_OP_BIT), which Swift cannot import.
static const uint64_t se_SSL_OP_CIPHER_SERVER_PREFERENCE = SSL_OP_CIPHER_SERVER_PREFERENCE;
static const uint64_t se_SSL_OP_NO_RENEGOTIATION = SSL_OP_NO_RENEGOTIATION;
static const int se_SSL_FILETYPE_PEM = SSL_FILETYPE_PEM;
