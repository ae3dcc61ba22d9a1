build-dev/tests/unit/test_bug_admin: tests/unit/test_bug_admin.c \
 tests/unit/../../common/first.h tests/unit/../../fcgi/cfmcp-admin.c \
 tests/unit/../../fcgi/../common/first.h \
 tests/unit/../../fcgi/../common/accounts.h \
 tests/unit/../../fcgi/../common/admin.h \
 tests/unit/../../fcgi/../common/catalog.h \
 tests/unit/../../fcgi/../common/tool.h \
 tests/unit/../../fcgi/../common/crypto.h \
 tests/unit/../../fcgi/../common/scope.h \
 tests/unit/../../fcgi/../common/apikey.h \
 tests/unit/../../fcgi/../common/store.h \
 tests/unit/../../fcgi/../common/admin.h \
 tests/unit/../../fcgi/../common/apikeys.h \
 tests/unit/../../fcgi/../common/catalog.h \
 tests/unit/../../fcgi/../common/catalog_tags.h \
 tests/unit/../../fcgi/../common/config.h \
 tests/unit/../../fcgi/../common/crypto.h \
 tests/unit/../../fcgi/../common/jsonrpc.h \
 tests/unit/../../fcgi/../common/buf.h \
 tests/unit/../../fcgi/../common/json.h \
 tests/unit/../../fcgi/../common/log.h \
 tests/unit/../../fcgi/../common/mcp_servers.h \
 tests/unit/../../fcgi/../common/openapi.h \
 tests/unit/../../fcgi/../common/store.h \
 tests/unit/../../fcgi/../common/words.h \
 tests/unit/../../fcgi/../common/xalloc.h tests/unit/../tap.h
tests/unit/../../common/first.h:
tests/unit/../../fcgi/cfmcp-admin.c:
tests/unit/../../fcgi/../common/first.h:
tests/unit/../../fcgi/../common/accounts.h:
tests/unit/../../fcgi/../common/admin.h:
tests/unit/../../fcgi/../common/catalog.h:
tests/unit/../../fcgi/../common/tool.h:
tests/unit/../../fcgi/../common/crypto.h:
tests/unit/../../fcgi/../common/scope.h:
tests/unit/../../fcgi/../common/apikey.h:
tests/unit/../../fcgi/../common/store.h:
tests/unit/../../fcgi/../common/admin.h:
tests/unit/../../fcgi/../common/apikeys.h:
tests/unit/../../fcgi/../common/catalog.h:
tests/unit/../../fcgi/../common/catalog_tags.h:
tests/unit/../../fcgi/../common/config.h:
tests/unit/../../fcgi/../common/crypto.h:
tests/unit/../../fcgi/../common/jsonrpc.h:
tests/unit/../../fcgi/../common/buf.h:
tests/unit/../../fcgi/../common/json.h:
tests/unit/../../fcgi/../common/log.h:
tests/unit/../../fcgi/../common/mcp_servers.h:
tests/unit/../../fcgi/../common/openapi.h:
tests/unit/../../fcgi/../common/store.h:
tests/unit/../../fcgi/../common/words.h:
tests/unit/../../fcgi/../common/xalloc.h:
tests/unit/../tap.h:
