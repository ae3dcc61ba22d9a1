build-dev/common/sse.o: common/sse.c common/first.h common/sse.h \
 common/buf.h
common/first.h:
common/sse.h:
common/buf.h:
