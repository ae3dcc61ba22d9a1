build-dev/tests/unit/test_fake_store: tests/unit/test_fake_store.c \
 tests/unit/../../common/first.h tests/unit/../../common/store.h \
 tests/unit/../../common/scope.h tests/unit/../../common/apikey.h \
 tests/unit/../../common/xalloc.h tests/unit/../lib/fake_store.c \
 tests/unit/../lib/../../common/first.h tests/unit/../lib/fake_store.h \
 tests/unit/../lib/../../common/admin.h \
 tests/unit/../lib/../../common/catalog.h \
 tests/unit/../lib/../../common/tool.h \
 tests/unit/../lib/../../common/crypto.h \
 tests/unit/../lib/../../common/scope.h \
 tests/unit/../lib/../../common/store.h tests/unit/../tap.h
tests/unit/../../common/first.h:
tests/unit/../../common/store.h:
tests/unit/../../common/scope.h:
tests/unit/../../common/apikey.h:
tests/unit/../../common/xalloc.h:
tests/unit/../lib/fake_store.c:
tests/unit/../lib/../../common/first.h:
tests/unit/../lib/fake_store.h:
tests/unit/../lib/../../common/admin.h:
tests/unit/../lib/../../common/catalog.h:
tests/unit/../lib/../../common/tool.h:
tests/unit/../lib/../../common/crypto.h:
tests/unit/../lib/../../common/scope.h:
tests/unit/../lib/../../common/store.h:
tests/unit/../tap.h:
