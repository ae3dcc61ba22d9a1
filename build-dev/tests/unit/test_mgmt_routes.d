build-dev/tests/unit/test_mgmt_routes: tests/unit/test_mgmt_routes.c \
 tests/unit/../../common/first.h tests/unit/../../common/router.h \
 tests/unit/../../common/http.h tests/unit/../../common/buf.h \
 tests/unit/../../common/caps.h tests/unit/../../common/mcp.h \
 tests/unit/../../common/catalog.h tests/unit/../../common/tool.h \
 tests/unit/../../common/config.h tests/unit/../../common/crypto.h \
 tests/unit/../../common/record.h tests/unit/../../common/scope.h \
 tests/unit/../../common/apikey.h tests/unit/../../common/search.h \
 tests/unit/../../common/store.h tests/unit/../../common/upstream.h \
 tests/unit/../../common/plan.h tests/unit/../../common/xalloc.h \
 tests/unit/../tap.h
tests/unit/../../common/first.h:
tests/unit/../../common/router.h:
tests/unit/../../common/http.h:
tests/unit/../../common/buf.h:
tests/unit/../../common/caps.h:
tests/unit/../../common/mcp.h:
tests/unit/../../common/catalog.h:
tests/unit/../../common/tool.h:
tests/unit/../../common/config.h:
tests/unit/../../common/crypto.h:
tests/unit/../../common/record.h:
tests/unit/../../common/scope.h:
tests/unit/../../common/apikey.h:
tests/unit/../../common/search.h:
tests/unit/../../common/store.h:
tests/unit/../../common/upstream.h:
tests/unit/../../common/plan.h:
tests/unit/../../common/xalloc.h:
tests/unit/../tap.h:
