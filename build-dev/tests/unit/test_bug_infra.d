build-dev/tests/unit/test_bug_infra: tests/unit/test_bug_infra.c \
 tests/unit/../../fcgi/serve.c tests/unit/../../fcgi/../common/first.h \
 tests/unit/../../fcgi/../common/admin.h \
 tests/unit/../../fcgi/../common/catalog.h \
 tests/unit/../../fcgi/../common/tool.h \
 tests/unit/../../fcgi/../common/crypto.h \
 tests/unit/../../fcgi/../common/scope.h \
 tests/unit/../../fcgi/../common/apikey.h \
 tests/unit/../../fcgi/../common/store.h \
 tests/unit/../../fcgi/../common/audit.h \
 tests/unit/../../fcgi/../common/admin.h \
 tests/unit/../../fcgi/../common/config.h \
 tests/unit/../../fcgi/../common/record.h \
 tests/unit/../../fcgi/../common/cache.h \
 tests/unit/../../fcgi/../common/http.h \
 tests/unit/../../fcgi/../common/buf.h \
 tests/unit/../../fcgi/../common/caps.h \
 tests/unit/../../fcgi/../common/log.h \
 tests/unit/../../fcgi/../common/metrics.h \
 tests/unit/../../fcgi/../common/router.h \
 tests/unit/../../fcgi/../common/http.h \
 tests/unit/../../fcgi/../common/mcp.h \
 tests/unit/../../fcgi/../common/search.h \
 tests/unit/../../fcgi/../common/upstream.h \
 tests/unit/../../fcgi/../common/plan.h \
 tests/unit/../../fcgi/../common/schema.h \
 tests/unit/../../fcgi/../common/sessions.h \
 tests/unit/../../fcgi/../common/store.h \
 tests/unit/../../fcgi/../common/upstream.h \
 tests/unit/../../fcgi/../common/xalloc.h tests/unit/../../fcgi/serve.h \
 tests/unit/../../fcgi/../common/catalog.h \
 tests/unit/../../fcgi/../common/config.h \
 tests/unit/../../common/config.h tests/unit/../tap.h
tests/unit/../../fcgi/serve.c:
tests/unit/../../fcgi/../common/first.h:
tests/unit/../../fcgi/../common/admin.h:
tests/unit/../../fcgi/../common/catalog.h:
tests/unit/../../fcgi/../common/tool.h:
tests/unit/../../fcgi/../common/crypto.h:
tests/unit/../../fcgi/../common/scope.h:
tests/unit/../../fcgi/../common/apikey.h:
tests/unit/../../fcgi/../common/store.h:
tests/unit/../../fcgi/../common/audit.h:
tests/unit/../../fcgi/../common/admin.h:
tests/unit/../../fcgi/../common/config.h:
tests/unit/../../fcgi/../common/record.h:
tests/unit/../../fcgi/../common/cache.h:
tests/unit/../../fcgi/../common/http.h:
tests/unit/../../fcgi/../common/buf.h:
tests/unit/../../fcgi/../common/caps.h:
tests/unit/../../fcgi/../common/log.h:
tests/unit/../../fcgi/../common/metrics.h:
tests/unit/../../fcgi/../common/router.h:
tests/unit/../../fcgi/../common/http.h:
tests/unit/../../fcgi/../common/mcp.h:
tests/unit/../../fcgi/../common/search.h:
tests/unit/../../fcgi/../common/upstream.h:
tests/unit/../../fcgi/../common/plan.h:
tests/unit/../../fcgi/../common/schema.h:
tests/unit/../../fcgi/../common/sessions.h:
tests/unit/../../fcgi/../common/store.h:
tests/unit/../../fcgi/../common/upstream.h:
tests/unit/../../fcgi/../common/xalloc.h:
tests/unit/../../fcgi/serve.h:
tests/unit/../../fcgi/../common/catalog.h:
tests/unit/../../fcgi/../common/config.h:
tests/unit/../../common/config.h:
tests/unit/../tap.h:
