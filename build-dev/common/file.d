build-dev/common/file.o: common/file.c common/first.h common/file.h \
 common/xalloc.h
common/first.h:
common/file.h:
common/xalloc.h:
