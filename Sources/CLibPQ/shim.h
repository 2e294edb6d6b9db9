// libpq's declarations only. The library itself is loaded at run time (dlopen of libpq.so.5) by
// Collectors/Postgres/LibPQLibrary.swift when a PostgreSQL server is configured, so deployments
// that do not monitor PostgreSQL do not map libpq and its Kerberos/LDAP/GnuTLS dependencies
// (~3.5 MB RSS). The include goes through postgresql/ so no pkg-config -I (and with it no -lpq)
// is needed.
#include <postgresql/libpq-fe.h>

// A pointer type per function used, with the exact signature from libpq-fe.h, so the Swift side
// resolves each symbol with dlsym into a @convention(c) value the compiler checks against the
// header (as Sources/COpenSSL/shim.h does), not a hand-written signature.
#define SE_FN(name) typedef __typeof__(&name) se_##name##_fn;
SE_FN(PQconnectStartParams)
SE_FN(PQconnectPoll)
SE_FN(PQstatus)
SE_FN(PQfinish)
SE_FN(PQsocket)
SE_FN(PQerrorMessage)
SE_FN(PQserverVersion)
SE_FN(PQsetnonblocking)
SE_FN(PQsendPrepare)
SE_FN(PQsendQueryPrepared)
SE_FN(PQenterPipelineMode)
SE_FN(PQexitPipelineMode)
SE_FN(PQpipelineSync)
SE_FN(PQflush)
SE_FN(PQconsumeInput)
SE_FN(PQisBusy)
SE_FN(PQgetResult)
SE_FN(PQresultStatus)
SE_FN(PQresultErrorMessage)
SE_FN(PQresultErrorField)
SE_FN(PQntuples)
SE_FN(PQnfields)
SE_FN(PQfname)
SE_FN(PQgetvalue)
SE_FN(PQgetisnull)
SE_FN(PQclear)
SE_FN(PQbackendPID)
#undef SE_FN
