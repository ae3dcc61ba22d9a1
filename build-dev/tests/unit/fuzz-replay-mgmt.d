build-dev/tests/unit/fuzz-replay-mgmt: tests/fuzz/replay.c \
 tests/fuzz/../../common/first.h tests/fuzz/fuzz_env.h \
 tests/fuzz/../../common/mcp.h tests/fuzz/../../common/catalog.h \
 tests/fuzz/../../common/tool.h tests/fuzz/../../common/config.h \
 tests/fuzz/../../common/crypto.h tests/fuzz/../../common/http.h \
 tests/fuzz/../../common/buf.h tests/fuzz/../../common/caps.h \
 tests/fuzz/../../common/record.h tests/fuzz/../../common/scope.h \
 tests/fuzz/../../common/apikey.h tests/fuzz/../../common/search.h \
 tests/fuzz/../../common/store.h tests/fuzz/../../common/upstream.h \
 tests/fuzz/../../common/plan.h
tests/fuzz/../../common/first.h:
tests/fuzz/fuzz_env.h:
tests/fuzz/../../common/mcp.h:
tests/fuzz/../../common/catalog.h:
tests/fuzz/../../common/tool.h:
tests/fuzz/../../common/config.h:
tests/fuzz/../../common/crypto.h:
tests/fuzz/../../common/http.h:
tests/fuzz/../../common/buf.h:
tests/fuzz/../../common/caps.h:
tests/fuzz/../../common/record.h:
tests/fuzz/../../common/scope.h:
tests/fuzz/../../common/apikey.h:
tests/fuzz/../../common/search.h:
tests/fuzz/../../common/store.h:
tests/fuzz/../../common/upstream.h:
tests/fuzz/../../common/plan.h:
