build-dev/common/xalloc.o: common/xalloc.c common/first.h common/xalloc.h
common/first.h:
common/xalloc.h:
