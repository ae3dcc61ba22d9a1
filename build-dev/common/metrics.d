build-dev/common/metrics.o: common/metrics.c common/first.h \
 common/metrics.h common/buf.h common/record.h
common/first.h:
common/metrics.h:
common/buf.h:
common/record.h:
