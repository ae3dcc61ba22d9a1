build-dev/common/tracking.o: common/tracking.c common/first.h \
 common/log.h common/store.h common/scope.h common/apikey.h \
 common/store_private.h
common/first.h:
common/log.h:
common/store.h:
common/scope.h:
common/apikey.h:
common/store_private.h:
