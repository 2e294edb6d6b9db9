// libcrypt's declarations only (libxcrypt on Debian). libcrypt.so.1 is loaded at run time by
// Web/Crypt.swift when --web.config.file names basic_auth_users, so an exporter without basic auth
// does not map it. No pkgConfig in Package.swift, hence no -lcrypt.
#include <crypt.h>

// A pointer type per function used, with the exact signature from crypt.h, for dlsym.
typedef __typeof__(&crypt_rn) se_crypt_rn_fn;
typedef __typeof__(&crypt_gensalt_rn) se_crypt_gensalt_rn_fn;
