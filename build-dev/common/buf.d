build-dev/common/buf.o: common/buf.c common/first.h common/buf.h \
 common/xalloc.h
common/first.h:
common/buf.h:
common/xalloc.h:
