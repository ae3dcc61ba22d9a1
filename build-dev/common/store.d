build-dev/common/store.o: common/store.c common/first.h common/config.h \
 common/crypto.h common/log.h common/metrics.h common/buf.h \
 common/record.h common/store.h common/scope.h common/apikey.h \
 common/store_private.h common/xalloc.h
common/first.h:
common/config.h:
common/crypto.h:
common/log.h:
common/metrics.h:
common/buf.h:
common/record.h:
common/store.h:
common/scope.h:
common/apikey.h:
common/store_private.h:
common/xalloc.h:
