import COpenSSL

/// libcrypto's and libssl's functions, resolved with dlsym when certificates are first read, an
/// endpoint first probed or the server first configured for TLS (see Sources/COpenSSL/shim.h for
/// why they are not linked). Shared by the TLS collector and the HTTP server, hence outside both. Each field is
/// named after its C function and typed from the header, so OpenSSL.swift reads like plain C calls.
struct OpenSSLLibrary: @unchecked Sendable {
    // @unchecked: C function pointers into libraries that are never unloaded.
    struct LoadError: Error, CustomStringConvertible, Sendable {
        let description: String
    }

    let d2i_X509: se_d2i_X509_fn
    let i2d_X509: se_i2d_X509_fn
    let X509_free: se_X509_free_fn
    let X509_get_subject_name: se_X509_get_subject_name_fn
    let X509_get_issuer_name: se_X509_get_issuer_name_fn
    let X509_get0_serialNumber: se_X509_get0_serialNumber_fn
    let X509_get0_notBefore: se_X509_get0_notBefore_fn
    let X509_get0_notAfter: se_X509_get0_notAfter_fn
    let X509_get_ext_d2i: se_X509_get_ext_d2i_fn
    let GENERAL_NAMES_free: se_GENERAL_NAMES_free_fn
    let OPENSSL_sk_num: se_OPENSSL_sk_num_fn
    let OPENSSL_sk_value: se_OPENSSL_sk_value_fn
    let X509_NAME_get_index_by_NID: se_X509_NAME_get_index_by_NID_fn
    let X509_NAME_get_entry: se_X509_NAME_get_entry_fn
    let X509_NAME_ENTRY_get_data: se_X509_NAME_ENTRY_get_data_fn
    let X509_NAME_oneline: se_X509_NAME_oneline_fn
    let CRYPTO_free: se_CRYPTO_free_fn
    let ASN1_STRING_to_UTF8: se_ASN1_STRING_to_UTF8_fn
    let ASN1_STRING_length: se_ASN1_STRING_length_fn
    let ASN1_STRING_get0_data: se_ASN1_STRING_get0_data_fn
    let ASN1_INTEGER_to_BN: se_ASN1_INTEGER_to_BN_fn
    let BN_free: se_BN_free_fn
    let BN_bn2dec: se_BN_bn2dec_fn
    let ASN1_TIME_set: se_ASN1_TIME_set_fn
    let ASN1_STRING_free: se_ASN1_STRING_free_fn
    let ASN1_TIME_diff: se_ASN1_TIME_diff_fn
    let ERR_clear_error: se_ERR_clear_error_fn
    let ERR_peek_error: se_ERR_peek_error_fn
    let ERR_get_error: se_ERR_get_error_fn
    let ERR_error_string_n: se_ERR_error_string_n_fn
    let X509_VERIFY_PARAM_set1_ip_asc: se_X509_VERIFY_PARAM_set1_ip_asc_fn
    let X509_verify_cert_error_string: se_X509_verify_cert_error_string_fn
    let OPENSSL_init_ssl: se_OPENSSL_init_ssl_fn
    let TLS_client_method: se_TLS_client_method_fn
    let SSL_CTX_new: se_SSL_CTX_new_fn
    let SSL_CTX_free: se_SSL_CTX_free_fn
    let SSL_CTX_load_verify_locations: se_SSL_CTX_load_verify_locations_fn
    let SSL_CTX_set_default_verify_paths: se_SSL_CTX_set_default_verify_paths_fn
    let SSL_CTX_set_verify: se_SSL_CTX_set_verify_fn
    let SSL_new: se_SSL_new_fn
    let SSL_free: se_SSL_free_fn
    let SSL_set_fd: se_SSL_set_fd_fn
    let SSL_get0_param: se_SSL_get0_param_fn
    let SSL_ctrl: se_SSL_ctrl_fn
    let SSL_set1_host: se_SSL_set1_host_fn
    let SSL_set_connect_state: se_SSL_set_connect_state_fn
    let SSL_connect: se_SSL_connect_fn
    let SSL_get_error: se_SSL_get_error_fn
    let SSL_get_version: se_SSL_get_version_fn
    let SSL_get_peer_cert_chain: se_SSL_get_peer_cert_chain_fn
    let SSL_get_verify_result: se_SSL_get_verify_result_fn
    let SSL_get0_verified_chain: se_SSL_get0_verified_chain_fn
    let SSL_shutdown: se_SSL_shutdown_fn
    /// TLS streams, client and server (Redis over rediss://, the server's connections).
    let SSL_read: se_SSL_read_fn
    let SSL_write: se_SSL_write_fn
    let SSL_CTX_use_certificate_chain_file: se_SSL_CTX_use_certificate_chain_file_fn
    let SSL_CTX_use_PrivateKey_file: se_SSL_CTX_use_PrivateKey_file_fn
    /// The server side (TLS/OpenSSLServer.swift).
    let server: ServerFunctions

    struct ServerFunctions {
        let TLS_server_method: se_TLS_server_method_fn
        let SSL_CTX_check_private_key: se_SSL_CTX_check_private_key_fn
        let SSL_CTX_ctrl: se_SSL_CTX_ctrl_fn
        let SSL_CTX_set_cipher_list: se_SSL_CTX_set_cipher_list_fn
        let SSL_CTX_set_options: se_SSL_CTX_set_options_fn
        let SSL_CTX_set_client_CA_list: se_SSL_CTX_set_client_CA_list_fn
        let SSL_load_client_CA_file: se_SSL_load_client_CA_file_fn
        let SSL_CTX_set_session_id_context: se_SSL_CTX_set_session_id_context_fn
        let SSL_set_accept_state: se_SSL_set_accept_state_fn
        let SSL_do_handshake: se_SSL_do_handshake_fn
        let SSL_has_pending: se_SSL_has_pending_fn
        let SSL_get1_peer_certificate: se_SSL_get1_peer_certificate_fn

        fileprivate init(ssl: DynamicLibrary) throws(DynamicLibrary.LoadError) {
            TLS_server_method = try ssl.function("TLS_server_method", as: se_TLS_server_method_fn.self)
            SSL_CTX_check_private_key = try ssl.function("SSL_CTX_check_private_key", as: se_SSL_CTX_check_private_key_fn.self)
            SSL_CTX_ctrl = try ssl.function("SSL_CTX_ctrl", as: se_SSL_CTX_ctrl_fn.self)
            SSL_CTX_set_cipher_list = try ssl.function("SSL_CTX_set_cipher_list", as: se_SSL_CTX_set_cipher_list_fn.self)
            SSL_CTX_set_options = try ssl.function("SSL_CTX_set_options", as: se_SSL_CTX_set_options_fn.self)
            SSL_CTX_set_client_CA_list = try ssl.function("SSL_CTX_set_client_CA_list", as: se_SSL_CTX_set_client_CA_list_fn.self)
            SSL_load_client_CA_file = try ssl.function("SSL_load_client_CA_file", as: se_SSL_load_client_CA_file_fn.self)
            SSL_CTX_set_session_id_context = try ssl.function("SSL_CTX_set_session_id_context", as: se_SSL_CTX_set_session_id_context_fn.self)
            SSL_set_accept_state = try ssl.function("SSL_set_accept_state", as: se_SSL_set_accept_state_fn.self)
            SSL_do_handshake = try ssl.function("SSL_do_handshake", as: se_SSL_do_handshake_fn.self)
            SSL_has_pending = try ssl.function("SSL_has_pending", as: se_SSL_has_pending_fn.self)
            SSL_get1_peer_certificate = try ssl.function("SSL_get1_peer_certificate", as: se_SSL_get1_peer_certificate_fn.self)
        }
    }

    /// Loaded once, on first use (Swift runs a static initializer exactly once, thread-safely).
    private static let shared: Result<OpenSSLLibrary, LoadError> = {
        do throws(DynamicLibrary.LoadError) {
            // libssl needs libcrypto; loading libcrypto first makes a missing one the error shown.
            let crypto = try DynamicLibrary.open("libcrypto.so.3")
            return .success(try OpenSSLLibrary(crypto: crypto, ssl: DynamicLibrary.open("libssl.so.3")))
        } catch {
            return .failure(LoadError(description: error.description + " (install libssl3)"))
        }
    }()

    static func load() throws(LoadError) -> OpenSSLLibrary { try shared.get() }

    private init(crypto: DynamicLibrary, ssl: DynamicLibrary) throws(DynamicLibrary.LoadError) {
        d2i_X509 = try crypto.function("d2i_X509", as: se_d2i_X509_fn.self)
        i2d_X509 = try crypto.function("i2d_X509", as: se_i2d_X509_fn.self)
        X509_free = try crypto.function("X509_free", as: se_X509_free_fn.self)
        X509_get_subject_name = try crypto.function("X509_get_subject_name", as: se_X509_get_subject_name_fn.self)
        X509_get_issuer_name = try crypto.function("X509_get_issuer_name", as: se_X509_get_issuer_name_fn.self)
        X509_get0_serialNumber = try crypto.function("X509_get0_serialNumber", as: se_X509_get0_serialNumber_fn.self)
        X509_get0_notBefore = try crypto.function("X509_get0_notBefore", as: se_X509_get0_notBefore_fn.self)
        X509_get0_notAfter = try crypto.function("X509_get0_notAfter", as: se_X509_get0_notAfter_fn.self)
        X509_get_ext_d2i = try crypto.function("X509_get_ext_d2i", as: se_X509_get_ext_d2i_fn.self)
        GENERAL_NAMES_free = try crypto.function("GENERAL_NAMES_free", as: se_GENERAL_NAMES_free_fn.self)
        OPENSSL_sk_num = try crypto.function("OPENSSL_sk_num", as: se_OPENSSL_sk_num_fn.self)
        OPENSSL_sk_value = try crypto.function("OPENSSL_sk_value", as: se_OPENSSL_sk_value_fn.self)
        X509_NAME_get_index_by_NID = try crypto.function("X509_NAME_get_index_by_NID", as: se_X509_NAME_get_index_by_NID_fn.self)
        X509_NAME_get_entry = try crypto.function("X509_NAME_get_entry", as: se_X509_NAME_get_entry_fn.self)
        X509_NAME_ENTRY_get_data = try crypto.function("X509_NAME_ENTRY_get_data", as: se_X509_NAME_ENTRY_get_data_fn.self)
        X509_NAME_oneline = try crypto.function("X509_NAME_oneline", as: se_X509_NAME_oneline_fn.self)
        CRYPTO_free = try crypto.function("CRYPTO_free", as: se_CRYPTO_free_fn.self)
        ASN1_STRING_to_UTF8 = try crypto.function("ASN1_STRING_to_UTF8", as: se_ASN1_STRING_to_UTF8_fn.self)
        ASN1_STRING_length = try crypto.function("ASN1_STRING_length", as: se_ASN1_STRING_length_fn.self)
        ASN1_STRING_get0_data = try crypto.function("ASN1_STRING_get0_data", as: se_ASN1_STRING_get0_data_fn.self)
        ASN1_INTEGER_to_BN = try crypto.function("ASN1_INTEGER_to_BN", as: se_ASN1_INTEGER_to_BN_fn.self)
        BN_free = try crypto.function("BN_free", as: se_BN_free_fn.self)
        BN_bn2dec = try crypto.function("BN_bn2dec", as: se_BN_bn2dec_fn.self)
        ASN1_TIME_set = try crypto.function("ASN1_TIME_set", as: se_ASN1_TIME_set_fn.self)
        ASN1_STRING_free = try crypto.function("ASN1_STRING_free", as: se_ASN1_STRING_free_fn.self)
        ASN1_TIME_diff = try crypto.function("ASN1_TIME_diff", as: se_ASN1_TIME_diff_fn.self)
        ERR_clear_error = try crypto.function("ERR_clear_error", as: se_ERR_clear_error_fn.self)
        ERR_peek_error = try crypto.function("ERR_peek_error", as: se_ERR_peek_error_fn.self)
        ERR_get_error = try crypto.function("ERR_get_error", as: se_ERR_get_error_fn.self)
        ERR_error_string_n = try crypto.function("ERR_error_string_n", as: se_ERR_error_string_n_fn.self)
        X509_VERIFY_PARAM_set1_ip_asc = try crypto.function("X509_VERIFY_PARAM_set1_ip_asc", as: se_X509_VERIFY_PARAM_set1_ip_asc_fn.self)
        X509_verify_cert_error_string = try crypto.function("X509_verify_cert_error_string", as: se_X509_verify_cert_error_string_fn.self)
        OPENSSL_init_ssl = try ssl.function("OPENSSL_init_ssl", as: se_OPENSSL_init_ssl_fn.self)
        TLS_client_method = try ssl.function("TLS_client_method", as: se_TLS_client_method_fn.self)
        SSL_CTX_new = try ssl.function("SSL_CTX_new", as: se_SSL_CTX_new_fn.self)
        SSL_CTX_free = try ssl.function("SSL_CTX_free", as: se_SSL_CTX_free_fn.self)
        SSL_CTX_load_verify_locations = try ssl.function("SSL_CTX_load_verify_locations", as: se_SSL_CTX_load_verify_locations_fn.self)
        SSL_CTX_set_default_verify_paths = try ssl.function("SSL_CTX_set_default_verify_paths", as: se_SSL_CTX_set_default_verify_paths_fn.self)
        SSL_CTX_set_verify = try ssl.function("SSL_CTX_set_verify", as: se_SSL_CTX_set_verify_fn.self)
        SSL_new = try ssl.function("SSL_new", as: se_SSL_new_fn.self)
        SSL_free = try ssl.function("SSL_free", as: se_SSL_free_fn.self)
        SSL_set_fd = try ssl.function("SSL_set_fd", as: se_SSL_set_fd_fn.self)
        SSL_get0_param = try ssl.function("SSL_get0_param", as: se_SSL_get0_param_fn.self)
        SSL_ctrl = try ssl.function("SSL_ctrl", as: se_SSL_ctrl_fn.self)
        SSL_set1_host = try ssl.function("SSL_set1_host", as: se_SSL_set1_host_fn.self)
        SSL_set_connect_state = try ssl.function("SSL_set_connect_state", as: se_SSL_set_connect_state_fn.self)
        SSL_connect = try ssl.function("SSL_connect", as: se_SSL_connect_fn.self)
        SSL_get_error = try ssl.function("SSL_get_error", as: se_SSL_get_error_fn.self)
        SSL_get_version = try ssl.function("SSL_get_version", as: se_SSL_get_version_fn.self)
        SSL_get_peer_cert_chain = try ssl.function("SSL_get_peer_cert_chain", as: se_SSL_get_peer_cert_chain_fn.self)
        SSL_get_verify_result = try ssl.function("SSL_get_verify_result", as: se_SSL_get_verify_result_fn.self)
        SSL_get0_verified_chain = try ssl.function("SSL_get0_verified_chain", as: se_SSL_get0_verified_chain_fn.self)
        SSL_shutdown = try ssl.function("SSL_shutdown", as: se_SSL_shutdown_fn.self)
        SSL_read = try ssl.function("SSL_read", as: se_SSL_read_fn.self)
        SSL_write = try ssl.function("SSL_write", as: se_SSL_write_fn.self)
        SSL_CTX_use_certificate_chain_file = try ssl.function("SSL_CTX_use_certificate_chain_file", as: se_SSL_CTX_use_certificate_chain_file_fn.self)
        SSL_CTX_use_PrivateKey_file = try ssl.function("SSL_CTX_use_PrivateKey_file", as: se_SSL_CTX_use_PrivateKey_file_fn.self)
        server = try ServerFunctions(ssl: ssl)
    }
}
