build-dev/tests/unit/test_cache: tests/unit/test_cache.c \
 tests/unit/../../common/first.h tests/unit/../../common/cache.h \
 tests/unit/../../common/scope.h tests/unit/../../common/apikey.h \
 tests/unit/../../common/store.h tests/unit/../tap.h
tests/unit/../../common/first.h:
tests/unit/../../common/cache.h:
tests/unit/../../common/scope.h:
tests/unit/../../common/apikey.h:
tests/unit/../../common/store.h:
tests/unit/../tap.h:
