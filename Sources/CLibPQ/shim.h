// libpq's declarations only. The library itself is loaded at run time (dlopen of libpq.so.5) by
// Collectors/Postgres/LibPQ.swift when a PostgreSQL server is configured, so deployments that do
// not monitor PostgreSQL do not map libpq and its Kerberos/LDAP/GnuTLS dependencies (~3.5 MB RSS).
// The include goes through postgresql/ so no pkg-config -I (and with it no -lpq) is needed.
#include <postgresql/libpq-fe.h>
