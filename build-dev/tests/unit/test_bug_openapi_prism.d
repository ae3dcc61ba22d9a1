build-dev/tests/unit/test_bug_openapi_prism: \
 tests/unit/test_bug_openapi_prism.c tests/unit/../../common/first.h \
 tests/unit/../../common/catalog.h tests/unit/../../common/tool.h \
 tests/unit/../../common/openapi.h tests/unit/../../common/catalog.h \
 tests/unit/../../common/plan.h tests/unit/../../common/buf.h \
 tests/unit/../tap.h
tests/unit/../../common/first.h:
tests/unit/../../common/catalog.h:
tests/unit/../../common/tool.h:
tests/unit/../../common/openapi.h:
tests/unit/../../common/catalog.h:
tests/unit/../../common/plan.h:
tests/unit/../../common/buf.h:
tests/unit/../tap.h:
