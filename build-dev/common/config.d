build-dev/common/config.o: common/config.c common/first.h common/caps.h \
 common/config.h common/crypto.h common/words.h common/xalloc.h
common/first.h:
common/caps.h:
common/config.h:
common/crypto.h:
common/words.h:
common/xalloc.h:
