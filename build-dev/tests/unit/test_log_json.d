build-dev/tests/unit/test_log_json: tests/unit/test_log_json.c \
 tests/unit/../../common/first.h tests/unit/../../common/log.h \
 tests/unit/../tap.h
tests/unit/../../common/first.h:
tests/unit/../../common/log.h:
tests/unit/../tap.h:
