build-dev/common/record.o: common/record.c common/first.h common/crypto.h \
 common/record.h common/xalloc.h
common/first.h:
common/crypto.h:
common/record.h:
common/xalloc.h:
